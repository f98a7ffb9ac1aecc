// The ledger's Prometheus series: what it counted (tokens by class, cost) and how its writer is
// doing (queue depth, rows written, write errors, rows waiting in the spill file).
import type { Metrics } from '../../core/index.js';
import type { LedgerRow } from './row.js';

export interface LedgerMetrics {
  /** Adds a row's tokens and cost (to the counters at the next `flush`). */
  row(row: LedgerRow): void;
  flush(): void;
  queueDepth(n: number): void;
  written(n: number): void;
  writeError(): void;
  spillRows(n: number): void;
  dropped(n: number): void;
}

export function ledgerMetrics(metrics: Metrics): LedgerMetrics {
  const labelNames = ['provider', 'model', 'class'] as const;
  const tokens = metrics.counter('sluice_ledger_tokens_total', 'Tokens recorded in the ledger, by provider, served model and class (input excludes cached classes).', { labelNames });
  const cost = metrics.counter('sluice_ledger_cost_usd_total', 'Cost recorded in the ledger (USD, from the price table), by provider and served model.', { labelNames: ['provider', 'model'] });
  const unpriced = metrics.counter('sluice_ledger_unpriced_requests_total', 'Requests with tokens but no price for their model.', { labelNames: ['provider', 'model'] });
  const mismatches = metrics.counter('sluice_ledger_count_mismatch_total', 'Requests whose billed token count differs from the local count beyond the tolerance.', { labelNames: ['provider', 'model'] });
  const depth = metrics.gauge('sluice_ledger_queue_depth', 'Rows waiting in memory to be written.');
  const written = metrics.counter('sluice_ledger_rows_written_total', 'Rows written to the database (replays from the spill file included).');
  const errors = metrics.counter('sluice_ledger_write_errors_total', 'Failed writes to the database (their rows went to the spill file).');
  const spill = metrics.gauge('sluice_ledger_spill_rows', 'Rows waiting in the spill file for the database to come back.');
  const dropped = metrics.counter('sluice_ledger_rows_dropped_total', 'Rows lost because neither the database nor the spill file could take them.');
  // Rows are summed per writer cycle and the counters moved once per label set: a prom-client
  // update with labels costs more than the row's own arithmetic.
  const sums = new Map<string, { labels: Record<string, string>; n: number }>();
  const add = (key: string, labels: Record<string, string>, n: number) => {
    const s = sums.get(key);
    if (s) s.n += n; else sums.set(key, { labels, n });
  };
  let pendingCost = new Map<string, { labels: Record<string, string>; usd: number }>();
  return {
    row(r) {
      const provider = r.provider ?? 'none';
      const model = r.served_model ?? r.requested_model ?? 'none';
      const pm = `${provider}\u0000${model}`;
      if (r.input_tokens > 0) add(`${pm}\u0000input`, { provider, model, class: 'input' }, r.input_tokens);
      if (r.output_tokens > 0) add(`${pm}\u0000output`, { provider, model, class: 'output' }, r.output_tokens);
      if (r.cache_read_tokens > 0) add(`${pm}\u0000cache_read`, { provider, model, class: 'cache_read' }, r.cache_read_tokens);
      if (r.cache_write_tokens > 0) add(`${pm}\u0000cache_write`, { provider, model, class: 'cache_write' }, r.cache_write_tokens);
      if (r.reasoning_tokens > 0) add(`${pm}\u0000reasoning`, { provider, model, class: 'reasoning' }, r.reasoning_tokens);
      if (r.cost_total !== null && r.cost_total > 0) {
        const c = pendingCost.get(pm);
        if (c) c.usd += r.cost_total; else pendingCost.set(pm, { labels: { provider, model }, usd: r.cost_total });
      }
      if (r.cost_total === null && r.input_tokens + r.output_tokens + r.cache_read_tokens + r.cache_write_tokens > 0) unpriced.inc({ provider, model });
      if (r.count_mismatch) mismatches.inc({ provider, model });
    },
    flush() {
      for (const { labels, n } of sums.values()) tokens.inc(labels, n);
      sums.clear();
      for (const { labels, usd } of pendingCost.values()) cost.inc(labels, usd);
      pendingCost = new Map();
    },
    queueDepth: (n) => depth.set(n),
    written: (n) => written.inc(undefined, n),
    writeError: () => errors.inc(),
    spillRows: (n) => spill.set(n),
    dropped: (n) => dropped.inc(undefined, n),
  };
}
