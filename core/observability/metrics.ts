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
export interface GaugeOptions extends MetricOptions {
  /**
   * A level its owner can read at any time (a queue's depth): read at each render (scrape) and set
   * on the gauge without labels, rather than set on every change of a hot path.
   */
  collect?: () => number;
}
export interface HistogramOptions extends MetricOptions {
  /** Upper bounds in the metric's unit (seconds for latencies). Default: 1 ms … 60 s. */
  buckets?: readonly number[];
}

export interface Metrics {
  counter(name: string, help: string, options?: MetricOptions): Counter;
  gauge(name: string, help: string, options?: GaugeOptions): Gauge;
  /** `options` may be the bucket list alone, as in earlier versions. */
  histogram(name: string, help: string, options?: HistogramOptions | readonly number[]): Histogram;
  /** The exposition text of this registry and the process defaults. */
  render(): Promise<string>;
  /** The Content-Type that goes with `render()`. */
  readonly contentType: string;
}

export interface MetricsOptions {
  /**
   * Start the process defaults now (the gateway): the GC and event-loop probes count from start-up,
   * not from the first scrape. Without it they start on the first render.
   */
  startProcessMetrics?: boolean;
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

/** What a declaration says of its metric: another declaration of the name must not say otherwise. */
interface Shape { help: string; labelNames?: readonly string[] | undefined; buckets?: readonly number[] | undefined }

const sameList = (a: readonly unknown[] | undefined, b: readonly unknown[] | undefined) =>
  a === undefined || b === undefined || (a.length === b.length && a.every((x, i) => x === b[i]));
const sameShape = (a: Shape, b: Shape) => a.help === b.help && sameList(a.labelNames, b.labelNames) && sameList(a.buckets, b.buckets);

/** The process defaults' names start so: only such a name needs prom-client loaded to check it. */
const DEFAULT_PREFIXES = ['process_', 'nodejs_'];

export function createMetrics(opts: MetricsOptions = {}): Metrics {
  // prom-client (~100–200 ms of CPU to import, with its OpenTelemetry dependency) is loaded when a
  // metric is first updated or /metrics is rendered: `sluice config validate` runs every plugin's
  // setup, which declares metrics, and should not pay for it.
  let registry: Registry | undefined;
  const ownRegistry = (): Registry => (registry ??= new (prom().Registry)());
  if (opts.startProcessMetrics) processDefaults();
  const declared = new Map<string, { kind: Kind; shape: Shape; handle: Counter | Gauge | Histogram; lazy: LazyMetric<PromMetric> }>();
  /** Gauges read at render (GaugeOptions.collect). */
  const collected: { name: string; handle: Gauge; read: () => number; told?: boolean }[] = [];

  const lazily = <M extends PromMetric>(name: string, labelNames: readonly string[] | undefined, make: (client: PromClient, registry: Registry, labelNames: string[]) => M) =>
    new LazyMetric(name, labelNames, (names) => make(prom(), ownRegistry(), names), opts.onDroppedUpdate);

  /**
   * One name, one metric. The same declaration again (a plugin twice in the chain, or the name and
   * help alone to reach it) shares it; another one under that name — a plugin naming its metric
   * `sluice_requests_total` — is refused, or its updates would land in the other's series (and its
   * help replace the other's).
   */
  function declare<H extends Counter | Gauge | Histogram>(name: string, kind: Kind, shape: Shape, create: () => { handle: H; lazy: LazyMetric<PromMetric> }): H {
    const existing = declared.get(name);
    if (existing) {
      if (existing.kind !== kind) throw new Error(`metric ${name} is already registered as a ${existing.kind}`);
      if (!sameShape(existing.shape, shape)) throw new Error(`metric ${name} is already registered with other help or labels (by core or another plugin): name yours differently`);
      return existing.handle as H;
    }
    if (DEFAULT_PREFIXES.some((p) => name.startsWith(p)) && processDefaults().getSingleMetric(name)) throw new Error(`metric ${name} is one of the process defaults`);
    const { handle, lazy } = create();
    declared.set(name, { kind, shape, handle, lazy });
    return handle;
  }

  return {
    counter: (name, help, options = {}) => declare(name, 'counter', { help, labelNames: options.labelNames }, () => {
      const lazy = lazily(name, options.labelNames, (client, registers, labelNames) => new client.Counter({ name, help, labelNames, registers: [registers] }));
      return {
        lazy,
        handle: {
          inc: (labels, value = 1) => {
            // The hot path: a label set seen before, a valid amount — one addition on its series.
            if (labels && typeof value === 'number' && value >= 0 && value !== Infinity) {
              const series = lazy.series(labels);
              if (series) { (series as CounterSeries).value += value; return; }
            }
            try { const m = lazy.get(labels); if (labels) { m.inc(labels, value); lazy.remember(labels); } else m.inc(value); } catch (err) { lazy.dropped(err); }
          },
        },
      };
    }),
    gauge: (name, help, options = {}) => declare(name, 'gauge', { help, labelNames: options.labelNames }, () => {
      const lazy = lazily(name, options.labelNames, (client, registers, labelNames) => new client.Gauge({ name, help, labelNames, registers: [registers] }));
      const handle: Gauge = {
        set: (value, labels) => {
          try { const m = lazy.get(labels); if (labels) m.set(labels, value); else m.set(value); } catch (err) { lazy.dropped(err); }
        },
        inc: (labels, value = 1) => {
          try { const m = lazy.get(labels); if (labels) m.inc(labels, value); else m.inc(value); } catch (err) { lazy.dropped(err); }
        },
      };
      if (options.collect) collected.push({ name, handle, read: options.collect });
      return { lazy, handle };
    }),
    histogram: (name, help, options = {}) => declare(name, 'histogram', isBucketList(options) ? { help, buckets: options } : { help, labelNames: options.labelNames, buckets: options.buckets }, () => {
      const { buckets = DEFAULT_BUCKETS, labelNames } = isBucketList(options) ? { buckets: options, labelNames: undefined } : options;
      const lazy = lazily(name, labelNames, (client, registers, names) => new client.Histogram({ name, help, labelNames: names, buckets: [...buckets], registers: [registers] }));
      // prom-client's own bucket order (it sorts them); read once the metric exists. Its buckets are
      // keyed by the bound as a string: made once here, not a double→string conversion per update.
      let bounds: readonly number[] | undefined;
      let boundKeys: readonly string[] = [];
      return {
        lazy,
        handle: {
          observe: (value, labels) => {
            // The hot path, as prom-client's observe does it minus the label hashing and checks.
            if (labels && bounds && Number.isFinite(value)) {
              const series = lazy.series(labels) as HistogramSeries | undefined;
              if (series) {
                series.sum += value;
                series.count += 1;
                for (let i = 0; i < bounds.length; i++) {
                  if (value <= bounds[i]!) { series.bucketValues[boundKeys[i]!]! += 1; break; }
                }
                return;
              }
            }
            try {
              const m = lazy.get(labels);
              if (labels) {
                m.observe(labels, value);
                if (!bounds) { bounds = upperBoundsOf(m); boundKeys = bounds?.map(String) ?? []; }
                lazy.remember(labels);
              } else m.observe(value);
            } catch (err) { lazy.dropped(err); }
          },
        },
      };
    }),
    render: async () => {
      // Metrics declared with their label names are listed (HELP and TYPE) before their first update.
      for (const { lazy } of declared.values()) lazy.declare();
      for (const c of collected) {
        let value: number;
        try { value = c.read(); } catch (err) {
          if (!c.told) { c.told = true; opts.onDroppedUpdate?.(c.name, err instanceof Error ? err : new Error(String(err))); }
          continue;
        }
        c.handle.set(value);
      }
      return (await ownRegistry().metrics()) + (await processDefaults().metrics());
    },
    get contentType() { return ownRegistry().contentType; },
  };
}

/** prom-client's record of one counter series (its `hashMap` entry). */
interface CounterSeries { value: number }
/** prom-client's record of one histogram series: bucket counts by upper bound (not cumulative). */
interface HistogramSeries { sum: number; count: number; bucketValues: Record<string, number> }

type HashObject = (labels: Labels, labelNames?: readonly string[]) => string;
let hashObject: HashObject | null | undefined;
/** prom-client's own series key; null when its internals are not as expected (no fast path then). */
function promHash(): HashObject | null {
  if (hashObject === undefined) {
    try {
      const util = createRequire(import.meta.url)('prom-client/lib/util') as { hashObject?: unknown };
      hashObject = typeof util.hashObject === 'function' ? (util.hashObject as HashObject) : null;
    } catch { hashObject = null; }
  }
  return hashObject;
}

function upperBoundsOf(metric: PromMetric): readonly number[] | undefined {
  const bounds = (metric as unknown as { upperBounds?: unknown }).upperBounds;
  return Array.isArray(bounds) && bounds.every((b) => typeof b === 'number') ? bounds : undefined;
}

/** A level of the remembered label sets: the next label's values; `leaf` where a set ends. */
interface SeriesNode { next?: Map<string, SeriesNode>; leaf?: { names: readonly string[]; map: unknown; series: object } }

/** Label sets remembered per metric, at most: beyond, updates take prom-client's own path. */
const MAX_REMEMBERED_SERIES = 10_000;

/**
 * The prom-client metric behind a handle: made on its first update or the first render — from the
 * declared label names, else from that update's labels. Updates never throw (prom-client does, on
 * an unknown label or a non-finite value): a metric must not fail the request that records it.
 */
class LazyMetric<M extends PromMetric> {
  private metric: M | undefined;
  private warned = false;
  private readonly known: SeriesNode = {};
  private remembered = 0;
  private readonly labelNames: readonly string[] | undefined;

