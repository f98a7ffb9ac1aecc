// Shared by the marketplace's tests: an outbox database (a SQLite file, or a PostgreSQL schema of
// its own when SLUICE_TEST_PG is set) with the marketplace's migrations, and a quiet logger.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { createLogger, type Logger } from '../../../core/observability/logger.js';
import { openDatabase } from '../../../core/storage/database.js';
import { migrateLatest } from '../../../core/storage/migrations.js';
import { ledgerMigrations } from '../../../plugins/ledger/migrations.js';
import { marketplaceMigrations } from '../../../plugins/marketplace/migrations.js';

export const PG = process.env['SLUICE_TEST_PG'];

export interface OutboxDb { name: string; url: string; knex: Knex; close(): Promise<void> }

/** A PostgreSQL URL whose search_path is a fresh schema (dropped by `drop`). */
export async function pgSchema(base: string): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `market_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = openDatabase(base, process.cwd());
  await admin.raw(`create schema "${schema}"`);
  await admin.destroy();
  return {
    url: `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    async drop() {
      const k = openDatabase(base, process.cwd());
      try { await k.raw(`drop schema if exists "${schema}" cascade`); } finally { await k.destroy(); }
    },
  };
}

async function migrated(url: string, dir: string): Promise<Knex> {
  const knex = openDatabase(url, dir);
  await migrateLatest(knex, [{ plugin: 'ledger', migrations: ledgerMigrations }, { plugin: 'marketplace', migrations: marketplaceMigrations }]);
  return knex;
}

export const databases: { name: string; create(): Promise<OutboxDb> }[] = [
  {
    name: 'SQLite',
    async create() {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-market-'));
      const url = `sqlite:${path.join(dir, 'm.db')}`;
      const knex = await migrated(url, dir);
      return { name: 'SQLite', url, knex, close: async () => { await knex.destroy(); rmSync(dir, { recursive: true, force: true }); } };
    },
  },
  ...(PG ? [{
    name: 'PostgreSQL',
    async create(): Promise<OutboxDb> {
      const s = await pgSchema(PG);
      const knex = await migrated(s.url, process.cwd());
      return { name: 'PostgreSQL', url: s.url, knex, close: async () => { await knex.destroy(); await s.drop(); } };
    },
  }] : []),
];

export function quietLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ level: 'debug', write: (l) => { lines.push(l); } }), lines };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(check: () => boolean | Promise<boolean>, ms: number, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** `buy.offer_hosts` for offers pointing at a mock upstream on this machine (plain http, loopback). */
export const LOCAL_OFFERS = { allow_http: true, allow: ['127.0.0.1'] };
