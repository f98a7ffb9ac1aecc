// Storage and settings shared by the gateway and by CLI commands (`sluice key create`, `sluice
// migrate`…), opened on first use. Light to import: the CLI loads this without the gateway, and the
// database and Redis clients load only when a command asks for them.
import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type { LoadedConfig } from '../config/load.js';
import type { Logger } from '../observability/logger.js';
import { DEFAULT_PRICES } from '../pricing/default-prices.js';
import { createPriceTable, type PriceTable, type TokenPrices } from '../pricing/price-table.js';
import { repeatFilter } from '../observability/repeat-filter.js';
import { maskUrl } from '../storage/connection-error.js';
import { isSqlite } from '../storage/is-sqlite.js';
import type { PluginMigrations } from '../storage/migrations.js';
import { SLUICE_VERSION } from '../version.js';
import type { CommandHost } from './host.js';
import type { LoadedPlugin } from './loader.js';

const require = createRequire(import.meta.url);

/** How long closing waits for the database's connections to end. */
const DATABASE_CLOSE_MS = 5000;

export interface ServicesOptions {
  /**
   * Once the migrations are applied, how long a SQLite statement waits for another connection's
   * lock (else the connection's 5 s, which migrations and CLI commands keep). SQLite waits by
   * sleeping in the calling thread: in a gateway that is the event loop, every request waiting too.
   * Set on the pool's one SQLite connection; were the pool to open another, it would wait 5 s again.
   */
  sqliteLockWaitMs?: number;
  /**
   * The database as it is, for a command that only reads: no migration applied (pointed at the wrong
   * database it must not create tables there, and a read-only role cannot migrate), a SQLite file
   * opened read-only (its journal mode left as it is).
   */
  readOnly?: boolean;
}

export interface Services {
  /** The database, with every plugin's migrations applied before anyone gets the handle (unless ServicesOptions.readOnly). */
  database(): Promise<Knex>;
  redis(): Redis | undefined;
  pricing: PriceTable;
  /** Replaces the operator's prices (`pricing:`, at a reload); the shipped list stays under them. */
  setOperatorPrices(pricing: Record<string, TokenPrices>): void;
  close(): Promise<void>;
}

export function openServices(loaded: LoadedConfig, migrations: () => PluginMigrations[], logger?: Logger, opts: ServicesOptions = {}): Services {
  const { config } = loaded;
  let database: Promise<Knex> | undefined;
  let knex: Knex | undefined;
  let redis: Redis | undefined;
  // The operator's prices first, then the shipped list (core/pricing/default-prices.ts). Plugins
  // hold `pricing` for their life, so a reload swaps the table behind it rather than the object.
  let prices = createPriceTable(config.pricing, DEFAULT_PRICES);
  const pricing: PriceTable = {
    pricesFor: (model) => prices.pricesFor(model),
    match: (model) => prices.match(model),
    cost: (usage, model, own) => prices.cost(usage, model, own),
  };
  return {
    database: () => (database ??= (async () => {
      const [{ openDatabase }, { migrateLatest }] = await Promise.all([import('../storage/database.js'), import('../storage/migrations.js')]);
      knex = openDatabase(config.storage.database, loaded.dir, logger, { readOnly: opts.readOnly });
      try {
        if (!opts.readOnly) await migrateLatest(knex, migrations());
        if (opts.sqliteLockWaitMs !== undefined && isSqlite(knex)) await knex.raw(`pragma busy_timeout = ${Math.round(opts.sqliteLockWaitMs)}`);
      } catch (err) {
        database = undefined; // a database that was down may be back on the next call
        throw err;
      }
      return knex;
    })()),
    redis: () => {
      if (!config.storage.redis) return undefined;
      // ioredis is CommonJS: loaded synchronously on first use, so commands that never touch Redis never pay for it.
      const { Redis: RedisClient } = require('ioredis') as typeof import('ioredis');
      if (!redis) {
        redis = new RedisClient(config.storage.redis, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
        // Without an 'error' listener ioredis prints every failed (re)connect, stack and all, on
        // stderr. The callers' commands fail (or, for limits, fail open) and say so themselves; the
        // log gets one line per distinct error and interval, with the URL's password masked.
        const url = maskUrl(config.storage.redis);
        const fresh = repeatFilter();
        redis.on('error', (err: Error & { code?: string }) => {
          const text = err.code ?? err.message.split('\n')[0]!;
          if (fresh(text)) logger?.warn('redis unreachable', { url, error: text });
        });
      }
      return redis;
    },
    pricing,
    setOperatorPrices: (next) => { prices = createPriceTable(next, DEFAULT_PRICES); },
    async close() {
      if (redis) redis.disconnect();
      if (!knex) return;
      // A database that stopped answering (packets dropped, not refused) holds a pooled connection
      // in a query that never returns, and knex's destroy waits for it: shutdown would never end.
      // What it still owed is the plugins' to keep (the ledger spills on its write timeout).
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = await Promise.race([
        knex.destroy().then(() => false),
        new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), DATABASE_CLOSE_MS); timer.unref(); }),
      ]);
      clearTimeout(timer);
      if (gaveUp) logger?.warn('database connections did not close; leaving them', { url: maskUrl(config.storage.database), waited_ms: DATABASE_CLOSE_MS });
    },
  };
}

/** Each plugin's migrations once, in chain order. */
export function migrationsOf(plugins: readonly (Pick<LoadedPlugin, 'definition'> & Partial<Pick<LoadedPlugin, 'index'>>)[]): PluginMigrations[] {
  const seen = new Set<string>();
  const out: PluginMigrations[] = [];
  for (const { definition, index } of plugins) {
    if (!definition.migrations?.length || seen.has(definition.name)) continue;
    seen.add(definition.name);
    out.push({ plugin: definition.name, migrations: definition.migrations, ...(index !== undefined ? { chainIndex: index } : {}) });
  }
  return out;
}

export function commandHost(loaded: LoadedConfig, services: Services, logger: Logger): CommandHost {
  return {
    version: SLUICE_VERSION, configDir: loaded.dir, config: loaded.config, logger,
    database: services.database, redis: services.redis, pricing: services.pricing,
  };
}

