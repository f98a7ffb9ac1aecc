// Writing rows (idempotent by request id) and reading them back for the reports, the same SQL on
// SQLite and PostgreSQL.
//
// A request id is not always Sluice's own: a valid client-supplied `x-request-id` is echoed and
// becomes the request's id. A client that sends the same id twice (a bug, or a key holder hoping to
// keep requests out of the ledger) must still get a row per request, so a row whose id is taken by
// a *different* request (another arrival key) is written under a derived id instead of being
// skipped; only a true replay of the same row (a write that timed out but committed, a spill file
// replayed) is skipped. The derived id is a function of the row, so its replays are skipped too.
import type { Knex } from 'knex';
import { isSqlite, storableText } from '../../core/index.js';
import { LEDGER_TABLE, type LedgerRow } from './row.js';
import { SQLITE_RETRY_LOCK_WAIT_MS, sqliteWrite, type SqliteDatabase } from './sqlite.js';

/** PostgreSQL rows per statement: 48 columns × 1000 stays well under its 65,535 bound parameters. */
const ROWS_PER_STATEMENT = 1000;

export interface RowStore {
  /**
   * Writes the rows; resolves with how many the table did not hold before (a replay of a stored row
   * adds none). `retrying`: writes have been failing; on SQLite the write waits only briefly for
   * another connection's lock.
   */
  insert(rows: readonly LedgerRow[], retrying?: boolean): Promise<number>;
}

/** Column widths of the migration: PostgreSQL refuses a longer value, and one such row would fail its batch for ever. */
const WIDTHS: Partial<Record<keyof LedgerRow, number>> = {
  request_id: 128, day: 10, user_id: 256, team_id: 256, key_id: 128, session_id: 256, client_address: 64, method: 16, path: 512,
  endpoint: 64, client_protocol: 64, requested_model: 256, served_model: 256, provider: 128, outcome: 32, error_code: 96,
  usage_source: 16, local_method: 32, direction: 16, offer_id: 128, arrival_key: 40, service_tier: 32,
};
const INTEGERS: (keyof LedgerRow)[] = [
  'time_ms', 'fallbacks', 'stream', 'status', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'count_mismatch',
  'web_search_calls', 'web_fetch_calls',
];
const NULLABLE_INTEGERS: (keyof LedgerRow)[] = ['local_input_tokens', 'local_output_tokens'];
const DOUBLES: (keyof LedgerRow)[] = ['cost_input', 'cost_output', 'cost_cache_read', 'cost_cache_write', 'cost_reasoning', 'cost_total', 'ttfb_ms', 'latency_ms', 'output_tps', 'cost_fees'];

type Kind = 'integer' | 'nullableInteger' | 'double' | 'latency' | number | 'text';
const KIND = new Map<string, Kind>([
  ...Object.entries(WIDTHS).map(([c, w]) => [c, w!] as [string, Kind]),
  ...INTEGERS.map((c) => [c, 'integer'] as [string, Kind]),
  ...NULLABLE_INTEGERS.map((c) => [c, 'nullableInteger'] as [string, Kind]),
  ...DOUBLES.map((c) => [c, c === 'latency_ms' ? 'latency' : 'double'] as [string, Kind]),
]);

// The fitting rules, one per kind of column: fitValue picks one by the column's kind, rowValues
// calls them by name.
/** Strings within their column's width, NUL as U+FFFD (core's storableText: PostgreSQL refuses a NUL). */
const text = (v: unknown, width: number): unknown => (typeof v === 'string' ? storableText(v, width) : v ?? null);
/** A text column without a width (JSON the row built: fallback_detail, findings). */
const anyText = (v: unknown): unknown => (typeof v === 'string' ? storableText(v) : v ?? null);
/**
 * Whole, and within ±2^53: token counts are the provider's own figures, and one past PostgreSQL's
 * bigint (an upstream reporting 1e300) failed its batch on every retry and replay. The clamp keeps
 * such a figure absurd in the row, as evidence, without refusing the rows written with it.
 */
const whole = (v: number): number => Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, Math.round(v)));
const integer = (v: unknown): number => (Number.isFinite(v) ? whole(v as number) : 0);
const integerOrNull = (v: unknown): number | null => (Number.isFinite(v) ? whole(v as number) : null);
const double = (v: unknown): unknown => (Number.isFinite(v) ? v : null);
/** A latency is never null: not finite counts as 0. */
const latency = (v: unknown): unknown => (Number.isFinite(v) ? v : 0);

