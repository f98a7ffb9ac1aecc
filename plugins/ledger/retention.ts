// Retention (`retention_days`; unset keeps every row): rows older than the retention are deleted in
// the background, oldest first, a batch at a time with a pause between batches — on SQLite a delete
// runs on the event loop, and a batch of 1,000 rows takes a few ms — a second after start, then
// every hour. A failed run (the database away, another connection's lock) is tried again at the
// next. Several instances on one database may all prune: deleting a deleted row deletes nothing.
import type { Knex } from 'knex';
import { isSqlite, type Logger } from '../../core/index.js';
import { LEDGER_TABLE } from './row.js';
import { settlesWithin } from './settles-within.js';
import { sqliteWrite, type SqliteDatabase, type SqliteStatement } from './sqlite.js';

const DAY_MS = 86_400_000;
export const PRUNE_BATCH_ROWS = 1000;
/** Between batches: requests (and the writer) run in between. */
const PAUSE_MS = 20;

/**
 * How long a run waits for PostgreSQL: for a row lock another session holds on an old row (a long
 * report in a transaction, a tool), and for the statement. Unbounded, a delete waiting on a lock
 * would hold its pool connection, and a shutdown, for as long as the lock is held; a run that
 * cannot have the rows now is tried again at the next. (SQLite's wait is sqliteWrite's 100 ms.)
 */
const PG_LOCK_WAIT = '1s';
const PG_STATEMENT_LIMIT = '30s';
/** What close() waits for a batch in progress: the database may have stopped answering at all. */
const CLOSE_WAIT_MS = 1000;

const SQLITE_DELETE = `delete from ${LEDGER_TABLE} where rowid in (select rowid from ${LEDGER_TABLE} where time_ms < ? order by time_ms limit ?)`;
const PG_DELETE = `delete from ${LEDGER_TABLE} where request_id in (select request_id from ${LEDGER_TABLE} where time_ms < ? order by time_ms limit ?)`;

/** The SQLite delete, prepared once per connection (a backlog is thousands of batches). */
const sqliteDeletes = new WeakMap<SqliteDatabase, SqliteStatement>();
const sqliteDeleteFor = (db: SqliteDatabase): SqliteStatement => {
  let statement = sqliteDeletes.get(db);
  if (!statement) sqliteDeletes.set(db, (statement = db.prepare(SQLITE_DELETE)));
  return statement;
};

/** Deletes up to `limit` of the oldest rows from before `before` (epoch ms); resolves with how many. */
export async function deleteRowsBefore(knex: Knex, before: number, limit: number): Promise<number> {
  if (isSqlite(knex)) return sqliteWrite(knex, (db) => sqliteDeleteFor(db).run(before, limit).changes);
  return knex.transaction(async (trx) => {
    // `set local`: for this transaction only, so the pooled connection keeps its own settings.
    await trx.raw(`set local lock_timeout = '${PG_LOCK_WAIT}'`);
    await trx.raw(`set local statement_timeout = '${PG_STATEMENT_LIMIT}'`);
    const result = await trx.raw(PG_DELETE, [before, limit]) as { rowCount: number | null };
    return result.rowCount ?? 0;
  });
}

export interface RetentionDeps {
  database(): Promise<Knex>;
  /** Read at each run: a reload may change it. */
  retentionDays(): number | undefined;
  pruned(rows: number): void;
  logger: Logger;
}

export class LedgerRetention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(private readonly deps: RetentionDeps, private readonly everyMs = 3_600_000, private readonly firstAfterMs = 1000) {}

  start(): void { this.schedule(this.firstAfterMs); }

  /** Stops the schedule; a run in progress stops after its batch, waited for at most CLOSE_WAIT_MS. */
  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.running) await settlesWithin(this.running, CLOSE_WAIT_MS);
  }

  /** Deletes every row older than the retention at `now`; resolves with how many. Never rejects. */
  run(now = Date.now()): Promise<number> {
    this.running ??= this.prune(now).finally(() => { this.running = undefined; });
    return this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => { void this.run().then(() => this.schedule(this.everyMs)); }, ms);
    this.timer.unref();
  }

  private async prune(now: number): Promise<number> {
    const days = this.deps.retentionDays();
    if (days === undefined) return 0;
    const before = now - days * DAY_MS;
    let total = 0;
    try {
      const knex = await this.deps.database();
      for (let n = PRUNE_BATCH_ROWS; n === PRUNE_BATCH_ROWS && !this.stopped;) {
        if (total) await new Promise((r) => setTimeout(r, PAUSE_MS));
        n = await deleteRowsBefore(knex, before, PRUNE_BATCH_ROWS);
        total += n;
        if (n) this.deps.pruned(n);
      }
      if (total) this.deps.logger.info('ledger rows past the retention deleted', { rows: total, before: new Date(before).toISOString() });
    } catch (err) {
      this.deps.logger.warn('ledger retention could not delete old rows; tried again at the next run', { rows_deleted: total, error: err });
    }
    return total;
  }
}
