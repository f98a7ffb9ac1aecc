// The gateway: composes config, providers, host services and the plugin chain into a koa app.
// Core only composes; what happens to a request is decided by the plugins.
import Koa from 'koa';
import Router from '@koa/router';
import got from 'got';
import { Redis } from 'ioredis';
import type { Knex } from 'knex';
import { loadConfigFile, type LoadedConfig } from './config/load.js';
import { ConfigError } from './config/config-error.js';
import { toBytes } from './config/schema.js';
import { GatewayError } from './errors.js';
import { createDataPlaneHandler } from './http/handler.js';
import { familyFromPath, matchEndpoint } from './http/endpoints.js';
import { requestIdFor } from './http/ingress.js';
import { writeError } from './http/egress.js';
import { createRequestMetrics } from './http/request-metrics.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { composeChain } from './plugin/compose.js';
import type { PluginInstance, SluiceContext, SluiceState } from './plugin/contract.js';
import type { Host } from './plugin/host.js';
import { loadChain, type LoadedPlugin } from './plugin/loader.js';
import { createProviders } from './providers/registry.js';
import { openDatabase } from './storage/database.js';
import { SLUICE_VERSION } from './version.js';

export interface GatewayOptions {
  logger?: Logger;
  /** Use the checking chain composition (default: on unless NODE_ENV=production). */
  checkChain?: boolean;
}

export interface Gateway {
  app: Koa<SluiceState>;
  config: LoadedConfig;
  plugins: LoadedPlugin[];
  logger: Logger;
  metrics: Metrics;
  /** True when some plugin in the chain authenticates clients. */
  authenticates: boolean;
  /**
   * Re-reads the config file and swaps in new plugin options (routes, aliases, …) atomically, only
   * if the whole file validates and every plugin accepts its new options. Providers and the chain's
   * plugin list need a restart. Throws (ConfigError or Error) and changes nothing otherwise.
   */
  reload(): Promise<void>;
  /** Flags the gateway as draining: new data-plane requests get 503. */
  drain(): void;
  /** Closes plugins, providers and storage. */
  close(): Promise<void>;
}

