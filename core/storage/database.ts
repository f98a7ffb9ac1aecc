// The SQL database behind `storage.database`: SQLite (embedded default) or PostgreSQL, opened lazily.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { Logger } from '../observability/logger.js';

/** How often one knex message may be logged: a database outage repeats it on every pool acquire. */
const REPEAT_MS = 10_000;

/**
 * knex's own messages ("Connection Error: …" while PostgreSQL restarts) go to our structured log,
 * not to the console, and each distinct message at most once per REPEAT_MS.
 */
export function knexLog(logger: Logger): Knex.Config['log'] {
  const lastSeen = new Map<string, number>();
  const once = (level: 'warn' | 'error' | 'debug') => (message: unknown) => {
    const text = String(message instanceof Error ? message.message : message).slice(0, 300);
    const now = Date.now();
    if (now - (lastSeen.get(text) ?? -Infinity) < REPEAT_MS) return;
    if (lastSeen.size > 100) lastSeen.clear();
    lastSeen.set(text, now);
    logger[level]('database driver message', { source: 'knex', message: text });
  };
  return { warn: once('warn'), error: once('error'), deprecate: once('warn'), debug: once('debug') };
}

export function openDatabase(url: string, baseDir: string, logger?: Logger): Knex {
  const log = logger ? knexLog(logger) : undefined;
  if (url.startsWith('sqlite:')) {
    const rel = url.slice('sqlite:'.length);
    const file = rel === ':memory:' ? rel : path.resolve(baseDir, rel);
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    return knexFactory({
      client: 'better-sqlite3',
      log,
      connection: { filename: file },
      useNullAsDefault: true,
      pool: {
        // WAL lets readers (reports) run while the ledger writes.
        afterCreate: (conn: { pragma(s: string): void }, done: (err: Error | null, conn: unknown) => void) => {
          conn.pragma('journal_mode = WAL');
          // With WAL, NORMAL syncs at checkpoints rather than on every commit: a process crash
          // loses nothing committed, a power cut at most the last commits (never the file).
          conn.pragma('synchronous = NORMAL');
          conn.pragma('busy_timeout = 5000');
          done(null, conn);
        },
      },
    });
  }
  return knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 10 }, log });
}
