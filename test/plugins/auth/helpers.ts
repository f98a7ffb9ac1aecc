// Test databases for the identity tables: a fresh SQLite file per call, and — when SLUICE_TEST_PG
// is set — a fresh PostgreSQL schema per call (dropped on close), so tests never share rows.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { Redis } from 'ioredis';
import { openDatabase } from '../../../core/storage/database.js';
import { migrateLatest } from '../../../core/storage/migrations.js';
import { createLogger, type Logger } from '../../../core/observability/logger.js';
import { PassThrough } from 'node:stream';
import type { AdminHandler, AdminMethod, AdminResponse, AdminRouteDoc, CommandHost, Host } from '../../../core/plugin/host.js';
import { createAdminRoutes } from '../../../core/http/admin-routes.js';
import { mountOpenApi } from '../../../core/http/admin-openapi.js';
import { parseOptions } from '../../../core/schema/schema.js';
import { registerAdminApi } from '../../../plugins/auth/admin-api.js';
import type { IdentityService } from '../../../plugins/auth/identity-service.js';
import plugin from '../../../plugins/auth/index.js';
import { authOptions, type AuthOptions } from '../../../plugins/auth/options.js';
import { migrations } from '../../../plugins/auth/migrations.js';

export const PG_URL = process.env['SLUICE_TEST_PG'];
export const REDIS_URL = process.env['SLUICE_TEST_REDIS'];

export interface TestDb {
  kind: 'sqlite' | 'postgres';
  /** The `storage.database` URL of this database (another process can open it). */
  url: string;
  /** The directory the URL is relative to. */
  dir: string;
  /** The SQLite file, when there is one. */
  file: string | undefined;
  knex: Knex;
  /** Another connection pool on the same database (a second instance). */
  open(): Knex;
  close(): Promise<void>;
}

let counter = 0;

export async function sqliteDb(): Promise<TestDb> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-auth-'));
  const url = 'sqlite:./identity.db';
  const knex = openDatabase(url, dir);
  await migrateLatest(knex, [{ plugin: 'auth', migrations }]);
  const extra: Knex[] = [];
  return {
    kind: 'sqlite', url, dir, file: path.join(dir, 'identity.db'), knex,
    open: () => { const k = openDatabase(url, dir); extra.push(k); return k; },
    close: async () => { await Promise.all([knex, ...extra].map((k) => k.destroy())); rmSync(dir, { recursive: true, force: true }); },
  };
}

/** A PostgreSQL database URL whose search_path is a fresh schema. */
export async function pgSchema(): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `auth_test_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = openDatabase(PG_URL!, process.cwd());
  await admin.raw(`create schema "${schema}"`);
  await admin.destroy();
  const url = `${PG_URL}${PG_URL!.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    url,
    drop: async () => {
      const k = openDatabase(PG_URL!, process.cwd());
      try { await k.raw(`drop schema if exists "${schema}" cascade`); } finally { await k.destroy(); }
    },
  };
}

export async function postgresDb(): Promise<TestDb> {
  const { url, drop } = await pgSchema();
  const knex = openDatabase(url, process.cwd());
  await migrateLatest(knex, [{ plugin: 'auth', migrations }]);
  const extra: Knex[] = [];
  return {
    kind: 'postgres', url, dir: process.cwd(), file: undefined, knex,
    open: () => { const k = openDatabase(url, process.cwd()); extra.push(k); return k; },
    close: async () => { await Promise.all([knex, ...extra].map((k) => k.destroy())); await drop(); },
  };
}

/** Each available database: SQLite always, PostgreSQL when SLUICE_TEST_PG is set. */
export const databases: { name: string; create: () => Promise<TestDb> }[] = [
  { name: 'SQLite', create: sqliteDb },
  ...(PG_URL ? [{ name: 'PostgreSQL', create: postgresDb }] : []),
];

export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ level: 'debug', write: (l) => { lines.push(l); } }), lines };
}

/** A CommandHost over a test database (what the CLI gets from core). */
export function commandHost(knex: Knex, opts: { redis?: Redis; logger?: Logger } = {}): CommandHost {
  return {
    version: '0.1.0',
    configDir: process.cwd(),
    // What the commands read of the config: a chain with auth in it (mode api_key, the default).
    config: { chain: [{ use: 'auth' }] } as unknown as CommandHost['config'],
    logger: opts.logger ?? createLogger({ level: 'silent' }),
    database: async () => knex,
    redis: () => opts.redis,
    pricing: {} as CommandHost['pricing'],
  };
}

export function redisClient(): Redis {
  return new Redis(REDIS_URL!, { maxRetriesPerRequest: 2 });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true or `ms` pass; resolves to the elapsed time or throws. */
export async function within(ms: number, check: () => boolean | Promise<boolean>): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await sleep(10);
  }
}

/** Runs `sluice user|team|key …` as the plugin command, with its stdout and stderr. */
export async function runCommand(host: CommandHost, command: 'user' | 'team' | 'key', args: string[], opts: AuthOptions = parseOptions(authOptions, {})): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.setEncoding('utf8').on('data', (c: string) => { out += c; });
  stderr.setEncoding('utf8').on('data', (c: string) => { err += c; });
  const code = await plugin.commands![command]!.run(args, opts, { stdin: new PassThrough(), stdout, stderr }, host);
  return { code, out, err };
}

export type AdminCall = (method: AdminMethod, path: string, body?: unknown, query?: Record<string, string>) => Promise<AdminResponse>;

/** The admin API's routes over `service` (and core's OpenAPI document of them), called without HTTP. */
export function mountAdminApi(service: IdentityService): AdminCall {
  const admin = createAdminRoutes();
  mountOpenApi(admin, '0.1.0');
  const host = { addAdminRoute: (method: AdminMethod, path: string, handler: AdminHandler, doc?: AdminRouteDoc) => admin.add(method, path, handler, doc, 'auth') } as unknown as Host;
  registerAdminApi(host, service);
  return (method, path, body, query = {}) => admin.handle(method, `/admin${path}`, query, body, new AbortController().signal);
}
