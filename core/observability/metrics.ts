// A small Prometheus registry: counters, gauges and histograms rendered in the text format.
// Label sets are keyed by their joined values so the hot path does one Map lookup per update.

export type Labels = Record<string, string>;

export interface Counter { inc(labels?: Labels, value?: number): void }
export interface Gauge { set(value: number, labels?: Labels): void; inc(labels?: Labels, value?: number): void }
export interface Histogram { observe(value: number, labels?: Labels): void }

export interface Metrics {
  counter(name: string, help: string): Counter;
  gauge(name: string, help: string): Gauge;
  histogram(name: string, help: string, buckets?: number[]): Histogram;
  /** Prometheus text exposition format. */
  render(): string;
}

const DEFAULT_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

interface Series { labels: Labels; value: number; buckets?: number[]; sum?: number }
interface Family { name: string; help: string; type: 'counter' | 'gauge' | 'histogram'; series: Map<string, Series>; bounds?: number[] }

function key(labels: Labels | undefined): string {
  if (!labels) return '';
  let k = '';
  for (const name in labels) k += name + '\u0000' + labels[name] + '\u0001';
  return k;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatLabels(labels: Labels, extra?: [string, string]): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  if (extra) parts.push(`${extra[0]}="${extra[1]}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

export function createMetrics(): Metrics {
  const families = new Map<string, Family>();

  const family = (name: string, help: string, type: Family['type'], bounds?: number[]): Family => {
    const existing = families.get(name);
    if (existing) {
      if (existing.type !== type) throw new Error(`metric ${name} already registered as ${existing.type}`);
      return existing;
    }
    const created: Family = { name, help, type, series: new Map(), bounds };
    families.set(name, created);
    return created;
  };
  const series = (f: Family, labels?: Labels): Series => {
    const k = key(labels);
    let s = f.series.get(k);
    if (!s) {
      s = { labels: { ...labels }, value: 0 };
      if (f.bounds) { s.buckets = new Array(f.bounds.length).fill(0); s.sum = 0; }
      f.series.set(k, s);
    }
    return s;
  };

  return {
    counter(name, help) {
      const f = family(name, help, 'counter');
      return { inc: (labels, value = 1) => { series(f, labels).value += value; } };
    },
    gauge(name, help) {
      const f = family(name, help, 'gauge');
      return {
        set: (value, labels) => { series(f, labels).value = value; },
        inc: (labels, value = 1) => { series(f, labels).value += value; },
      };
    },
    histogram(name, help, buckets = DEFAULT_BUCKETS) {
      const f = family(name, help, 'histogram', [...buckets].sort((a, b) => a - b));
      return {
        observe: (value, labels) => {
          const s = series(f, labels);
          s.value += 1;
          s.sum! += value;
          const bounds = f.bounds!;
          for (let i = 0; i < bounds.length; i++) if (value <= bounds[i]!) s.buckets![i]! += 1;
        },
      };
    },
    render() {
      const lines: string[] = [];
      for (const f of families.values()) {
        lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
        for (const s of f.series.values()) {
          if (f.type !== 'histogram') { lines.push(`${f.name}${formatLabels(s.labels)} ${s.value}`); continue; }
          f.bounds!.forEach((b, i) => lines.push(`${f.name}_bucket${formatLabels(s.labels, ['le', String(b)])} ${s.buckets![i]}`));
          lines.push(`${f.name}_bucket${formatLabels(s.labels, ['le', '+Inf'])} ${s.value}`);
          lines.push(`${f.name}_sum${formatLabels(s.labels)} ${s.sum}`, `${f.name}_count${formatLabels(s.labels)} ${s.value}`);
        }
      }
      return lines.join('\n') + '\n';
    },
  };
}