  constructor(
    private readonly name: string,
    labelNames: readonly string[] | undefined,
    private readonly make: (labelNames: string[]) => M,
    private readonly onDropped: MetricsOptions['onDroppedUpdate'],
  ) {
    this.labelNames = labelNames;
  }

  /**
   * The prom-client record of a label set updated before, found in a tree keyed by the label
   * values in the order given (Map lookups of strings already hashed: nothing is allocated) and
   * checked against the label names at the leaf — cheaper than prom-client's sorted hash and label
   * check, which its first update of the set passed. Updating the record is what prom-client's own
   * update does, so the exposition is the same to the bit.
   */
  series(labels: Labels): object | undefined {
    let node: SeriesNode | undefined = this.known;
    for (const name in labels) {
      const value = labels[name];
      if (typeof value !== 'string') return undefined;
      node = node.next?.get(value);
      if (!node) return undefined;
    }
    const leaf = node.leaf;
    if (!leaf || leaf.map !== (this.metric as unknown as { hashMap: unknown }).hashMap) return undefined;
    // Same values in the same order; the names must match too ({a:'x'} is not {b:'x'}).
    let i = 0;
    for (const name in labels) if (leaf.names[i++] !== name) return undefined;
    return i === leaf.names.length ? leaf.series : undefined;
  }

