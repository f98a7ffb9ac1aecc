// Writing rows (idempotent by request id) and reading them back for the reports, the same SQL on
// SQLite and PostgreSQL.
import type { Knex } from 'knex';
import { LEDGER_TABLE, type LedgerRow } from './row.js';

/** Rows per statement: 45 columns × 600 stays under SQLite's 32,766 bound parameters. */
const ROWS_PER_STATEMENT = 600;

export interface RowStore {
  insert(rows: readonly LedgerRow[]): Promise<void>;
}

export function knexStore(database: () => Promise<Knex>): RowStore {
  return {
    async insert(rows) {
      const knex = await database();
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
        // A row written before (a replay after a write that timed out but committed) is skipped.
        await knex(LEDGER_TABLE).insert(rows.slice(i, i + ROWS_PER_STATEMENT)).onConflict('request_id').ignore();
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
