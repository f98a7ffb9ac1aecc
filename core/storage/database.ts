// The SQL database behind `storage.database`: SQLite (embedded default) or PostgreSQL, opened lazily.
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { Logger } from '../observability/logger.js';
import { repeatFilter } from '../observability/repeat-filter.js';
import { connectionFailure } from './connection-error.js';
import { makeDirSync } from './make-dir.js';
import { sqliteFileOf } from './sqlite-file.js';

/**
 * knex logs this, with the error's stack, and then rejects the query that wanted the connection with
 * the same error: whoever made the query reports it (a command's one error line, the ledger's "write
 * failed"), so at warn it would only say everything twice.
 */
const ACQUIRE_ERROR = 'Acquire connection error: ';
/**
 * knex's hint after failing to take its migration lock. Sluice's migrations take and free that lock
 * inside their one transaction, so it is never left taken, and `knex` is not a command Sluice ships:
 * the failure itself is reported (storage-failure.ts), the hint not at all.
 */
const UNLOCK_HINT = 'If you are sure migrations are not running';

/**
 * knex's own messages ("Connection Error: …" while PostgreSQL restarts) go to our structured log,
 * not to the console, each distinct message at most once per interval (repeatFilter: an outage
 * repeats it on every pool acquire), without the stack frames knex appends (a log line is not a
 * bug report).
 */
export function knexLog(logger: Logger): Knex.Config['log'] {
  const fresh = repeatFilter();
  const once = (level: 'warn' | 'error' | 'debug') => (message: unknown) => {
    const text = String(message instanceof Error ? message.message : message).split(/\n\s+at /)[0]!.slice(0, 300);
    if (text.startsWith(UNLOCK_HINT) || !fresh(text)) return;
    logger[text.startsWith(ACQUIRE_ERROR) ? 'debug' : level]('database driver message', { source: 'knex', message: text });
  };
  return { warn: once('warn'), error: once('error'), deprecate: once('warn'), debug: once('debug') };
}

/** The part of knex's client that opens one connection for its pool (and nothing else). */
interface ConnectingClient {
  acquireRawConnection(): Promise<unknown>;
}

/**
 * Every connection knex's pool opens goes through acquireRawConnection: a failure there becomes a
 * StorageConnectionError naming `storage.database` and the (masked) URL, for whatever asked for the
 * connection — start-up, a CLI command, a plugin at run time. Errors on connections already open
 * (a query that fails, a server that goes away mid-query) are left as the driver gave them.
 */
function nameConnectionFailures(knex: Knex, url: string): Knex {
  const client = knex.client as ConnectingClient;
  const connect = client.acquireRawConnection.bind(client);
  client.acquireRawConnection = async () => {
    try {
      return await connect();
    } catch (err) {
      throw connectionFailure(err, 'storage.database', url);
    }
  };
  return knex;
}

/**
 * The database at `url` (`sqlite:PATH` relative to `baseDir`, or `postgres://…`); no connection is
 * made until the first query. Failing to connect, or to create a SQLite file's directory, is a
 * StorageConnectionError. `readOnly`: a SQLite file is opened read-only and left as it is (its
 * journal mode too: another application's file stays its own); it must exist.
 */
export function openDatabase(url: string, baseDir: string, logger?: Logger, opts: { readOnly?: boolean } = {}): Knex {
  const log = logger ? knexLog(logger) : undefined;
  const file = sqliteFileOf(url, baseDir);
  if (file !== undefined) {
    try {
      if (file !== ':memory:' && !opts.readOnly) makeDirSync(path.dirname(file));
    } catch (err) {
      throw connectionFailure(err, 'storage.database', url);
    }
    return nameConnectionFailures(knexFactory({
      client: 'better-sqlite3',
      log,
      connection: { filename: file, options: { readonly: opts.readOnly === true } },
      useNullAsDefault: true,
      pool: {
        // WAL lets readers (reports) run while the ledger writes.
        afterCreate: (conn: { pragma(s: string): void }, done: (err: Error | null, conn: unknown) => void) => {
          if (opts.readOnly) { conn.pragma('busy_timeout = 5000'); done(null, conn); return; }
          conn.pragma('journal_mode = WAL');
          // With WAL, NORMAL syncs at checkpoints rather than on every commit: a process crash
          // loses nothing committed, a power cut at most the last commits (never the file).
          conn.pragma('synchronous = NORMAL');
          conn.pragma('busy_timeout = 5000');
          done(null, conn);
        },
      },
    }), url);
  }
  return nameConnectionFailures(knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 10 }, log }), url);
}
