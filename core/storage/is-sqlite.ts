// Which database a knex handle is, without loading knex: SQLite (better-sqlite3) runs each
// statement in the calling thread, so a wait for its lock is a wait of the event loop.
import type { Knex } from 'knex';

export const isSqlite = (knex: Knex): boolean => (knex.client as { config: { client?: unknown } }).config.client === 'better-sqlite3';
