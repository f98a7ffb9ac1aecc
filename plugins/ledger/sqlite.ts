// The ledger's direct use of a SQLite connection (better-sqlite3 beneath knex): its writes and its
// retention's deletes run prepared statements on the raw connection, and wait only briefly for
// another connection's lock.
import type { Knex } from 'knex';

/**
 * How long a ledger write waits for another connection's lock on the SQLite file (another instance
 * on the same file, `sluice migrate`, a tool holding a transaction). SQLite waits by sleeping in the
 * calling thread — here the gateway's event loop — so every request waits too. Shorter than the
 * running gateway's 250 ms (core's openServices; 5 s in CLI commands): a write that cannot have the
 * lock fails and is tried again later, its rows in the spill file until a later cycle gets it
 * (another writer's batch takes a few ms).
 */
const SQLITE_LOCK_WAIT_MS = 100;
/**
 * The wait of a write retried while writes fail: a lock held for seconds (a long transaction
 * elsewhere) would otherwise take SQLITE_LOCK_WAIT_MS of the event loop every cycle it lasts (a p99
 * of 152 ms against 56 measured under a 15 s lock). Short, not zero: another instance's batches on
 * the same file hold the lock for a few ms.
 */
export const SQLITE_RETRY_LOCK_WAIT_MS = 10;

export interface SqliteStatement {
  run(...values: unknown[]): { changes: number };
  get(...values: unknown[]): unknown;
  all(...values: unknown[]): unknown[];
  /** Rows as arrays of values in the select's order, not objects. */
  raw(on: boolean): SqliteStatement;
  /** Rows as their first column's value. */
  pluck(on: boolean): SqliteStatement;
}
export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
}
interface RawClient { acquireConnection(): Promise<unknown>; releaseConnection(conn: unknown): Promise<unknown> }

/**
 * Runs `read` on knex's SQLite connection, taken for this call only: in a running gateway the
 * connection is shared, and the writer's batches go between a report's pages.
 */
export async function sqliteRead<T>(knex: Knex, read: (db: SqliteDatabase) => T): Promise<T> {
  const client = knex.client as unknown as RawClient;
  const db = await client.acquireConnection() as SqliteDatabase;
  try {
    return read(db);
  } finally {
    await client.releaseConnection(db);
  }
}

/**
 * Runs `write` on knex's SQLite connection, with its lock wait at `lockWaitMs`. The connection
 * is shared (auth, the marketplace's outbox): its own wait is restored after.
 */
export function sqliteWrite<T>(knex: Knex, write: (db: SqliteDatabase) => T, lockWaitMs = SQLITE_LOCK_WAIT_MS): Promise<T> {
  return sqliteRead(knex, (db) => {
    const usualWait = Number(pragma(db, 'busy_timeout'));
    pragma(db, `busy_timeout = ${lockWaitMs}`);
    try {
      return write(db);
    } finally {
      pragma(db, `busy_timeout = ${usualWait}`);
    }
  });
}

/**
 * A pragma's value, its statement prepared once per connection and text: better-sqlite3's
 * `pragma()` parses and compiles its statement on every call, three a write (11 → 5 µs a write here).
 */
const pragmas = new WeakMap<SqliteDatabase, Map<string, SqliteStatement>>();
function pragma(db: SqliteDatabase, text: string): unknown {
  let byText = pragmas.get(db);
  if (!byText) pragmas.set(db, (byText = new Map()));
  let statement = byText.get(text);
  if (!statement) byText.set(text, (statement = db.prepare(`pragma ${text}`).pluck(true)));
  return statement.get();
}