/** One column's value as both databases accept it: strings within their column, integers whole, numbers finite. */
function fitValue(kind: Kind | undefined, v: unknown): unknown {
  switch (kind) {
    case undefined: case 'text': return anyText(v);
    case 'integer': return integer(v);
    case 'nullableInteger': return integerOrNull(v);
    case 'double': return double(v);
    case 'latency': return latency(v);
    default: return text(v, kind);
  }
}

/** A row both databases accept (one odd value would otherwise fail its batch for ever). */
export function fitRow(row: LedgerRow): LedgerRow {
  const out: Record<string, unknown> = {};
  for (const col of Object.keys(row)) out[col] = fitValue(KIND.get(col), row[col as keyof LedgerRow]);
  return out as unknown as LedgerRow;
}

/** The table's columns in insert order (every LedgerRow field). */
const COLUMNS: (keyof LedgerRow)[] = [
  'request_id', 'time_ms', 'day', 'user_id', 'team_id', 'key_id', 'session_id', 'client_address', 'method', 'path', 'endpoint',
  'client_protocol', 'requested_model', 'served_model', 'provider', 'fallbacks', 'fallback_detail', 'stream', 'status', 'outcome',
  'error_code', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'usage_source',
  'cost_input', 'cost_output', 'cost_cache_read', 'cost_cache_write', 'cost_reasoning', 'cost_total', 'local_input_tokens',
  'local_output_tokens', 'local_method', 'count_mismatch', 'ttfb_ms', 'latency_ms', 'output_tps', 'findings', 'direction', 'offer_id',
  'arrival_key', 'service_tier', 'web_search_calls', 'web_fetch_calls', 'cost_fees',
];

/**
 * A row's values in COLUMNS order, fitted as fitValue fits them (a test holds the two to each other).
 * Spelled out rather than looped over COLUMNS: `row[column]` with 48 different names is a
 * megamorphic keyed load per value, and the switch on the column's kind a branch per value; here
 * each load is a named one on the row's single shape. Written into `out`, reused by the caller.
 */
export function rowValues(r: LedgerRow, out: unknown[]): unknown[] {
  out[0] = text(r.request_id, 128); out[1] = integer(r.time_ms); out[2] = text(r.day, 10);
  out[3] = text(r.user_id, 256); out[4] = text(r.team_id, 256); out[5] = text(r.key_id, 128); out[6] = text(r.session_id, 256);
  out[7] = text(r.client_address, 64); out[8] = text(r.method, 16); out[9] = text(r.path, 512); out[10] = text(r.endpoint, 64);
  out[11] = text(r.client_protocol, 64); out[12] = text(r.requested_model, 256); out[13] = text(r.served_model, 256); out[14] = text(r.provider, 128);
  out[15] = integer(r.fallbacks); out[16] = anyText(r.fallback_detail); out[17] = integer(r.stream); out[18] = integer(r.status); out[19] = text(r.outcome, 32);
  out[20] = text(r.error_code, 96); out[21] = integer(r.input_tokens); out[22] = integer(r.output_tokens); out[23] = integer(r.cache_read_tokens);
  out[24] = integer(r.cache_write_tokens); out[25] = integer(r.reasoning_tokens); out[26] = text(r.usage_source, 16);
  out[27] = double(r.cost_input); out[28] = double(r.cost_output); out[29] = double(r.cost_cache_read); out[30] = double(r.cost_cache_write);
  out[31] = double(r.cost_reasoning); out[32] = double(r.cost_total); out[33] = integerOrNull(r.local_input_tokens);
  out[34] = integerOrNull(r.local_output_tokens); out[35] = text(r.local_method, 32); out[36] = integer(r.count_mismatch);
  out[37] = double(r.ttfb_ms); out[38] = latency(r.latency_ms); out[39] = double(r.output_tps);
  out[40] = anyText(r.findings); out[41] = text(r.direction, 16); out[42] = text(r.offer_id, 128); out[43] = text(r.arrival_key, 40);
  out[44] = text(r.service_tier, 32); out[45] = integer(r.web_search_calls); out[46] = integer(r.web_fetch_calls); out[47] = double(r.cost_fees);
  return out;
}