  /** After prom-client took an update of `labels`: remembers its record for the next ones. */
  remember(labels: Labels): void {
    const hash = promHash();
    if (!hash || !this.metric || this.remembered >= MAX_REMEMBERED_SERIES) return;
    const names: string[] = [];
    let node = this.known;
    for (const name in labels) {
      const value = labels[name];
      if (typeof value !== 'string') return;
      names.push(name);
      node.next ??= new Map();
      let child = node.next.get(value);
      if (!child) node.next.set(value, (child = {}));
      node = child;
    }
    const map = (this.metric as unknown as { hashMap?: Record<string, object> }).hashMap;
    const sortedLabelNames = (this.metric as unknown as { sortedLabelNames?: readonly string[] }).sortedLabelNames;
    const series = map?.[hash(labels, sortedLabelNames)];
    if (!series || typeof series !== 'object') return;
    // One leaf per value path: a second name order or name set for the same values keeps the first.
    if (!node.leaf || node.leaf.map !== map) { node.leaf = { names, map, series }; this.remembered++; }
  }

  get(labels: Labels | undefined): M {
    return (this.metric ??= this.make(this.labelNames ? [...this.labelNames] : labels ? Object.keys(labels) : []));
  }

  /** Makes the metric now if its label names are known (what declaring it did before it was lazy). */
  declare(): void {
    if (this.labelNames && !this.metric) this.metric = this.make([...this.labelNames]);
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
