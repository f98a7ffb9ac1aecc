// Writing rows (idempotent by request id) and reading them back for the reports, the same SQL on
// SQLite and PostgreSQL.
import type { Knex } from 'knex';
import { LEDGER_TABLE, type LedgerRow } from './row.js';

/** Rows per statement: 45 columns × 600 stays under SQLite's 32,766 bound parameters. */
const ROWS_PER_STATEMENT = 600;

export interface RowStore {
  insert(rows: readonly LedgerRow[]): Promise<void>;
}

/** Column widths of the migration: PostgreSQL refuses a longer value, and one such row would fail its batch for ever. */
const WIDTHS: Partial<Record<keyof LedgerRow, number>> = {
  request_id: 128, day: 10, user_id: 256, team_id: 256, key_id: 128, session_id: 256, client_address: 64, method: 16, path: 512,
  endpoint: 64, client_protocol: 64, requested_model: 256, served_model: 256, provider: 128, outcome: 32, error_code: 96,
  usage_source: 16, local_method: 32,
};
const INTEGERS: (keyof LedgerRow)[] = [
  'time_ms', 'fallbacks', 'stream', 'status', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'count_mismatch',
];
const NULLABLE_INTEGERS: (keyof LedgerRow)[] = ['local_input_tokens', 'local_output_tokens'];
const DOUBLES: (keyof LedgerRow)[] = ['cost_input', 'cost_output', 'cost_cache_read', 'cost_cache_write', 'cost_reasoning', 'cost_total', 'ttfb_ms', 'latency_ms', 'output_tps'];

/** A row both databases accept: strings within their columns, integers whole, numbers finite. */
export function fitRow(row: LedgerRow): LedgerRow {
  const out: Record<string, unknown> = { ...row };
  for (const [col, width] of Object.entries(WIDTHS)) {
    const v = out[col];
    if (typeof v === 'string' && v.length > width!) out[col] = v.slice(0, width);
  }
  for (const col of INTEGERS) out[col] = Number.isFinite(out[col]) ? Math.round(out[col] as number) : 0;
  for (const col of NULLABLE_INTEGERS) out[col] = Number.isFinite(out[col]) ? Math.round(out[col] as number) : null;
  for (const col of DOUBLES) out[col] = Number.isFinite(out[col]) ? out[col] : col === 'latency_ms' ? 0 : null;
  return out as unknown as LedgerRow;
}

export function knexStore(database: () => Promise<Knex>): RowStore {
  return {
    async insert(rows) {
      const knex = await database();
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
        // A row written before (a replay after a write that timed out but committed) is skipped.
        await knex(LEDGER_TABLE).insert(rows.slice(i, i + ROWS_PER_STATEMENT).map(fitRow)).onConflict('request_id').ignore();
      }
    },
  };
}

/** Numbers come back as strings from PostgreSQL's bigint columns: make them numbers again. */
export function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : 0;
}
export function toNumberOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : toNumber(v);
}