/** fitValue over COLUMNS, column by column: what rowValues must equal (tests). */
export function fittedByColumn(row: LedgerRow): unknown[] {
  return COLUMNS.map((c) => fitValue(KIND.get(c), row[c]));
}
const INSERT_HEAD = `insert into ${LEDGER_TABLE} (${COLUMNS.join(', ')}) values `;
const ONE_ROW = `(${COLUMNS.map(() => '?').join(', ')})`;
// Idempotent by request id, the same clause on SQLite (3.24+) and PostgreSQL: a row written before
// (a replay after a write that timed out but committed) is skipped.
const ON_CONFLICT = ' on conflict (request_id) do nothing';

/**
 * What tells two rows with one id apart: a replay carries its request's arrival key. Rows from before
 * the key (a spill file an earlier version wrote, a table's old rows) by arrival and latency to the
 * µs, which two fast refusals in one millisecond can share.
 */
interface Identity { time_ms: unknown; latency_ms: unknown; arrival_key: unknown }
const IDENTITY = ['time_ms', 'latency_ms', 'arrival_key'] as const;
/** A row's arrival key as stored (null on rows from before it). */
const arrivalKeyOf = (row: LedgerRow) => text(row.arrival_key, WIDTHS.arrival_key!);
function sameRequest(stored: Identity, row: LedgerRow): boolean {
  const key = arrivalKeyOf(row);
  if (stored.arrival_key != null && key !== null) return stored.arrival_key === key;
  return Number(stored.time_ms) === fitValue('integer', row.time_ms) && Number(stored.latency_ms) === fitValue('latency', row.latency_ms);
}

/**
 * The id a row takes when its own is held by another request: `<id>~<arrival key>` (the same for a
 * replay of the row, another for each request), within 128; without a key `<id>~<arrival><latency µs>`.
 */
function derivedId(row: LedgerRow): string {
  const own = String(row.request_id).slice(0, 100);
  const key = arrivalKeyOf(row);
  if (typeof key === 'string') return `${own}~${key}`;
  const t = fitValue('integer', row.time_ms) as number;
  const us = Math.round((fitValue('latency', row.latency_ms) as number) * 1000);
  return `${own}~${t.toString(36)}${us.toString(36)}`;
}

/**
 * SQLite rows per transaction. Each commit appends every page it touched to the WAL (two writes a
 * page), and the random request ids put nearly every row's primary-key entry on a page of its own:
 * a larger transaction shares more of those pages (and the table's last pages) among its rows.
 * 250 rows measured ~25 µs a row against ~30 at 100 (500: ~23); a transaction runs synchronously,
 * so it stays a few ms, with the event loop free between slices.
 */
const SQLITE_ROWS_PER_TRANSACTION = 250;
/**
 * SQLite rows per INSERT statement within a transaction: each statement run is a call into the
 * addon and a VDBE program started and reset, paid once for 8 rows instead of 8 times. Measured
 * 5.7 µs a row against 6.6 for single rows (bench/ledger-insert.ts, time-ordered ids into 100,000
 * rows; 16 rows a statement did no better, 32 worse).
 */
const SQLITE_ROWS_PER_STATEMENT = 8;

/** Prepared statements per SQLite connection (one row, and SQLITE_ROWS_PER_STATEMENT rows), run in a transaction per slice. */
const sqliteInserts = new WeakMap<object, (rows: readonly LedgerRow[]) => number>();
/** The insert of a slice of rows in one transaction; returns how many rows it stored. */
function sqliteInsertFor(db: SqliteDatabase): (rows: readonly LedgerRow[]) => number {
  let insert = sqliteInserts.get(db);
  if (!insert) {
    const one = db.prepare(multiRow(1));
    const many = db.prepare(multiRow(SQLITE_ROWS_PER_STATEMENT));
    const holder = db.prepare(`select ${IDENTITY.join(', ')} from ${LEDGER_TABLE} where request_id = ?`);
    const values: unknown[] = new Array(COLUMNS.length);
    const wide: unknown[] = new Array(COLUMNS.length * SQLITE_ROWS_PER_STATEMENT);
    /** A row the insert skipped because its id was taken: a replay of it is done; another request's row gets a derived id. */
    const settle = (row: LedgerRow): number => {
      const stored = holder.get(text(row.request_id, 128)) as Identity | undefined;
      if (stored && sameRequest(stored, row)) return 0;
      rowValues(row, values)[0] = derivedId(row);
      return one.run(...values).changes;
    };
    insert = db.transaction((rows: readonly LedgerRow[]): number => {
      let stored = 0;
      let i = 0;
      for (; i + SQLITE_ROWS_PER_STATEMENT <= rows.length; i += SQLITE_ROWS_PER_STATEMENT) {
        for (let j = 0; j < SQLITE_ROWS_PER_STATEMENT; j++) {
          rowValues(rows[i + j]!, values);
          for (let c = 0, at = j * COLUMNS.length; c < COLUMNS.length; c++) wide[at + c] = values[c];
        }
        // Values as arguments, not one array: better-sqlite3 reads an array's elements through V8's
        // slow element lookup, and arguments directly (~1 µs a 43-value row less, measured).
        const changes = many.run(...wide).changes;
        stored += changes;
        if (changes === SQLITE_ROWS_PER_STATEMENT) continue;
        // Some ids were taken (the rows just written find themselves, and are done).
        for (let j = i; j < i + SQLITE_ROWS_PER_STATEMENT; j++) stored += settle(rows[j]!);
      }
      for (; i < rows.length; i++) stored += one.run(...rowValues(rows[i]!, values)).changes || settle(rows[i]!);
      return stored;
    });
    sqliteInserts.set(db, insert);
  }
  return insert;
}

