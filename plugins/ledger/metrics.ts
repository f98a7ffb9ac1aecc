// The ledger's Prometheus series: what it counted (tokens by class, cost) and how its writer is
// doing (queue depth, rows written, write errors, rows waiting in the spill file).
import type { Metrics } from '../../core/index.js';
import { ModelLabels } from './model-label.js';
import type { LedgerRow } from './row.js';

export interface LedgerMetrics {
  /** Exports the writer's counters at 0 (at start: rate() and alerts need the series before its first event). */
  init(): void;
  /** Adds a row's tokens and cost (to the counters at the next `flush`). */
  row(row: LedgerRow): void;
  flush(): void;
  written(n: number): void;
  writeError(): void;
  spillRows(n: number): void;
  dropped(n: number): void;
  /** Rows deleted for being older than `retention_days`. */
  pruned(n: number): void;
}

const CLASSES = ['input', 'output', 'cache_read', 'cache_write', 'reasoning'] as const;
interface Sums extends Record<(typeof CLASSES)[number], number> { provider: string; model: string; usd: number }

/** `queueDepth`: what waits in memory, read at each scrape (the writer's depth). */
export function ledgerMetrics(metrics: Metrics, queueDepth?: () => number): LedgerMetrics {
  const labelNames = ['provider', 'model', 'class'] as const;
  const tokens = metrics.counter('sluice_ledger_tokens_total', 'Tokens recorded in the ledger, by provider, served model and class (input excludes cached classes).', { labelNames });
  const cost = metrics.counter('sluice_ledger_cost_usd_total', 'Cost recorded in the ledger (USD, from the price table), by provider and served model.', { labelNames: ['provider', 'model'] });
  const unpriced = metrics.counter('sluice_ledger_unpriced_requests_total', 'Requests with tokens but no price for their model.', { labelNames: ['provider', 'model'] });
  const mismatches = metrics.counter('sluice_ledger_count_mismatch_total', 'Requests whose billed token count differs from the local count beyond the tolerance.', { labelNames: ['provider', 'model'] });
  metrics.gauge('sluice_ledger_queue_depth', 'Requests waiting in memory to be written (as records or rows), read at each scrape.', { collect: queueDepth });
  const written = metrics.counter('sluice_ledger_rows_written_total', 'Rows the database did not hold before, written by the ledger (replays from the spill file included; a replayed row already there is not counted again).');
  const errors = metrics.counter('sluice_ledger_write_errors_total', 'Failed writes to the database (their rows went to the spill file).');
  const spill = metrics.gauge('sluice_ledger_spill_rows', 'Rows waiting in the spill file for the database to come back.');
  const dropped = metrics.counter('sluice_ledger_rows_dropped_total', 'Rows lost because neither the database nor the spill file could take them.');
  const pruned = metrics.counter('sluice_ledger_rows_pruned_total', 'Rows deleted for being older than retention_days.');
  // Rows are summed per writer cycle and the counters moved once per label set: a prom-client
  // update with labels costs more than the row's own arithmetic. Sums are kept by provider, then
  // model (two lookups of strings the rows share, no key built per row).
  let sums = new Map<string, Map<string, Sums>>();
  const modelLabels = new ModelLabels();
  return {
    row(r) {
      const provider = r.provider ?? 'none';
      const model = modelLabels.of(r.served_model ?? r.requested_model ?? 'none');
      let byModel = sums.get(provider);
      if (!byModel) sums.set(provider, (byModel = new Map()));
      let s = byModel.get(model);
      if (!s) byModel.set(model, (s = { provider, model, input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0, usd: 0 }));
      if (r.input_tokens > 0) s.input += r.input_tokens;
      if (r.output_tokens > 0) s.output += r.output_tokens;
      if (r.cache_read_tokens > 0) s.cache_read += r.cache_read_tokens;
      if (r.cache_write_tokens > 0) s.cache_write += r.cache_write_tokens;
      if (r.reasoning_tokens > 0) s.reasoning += r.reasoning_tokens;
      if (r.cost_total !== null && r.cost_total > 0) s.usd += r.cost_total;
      if (r.cost_total === null && r.input_tokens + r.output_tokens + r.cache_read_tokens + r.cache_write_tokens > 0) unpriced.inc({ provider, model });
      if (r.count_mismatch) mismatches.inc({ provider, model });
    },
    flush() {
      for (const byModel of sums.values()) {
        for (const s of byModel.values()) {
          const { provider, model } = s;
          for (const cls of CLASSES) if (s[cls] > 0) tokens.inc({ provider, model, class: cls }, s[cls]);
          if (s.usd > 0) cost.inc({ provider, model }, s.usd);
        }
      }
      sums = new Map();
    },
    init() {
      for (const c of [written, errors, dropped, pruned]) c.inc(undefined, 0);
    },
    written: (n) => written.inc(undefined, n),
    writeError: () => errors.inc(),
    spillRows: (n) => spill.set(n),
    dropped: (n) => dropped.inc(undefined, n),
    pruned: (n) => pruned.inc(undefined, n),
  };
}
