// `sluice config validate`: every check start-up makes — YAML, ${ENV}, options, plugin versions,
// chain order, providers, and each plugin's setup (which catches cross-references such as a route
// to a provider that does not exist) — without the HTTP server.
//
// It mirrors the setup phase of createGateway (core/app.ts) with a host whose services load on first
// use, so a config whose plugins need no database, Redis, HTTP client or admin route validates without
// loading koa, knex, ioredis or got. When core splits plugin setup from a start hook, both should
// share one setup function and this copy goes away.
import { createRequire } from 'node:module';
import type { Got } from 'got';
import type { Knex } from 'knex';
import type { Redis } from 'ioredis';
import { ConfigError } from '../config/config-error.js';
import type { LoadedConfig } from '../config/load.js';
import { createLogger } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import type { PluginInstance } from '../plugin/contract.js';
import type { Host } from '../plugin/host.js';
import { loadChain, type LoadedPlugin } from '../plugin/loader.js';
import { createProviders } from '../providers/registry.js';
import { SLUICE_VERSION } from '../version.js';

const require = createRequire(import.meta.url);

export interface Validated {
  plugins: LoadedPlugin[];
  providers: string[];
}

export async function validateConfig(loaded: LoadedConfig): Promise<Validated> {
  const { config } = loaded;
  const plugins = await loadChain(loaded);
  let providers: ReturnType<typeof createProviders>;
  try {
    providers = createProviders(config.providers);
  } catch (err) {
    throw new ConfigError((err as Error).message, loaded.locate(['providers']));
  }

  const logger = createLogger({ level: 'silent' });
  const metrics = createMetrics();
  let knex: Knex | undefined;
  let database: Promise<Knex> | undefined;
  let redis: Redis | undefined;
  let got: Got | undefined;
  let adminRouter: { register(path: string, methods: string[], handler: unknown): unknown } | undefined;
  const hostFor = (plugin: LoadedPlugin): Host => ({
    version: SLUICE_VERSION,
    configDir: loaded.dir,
    logger: logger.child({ plugin: plugin.label }),
    metrics,
    providers,
    database: () => (database ??= import('../storage/database.js').then(({ openDatabase }) => (knex = openDatabase(config.storage.database, loaded.dir)))),
    redis: () => {
      if (!config.storage.redis) return undefined;
      const { Redis: RedisClient } = require('ioredis') as typeof import('ioredis');
      redis ??= new RedisClient(config.storage.redis, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
      return redis;
    },
    get http(): Got {
      return (got ??= (require('got') as typeof import('got')).default);
    },
    // Registered on a throw-away router so a path it cannot parse fails here as it would at start.
    addAdminRoute: (method, path, handler) => {
      const { Router } = require('@koa/router') as typeof import('@koa/router');
      adminRouter ??= new Router({ prefix: '/admin' });
      adminRouter.register(path, [method], handler);
    },
    addReadinessCheck: () => { /* nothing is served */ },
  });

  const instances: PluginInstance[] = [];
  try {
    for (const plugin of plugins) {
      try {
        instances.push(await plugin.definition.setup!(plugin.options, hostFor(plugin)));
      } catch (err) {
        throw new ConfigError(`plugin ${plugin.label} failed to start: ${(err as Error).message}`, loaded.locate(['chain', plugin.index]));
      }
    }
  } finally {
    for (const instance of instances.reverse()) await Promise.resolve(instance.close?.()).catch(() => { /* validation only */ });
    await providers.close();
    if (knex) await knex.destroy();
    if (redis) redis.disconnect();
  }
  return { plugins, providers: providers.names() };
}
