// The ledger's Prometheus series: what it counted (tokens by class, cost) and how its writer is
// doing (queue depth, rows written, write errors, rows waiting in the spill file).
import type { Metrics } from '../../core/index.js';
import type { LedgerRow } from './row.js';

export interface LedgerMetrics {
  row(row: LedgerRow): void;
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
  return {
    row(r) {
      const provider = r.provider ?? 'none';
      const model = r.served_model ?? r.requested_model ?? 'none';
      const classes: [string, number][] = [['input', r.input_tokens], ['output', r.output_tokens], ['cache_read', r.cache_read_tokens], ['cache_write', r.cache_write_tokens], ['reasoning', r.reasoning_tokens]];
      for (const [cls, n] of classes) if (n > 0) tokens.inc({ provider, model, class: cls }, n);
      if (r.cost_total !== null && r.cost_total > 0) cost.inc({ provider, model }, r.cost_total);
      if (r.cost_total === null && r.input_tokens + r.output_tokens + r.cache_read_tokens + r.cache_write_tokens > 0) unpriced.inc({ provider, model });
      if (r.count_mismatch) mismatches.inc({ provider, model });
    },
    queueDepth: (n) => depth.set(n),
    written: (n) => written.inc(undefined, n),
    writeError: () => errors.inc(),
    spillRows: (n) => spill.set(n),
    dropped: (n) => dropped.inc(undefined, n),
  };
}