export async function createGateway(loaded: LoadedConfig, opts: GatewayOptions = {}): Promise<Gateway> {
  const { config } = loaded;
  const logger = opts.logger ?? createLogger({ level: config.logging.level });
  const metrics = createMetrics({ onDroppedUpdate: (name, err) => logger.warn('metric update dropped', { metric: name, error: err.message }) });
  const plugins = await loadChain(loaded);
  let providers: ReturnType<typeof createProviders>;
  try {
    providers = createProviders(config.providers);
  } catch (err) {
    throw new ConfigError((err as Error).message, loaded.locate(['providers']));
  }

  let database: Promise<Knex> | undefined;
  let knex: Knex | undefined;
  let redis: Redis | undefined;
  const readiness = new Map<string, () => Promise<void>>();
  const admin = new Router<SluiceState>({ prefix: '/admin' });
  const openedDatabase = () => (database ??= Promise.resolve().then(() => (knex = openDatabase(config.storage.database, loaded.dir))));
  const openedRedis = () => {
    if (!config.storage.redis) return undefined;
    redis ??= new Redis(config.storage.redis, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
    return redis;
  };
  if (config.storage.redis) readiness.set('redis', async () => { await openedRedis()!.ping(); });
  readiness.set('database', async () => { await (await openedDatabase()).raw('select 1'); });

  const hostFor = (plugin: LoadedPlugin): Host => ({
    version: SLUICE_VERSION,
    configDir: loaded.dir,
    logger: logger.child({ plugin: plugin.label }),
    metrics,
    providers,
    database: openedDatabase,
    redis: openedRedis,
    http: got,
    addAdminRoute: (method, path, handler) => { admin.register(path, [method], handler); },
    addReadinessCheck: (name, check) => { readiness.set(`${plugin.label}:${name}`, check); },
  });

  const instances: { plugin: LoadedPlugin; instance: PluginInstance }[] = [];
  for (const plugin of plugins) {
    try {
      instances.push({ plugin, instance: await plugin.definition.setup!(plugin.options, hostFor(plugin)) });
    } catch (err) {
      await Promise.allSettled(instances.map((i) => i.instance.close?.()));
      throw new ConfigError(`plugin ${plugin.label} failed to start: ${(err as Error).message}`, loaded.locate(['chain', plugin.index]));
    }
  }
  const chain = composeChain(
    instances.filter((i) => i.instance.middleware).map((i) => ({ name: i.plugin.label, middleware: i.instance.middleware! })),
    opts.checkChain ?? process.env['NODE_ENV'] !== 'production',
  );

  const handle = createDataPlaneHandler({
    chain,
    bodyLimit: toBytes(config.server.body_limit),
    keepAliveMs: config.server.sse_keepalive_ms,
    logger,
    metrics: createRequestMetrics(metrics),
  });

  const app = new Koa<SluiceState>();
  const trust = config.server.trust_proxy;
  app.proxy = trust !== false;
  if (typeof trust === 'object') app.maxIpsCount = trust.hops;
  app.silent = true; // errors are rendered by us and logged structurally

  let draining = false;
  const adminKey = config.admin.key;
  const adminRoutes = admin.routes();

  app.use(async (ctx) => {
    const receivedAt = performance.now();
    const id = requestIdFor(ctx.get('x-request-id') || undefined);
    ctx.set('x-request-id', id);
    const path = ctx.path;
    const c = ctx as unknown as SluiceContext;
    if (path === '/health') { ctx.body = { status: 'ok', version: SLUICE_VERSION }; return; }
    if (path === '/ready') { await ready(ctx, readiness); return; }
    if (path === '/metrics') { ctx.type = metrics.contentType; ctx.body = await metrics.render(); return; }
    if (path === '/admin' || path.startsWith('/admin/')) {
      if (!adminKey || ctx.get('authorization') !== `Bearer ${adminKey}`) {
        writeError(c, 'openai', new GatewayError(adminKey ? 'SLUICE_E_UNAUTHORIZED' : 'SLUICE_E_FORBIDDEN', adminKey ? 'a valid admin key is required' : 'the admin API is disabled: set admin.key in the config'));
        return;
      }
      await adminRoutes(ctx as never, async () => {
        writeError(c, 'openai', new GatewayError('SLUICE_E_NOT_FOUND', `no admin route ${ctx.method} ${path}`));
      });
      return;
    }
    const match = matchEndpoint({ method: ctx.method, path, headers: ctx.headers, query: ctx.query });
    if (!match) {
      writeError(c, familyFromPath(path), new GatewayError('SLUICE_E_NOT_FOUND', `no endpoint ${ctx.method} ${path}`));
      return;
    }
    if ('methodNotAllowed' in match) {
      ctx.set('allow', match.methodNotAllowed);
      writeError(c, familyFromPath(path), new GatewayError('SLUICE_E_METHOD_NOT_ALLOWED', `${path} accepts ${match.methodNotAllowed}, not ${ctx.method}`));
      return;
    }
    if (draining) {
      ctx.set('connection', 'close');
      writeError(c, match.endpoint.family, new GatewayError('SLUICE_E_SHUTTING_DOWN', 'the gateway is shutting down; retry on another instance'));
      return;
    }
    await handle(c, match.endpoint, id, receivedAt, match.pathModel);
  });

  return {
    app, config: loaded, plugins, logger, metrics,
    authenticates: instances.some((i) => i.instance.authenticates === true),
    drain: () => { draining = true; },
    reload: () => reloadPlugins(loaded, instances, logger),
    close: async () => {
      for (const { plugin, instance } of [...instances].reverse()) {
        try { await instance.close?.(); } catch (err) { logger.error('plugin close failed', { plugin: plugin.label, error: err }); }
      }
      await providers.close();
      if (knex) await knex.destroy();
      if (redis) redis.disconnect();
    },
  };
}

async function reloadPlugins(current: LoadedConfig, instances: { plugin: LoadedPlugin; instance: PluginInstance }[], logger: Logger): Promise<void> {
  const next = await loadConfigFile(current.file);
  const plugins = await loadChain(next);
  const shape = (ps: LoadedPlugin[]) => ps.map((p) => `${p.label}=${p.use}`).join(',');
  if (shape(plugins) !== shape(instances.map((i) => i.plugin))) {
    throw new ConfigError('the chain\'s plugin list changed; restart Sluice to apply it', next.locate(['chain']));
  }
  if (JSON.stringify(next.config.providers) !== JSON.stringify(current.config.providers)) {
    throw new ConfigError('providers changed; restart Sluice to apply them', next.locate(['providers']));
  }
  const swaps: (() => void)[] = [];
  for (const [i, { plugin, instance }] of instances.entries()) {
    const options = plugins[i]!.options;
    if (JSON.stringify(options) === JSON.stringify(plugin.options)) continue;
    if (!instance.reload) throw new ConfigError(`plugin ${plugin.label} cannot reload its options; restart Sluice to apply them`, next.locate(['chain', i, 'with']));
    try {
      swaps.push(await instance.reload(options));
    } catch (err) {
      throw new ConfigError(`plugin ${plugin.label} rejected its new options: ${(err as Error).message}`, next.locate(['chain', i, 'with']));
    }
  }
  for (const swap of swaps) swap();
  instances.forEach((entry, i) => { entry.plugin = { ...entry.plugin, options: plugins[i]!.options }; });
  logger.info('config reloaded', { file: next.file, plugins_changed: swaps.length });
}

async function ready(ctx: Koa.Context, checks: Map<string, () => Promise<void>>): Promise<void> {
  const results: Record<string, string> = {};
  let ok = true;
  await Promise.all([...checks].map(async ([name, check]) => {
    try {
      await Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref())]);
      results[name] = 'ok';
    } catch (err) {
      ok = false;
      // Only the error class: connection strings and hosts stay out of public output.
      results[name] = `failed: ${(err as { code?: string }).code ?? (err as Error).name ?? 'error'}`;
    }
  }));
  ctx.status = ok ? 200 : 503;
  ctx.body = { status: ok ? 'ready' : 'not ready', checks: results };
}
