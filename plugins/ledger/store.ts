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
import { isSqlite } from '../../core/index.js';
import { COLUMNS, fitValue, rowValues, text, WIDTHS } from './columns.js';
import { LEDGER_TABLE, type LedgerRow } from './row.js';
import { SQLITE_RETRY_LOCK_WAIT_MS, sqliteWrite, type SqliteDatabase, type SqliteStatement } from './sqlite.js';
import { groupByShape, SHAPE_COLUMNS, ShapeCache, shapeRowSql } from './insert-shapes.js';

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

/** Prepared statements per SQLite connection (one row, SQLITE_ROWS_PER_STATEMENT rows, and those rows by shape), run in a transaction per slice. */
const sqliteInserts = new WeakMap<object, (rows: readonly LedgerRow[]) => number>();

/**
 * The insert of a slice of rows in one transaction; returns how many rows it stored. Rows of a shape
 * the slice holds at least a statement's worth of go through that shape's statements (insert-shapes.ts),
 * the rest through the statements that bind every column.
 */
function sqliteInsertFor(db: SqliteDatabase): (rows: readonly LedgerRow[]) => number {
  let insert = sqliteInserts.get(db);
  if (!insert) {
    const width = COLUMNS.length;
    const N = SQLITE_ROWS_PER_STATEMENT;
    const one = db.prepare(multiRow(1));
    const many = db.prepare(multiRow(N));
    const holder = db.prepare(`select ${IDENTITY.join(', ')} from ${LEDGER_TABLE} where request_id = ?`);
    const shapes = new ShapeCache((slots) => db.prepare(INSERT_HEAD + new Array(N).fill(shapeRowSql(slots)).join(', ') + ON_CONFLICT));
    /** The slice's fitted values, row after row (see the transaction below). */
    let fitted: unknown[] = NO_VALUES;
    const ids = new Set<unknown>();
    /** A row the insert skipped because its id was taken: a replay of it is done; another request's row gets a derived id. */
    const settle = (row: LedgerRow): number => {
      const stored = holder.get(text(row.request_id, 128)) as Identity | undefined;
      if (stored && sameRequest(stored, row)) return 0;
      const values = rowValues(row, new Array<unknown>(width));
      values[0] = derivedId(row);
      return one.run(...values).changes;
    };
    /** Runs `statement` on the `columns` (all if undefined) of the rows `at[from…from+count]`; settles its rows if some ids were taken. */
    const run = (statement: SqliteStatement, columns: readonly number[] | undefined, rows: readonly LedgerRow[], at: readonly number[], from: number, count: number): number => {
      const n = columns ? columns.length : width;
      // A new array a run, as for `fitted`: young, and garbage once the statement has run.
      const args = new Array<unknown>(n * count);
      for (let j = 0, k = 0; j < count; j++) {
        const base = at[from + j]! * width;
        if (columns) for (let b = 0; b < n; b++) args[k++] = fitted[base + columns[b]!];
        else for (let c = 0; c < n; c++) args[k++] = fitted[base + c];
      }
      // Values as arguments, not one array: better-sqlite3 reads an array's elements through V8's
      // slow element lookup, and arguments directly (~1 µs a 43-value row less, measured).
      const changes = statement.run(...args).changes;
      if (changes === count) return changes;
      // Some ids were taken (the rows just written find themselves, and are done).
      let stored = changes;
      for (let j = from; j < from + count; j++) stored += settle(rows[at[j]!]!);
      return stored;
    };
    insert = db.transaction((rows: readonly LedgerRow[]): number => {
      // A row repeating an earlier row's id waits until the end, so the earlier keeps the id (as when
      // rows were written in order) whichever shapes they have.
      const repeats: number[] = [];
      ids.clear();
      // A new array a slice, let go when it is written. One kept from slice to slice lived in the old
      // generation: each young value stored in it took the write barrier's slow path, and the last
      // slice's strings (ids, arrival keys, addresses) stayed referenced until the next cycle — past
      // the next scavenge, which promoted them (~90 B a JSON request, ~185 a stream; bench/results/ledger.md
      // round 35).
      fitted = new Array<unknown>(rows.length * width);
      let stored = 0;
      try {
        for (let i = 0; i < rows.length; i++) {
          rowValues(rows[i]!, fitted, i * width);
          const known = ids.size;
          if (ids.add(fitted[i * width]).size === known) repeats.push(i);
        }
        const { groups, rest } = groupByShape(SHAPE_COLUMNS, fitted, rows.length, width, repeats);
        for (const group of groups) {
          const full = group.rows.length - (group.rows.length % N);
          if (full > 0) {
            const shape = shapes.get(group.slots);
            for (let m = 0; m < full; m += N) stored += run(shape.statement, shape.bound, rows, group.rows, m, N);
          }
          for (let m = full; m < group.rows.length; m++) rest.push(group.rows[m]!);
        }
        rest.sort((a, b) => a - b).push(...repeats);
        let r = 0;
        for (; r + N <= rest.length; r += N) stored += run(many, undefined, rows, rest, r, N);
        for (; r < rest.length; r++) stored += run(one, undefined, rows, rest, r, 1);
      } finally {
        ids.clear(); // not holding the slice's ids until the next
        fitted = NO_VALUES;
      }
      return stored;
    });
    sqliteInserts.set(db, insert);
  }
  return insert;
}

const NO_VALUES: unknown[] = [];

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
