// Prometheus metrics on prom-client. Each gateway has its own registry (tests run several gateways
// in one process); the process-wide defaults (CPU, heap, GC, event-loop lag) live in one shared
// registry, since they describe the process, and are appended to every gateway's /metrics.
import { createRequire } from 'node:module';
import type { Counter as PromCounter, Gauge as PromGauge, Histogram as PromHistogram, Registry } from 'prom-client';

type PromClient = typeof import('prom-client');
let promClient: PromClient | undefined;
/** Required on first use: CLI commands that build no gateway do not pay for loading it. */
const prom = (): PromClient => (promClient ??= createRequire(import.meta.url)('prom-client') as PromClient);

export type Labels = Record<string, string>;

export interface Counter { inc(labels?: Labels, value?: number): void }
export interface Gauge { set(value: number, labels?: Labels): void; inc(labels?: Labels, value?: number): void }
export interface Histogram { observe(value: number, labels?: Labels): void }

export interface MetricOptions {
  /**
   * Every label name this metric will use. Declare them: without, the first update fixes them, and
   * a later update with another label name is dropped (with one warning).
   */
  labelNames?: readonly string[];
}
export interface HistogramOptions extends MetricOptions {
  /** Upper bounds in the metric's unit (seconds for latencies). Default: 1 ms … 60 s. */
  buckets?: readonly number[];
}

export interface Metrics {
  counter(name: string, help: string, options?: MetricOptions): Counter;
  gauge(name: string, help: string, options?: MetricOptions): Gauge;
  /** `options` may be the bucket list alone, as in earlier versions. */
  histogram(name: string, help: string, options?: HistogramOptions | readonly number[]): Histogram;
  /** The exposition text of this registry and the process defaults. */
  render(): Promise<string>;
  /** The Content-Type that goes with `render()`. */
  readonly contentType: string;
}

export interface MetricsOptions {
  /** Told once per metric when an update is dropped (bad label set, non-finite value). */
  onDroppedUpdate?: (metric: string, error: Error) => void;
}

const DEFAULT_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

let processRegistry: Registry | undefined;
/** Started on first use and kept for the life of the process: the probes are process-wide. */
function processDefaults(): Registry {
  if (!processRegistry) {
    const client = prom();
    processRegistry = new client.Registry();
    client.collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

type Kind = 'counter' | 'gauge' | 'histogram';
type PromMetric = PromCounter | PromGauge | PromHistogram;

export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const client = prom();
  const registry = new client.Registry();
  const defaults = processDefaults();
  const declared = new Map<string, { kind: Kind; handle: Counter | Gauge | Histogram }>();

  const lazily = <M extends PromMetric>(name: string, labelNames: readonly string[] | undefined, make: (labelNames: string[]) => M) =>
    new LazyMetric(name, labelNames, make, opts.onDroppedUpdate);

  function declare<H extends Counter | Gauge | Histogram>(name: string, kind: Kind, create: () => H): H {
    const existing = declared.get(name);
    if (existing) {
      if (existing.kind !== kind) throw new Error(`metric ${name} is already registered as a ${existing.kind}`);
      return existing.handle as H;
    }
    if (defaults.getSingleMetric(name)) throw new Error(`metric ${name} is one of the process defaults`);
    const handle = create();
    declared.set(name, { kind, handle });
    return handle;
  }

  return {
    counter: (name, help, options = {}) => declare(name, 'counter', () => {
      const lazy = lazily(name, options.labelNames, (labelNames) => new client.Counter({ name, help, labelNames, registers: [registry] }));
      return {
        inc: (labels, value = 1) => {
          try { const m = lazy.get(labels); if (labels) m.inc(labels, value); else m.inc(value); } catch (err) { lazy.dropped(err); }
        },
      };
    }),
    gauge: (name, help, options = {}) => declare(name, 'gauge', () => {
      const lazy = lazily(name, options.labelNames, (labelNames) => new client.Gauge({ name, help, labelNames, registers: [registry] }));
      return {
        set: (value, labels) => {
          try { const m = lazy.get(labels); if (labels) m.set(labels, value); else m.set(value); } catch (err) { lazy.dropped(err); }
        },
        inc: (labels, value = 1) => {
          try { const m = lazy.get(labels); if (labels) m.inc(labels, value); else m.inc(value); } catch (err) { lazy.dropped(err); }
        },
      };
    }),
    histogram: (name, help, options = {}) => declare(name, 'histogram', () => {
      const { buckets = DEFAULT_BUCKETS, labelNames } = isBucketList(options) ? { buckets: options, labelNames: undefined } : options;
      const lazy = lazily(name, labelNames, (names) => new client.Histogram({ name, help, labelNames: names, buckets: [...buckets], registers: [registry] }));
      return {
        observe: (value, labels) => {
          try { const m = lazy.get(labels); if (labels) m.observe(labels, value); else m.observe(value); } catch (err) { lazy.dropped(err); }
        },
      };
    }),
    render: async () => (await registry.metrics()) + (await defaults.metrics()),
    contentType: registry.contentType,
  };
}

/**
 * The prom-client metric behind a handle: made on declaration when the label names are given, else
 * on the first update, from that update's labels. Updates never throw (prom-client does, on an
 * unknown label or a non-finite value): a metric must not fail the request that records it.
 */
class LazyMetric<M extends PromMetric> {
  private metric: M | undefined;
  private warned = false;

  constructor(
    private readonly name: string,
    labelNames: readonly string[] | undefined,
    private readonly make: (labelNames: string[]) => M,
    private readonly onDropped: MetricsOptions['onDroppedUpdate'],
  ) {
    if (labelNames) this.metric = make([...labelNames]);
  }

  get(labels: Labels | undefined): M {
    return (this.metric ??= this.make(labels ? Object.keys(labels) : []));
  }

  dropped(err: unknown): void {
    if (this.warned) return;
    this.warned = true;
    this.onDropped?.(this.name, err as Error);
  }
}

function isBucketList(options: HistogramOptions | readonly number[]): options is readonly number[] {
  return Array.isArray(options);
}
