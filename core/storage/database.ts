// The SQL database behind `storage.database`: SQLite (embedded default) or PostgreSQL, opened lazily.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';

export function openDatabase(url: string, baseDir: string): Knex {
  if (url.startsWith('sqlite:')) {
    const rel = url.slice('sqlite:'.length);
    const file = rel === ':memory:' ? rel : path.resolve(baseDir, rel);
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    return knexFactory({
      client: 'better-sqlite3',
      connection: { filename: file },
      useNullAsDefault: true,
      pool: {
        // WAL lets readers (reports) run while the ledger writes.
        afterCreate: (conn: { pragma(s: string): void }, done: (err: Error | null, conn: unknown) => void) => {
          conn.pragma('journal_mode = WAL');
          conn.pragma('busy_timeout = 5000');
          done(null, conn);
        },
      },
    });
  }
  return knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 10 } });
}