/** Multi-row INSERT texts by row count, built once each. */
const multiRowSql = new Map<number, string>();
function multiRow(n: number): string {
  let sql = multiRowSql.get(n);
  if (!sql) {
    sql = INSERT_HEAD + new Array(n).fill(ONE_ROW).join(', ') + ON_CONFLICT;
    if (multiRowSql.size < 64) multiRowSql.set(n, sql);
  }
  return sql;
}

export function knexStore(database: () => Promise<Knex>): RowStore {
  return {
    async insert(rows, retrying) {
      const knex = await database();
      if (isSqlite(knex)) {
        // knex builds and SQLite compiles a new 40-column × N-row statement per batch (~50 µs a
        // row); one prepared statement reused in a transaction costs a few µs a row.
        let stored = 0;
        for (let i = 0; i < rows.length; i += SQLITE_ROWS_PER_TRANSACTION) {
          stored += await sqliteWrite(knex, (db) => sqliteInsertFor(db)(rows.slice(i, i + SQLITE_ROWS_PER_TRANSACTION)), retrying ? SQLITE_RETRY_LOCK_WAIT_MS : undefined);
          if (i + SQLITE_ROWS_PER_TRANSACTION < rows.length) await new Promise((r) => setImmediate(r)); // let requests run between slices
        }
        return stored;
      }
      let stored = 0;
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
        const slice = rows.slice(i, i + ROWS_PER_STATEMENT);
        const skipped = await insertMany(knex, slice);
        stored += slice.length - skipped.length;
        if (!skipped.length) continue;
        // Ids already taken (or repeated within the slice): replays are done; other requests' rows get derived ids.
        const holders = await knex(LEDGER_TABLE).select('request_id', ...IDENTITY).whereIn('request_id', [...new Set(skipped.map((r) => r.request_id))]);
        const byId = new Map(holders.map((s: Identity & { request_id: string }) => [s.request_id, s]));
        const others = skipped.filter((r) => { const s = byId.get(r.request_id); return !s || !sameRequest(s, r); });
        if (others.length) stored += others.length - (await insertMany(knex, others.map((r) => ({ ...r, request_id: derivedId(r) })))).length;
      }
      return stored;
    },
  };
}

/** One multi-row INSERT on PostgreSQL; returns the rows it skipped because their id was taken. */
async function insertMany(knex: Knex, rows: readonly LedgerRow[]): Promise<LedgerRow[]> {
  const bindings: unknown[] = [];
  const values: unknown[] = new Array(COLUMNS.length);
  for (const row of rows) bindings.push(...rowValues(row, values));
  const result = await knex.raw(multiRow(rows.length) + ' returning request_id', bindings as Knex.RawBinding[]) as { rows: { request_id: string }[] };
  if (result.rows.length === rows.length) return [];
  // A statement cannot insert one id twice: of rows repeating an id within it, only the first can have been written.
  const written = new Set(result.rows.map((r) => r.request_id));
  const skipped: LedgerRow[] = [];
  for (const row of rows) {
    const id = fitValue(WIDTHS.request_id, row.request_id) as string;
    if (written.has(id)) written.delete(id);
    else skipped.push({ ...row, request_id: id });
  }
  return skipped;
}

/** Numbers come back as strings from PostgreSQL's bigint columns: make them numbers again. */
export function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : 0;
}
export function toNumberOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : toNumber(v);
}
