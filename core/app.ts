// The gateway: composes config, providers, host services and the plugin chain into a koa app.
// Core only composes; what happens to a request is decided by the plugins.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import Koa from 'koa';
import Router from '@koa/router';
import got from 'got';
import { Redis } from 'ioredis';
import type { Knex } from 'knex';
import { loadConfigFile, type LoadedConfig } from './config/load.js';
import { ConfigError } from './config/config-error.js';
import { toBytes } from './config/schema.js';
import { GatewayError, toGatewayError } from './errors.js';
import { createClientErrorHandler, createUpgradeRefusal } from './http/client-error.js';
import { createDataPlaneHandler } from './http/handler.js';
import { InFlight } from './http/in-flight.js';
import { familyFromPath, matchEndpoint } from './http/endpoints.js';
import { requestIdFor } from './http/ingress.js';
import { writeError } from './http/egress.js';
import { createRejectionRecorder } from './http/request-log.js';
import { createRequestMetrics } from './http/request-metrics.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { composeChain } from './plugin/compose.js';
import type { PluginInstance, SluiceContext, SluiceState } from './plugin/contract.js';
import type { ApiFamily } from './protocols/types.js';
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
  /** Answers what Node's HTTP parser refused, in an envelope (the server's 'clientError'). */
  onClientError(err: Error, socket: Duplex): void;
  /** Refuses a protocol upgrade with 426 (the server's 'upgrade'). */
  onUpgrade(req: IncomingMessage, socket: Duplex): void;
  /** Flags the gateway as draining: new data-plane requests get 503. */
  drain(): void;
  /**
   * Ends every data-plane request still open (shutdown deadline): streams get their protocol's
   * in-stream error, requests not yet answered a 503, all `SLUICE_E_SHUTTING_DOWN`. Resolves once
   * those have been flushed, or after `waitMs`; returns how many were cut.
   */
  cutInFlight(waitMs: number): Promise<number>;
  /** Closes plugins, providers and storage. */
  close(): Promise<void>;
}

export async function createGateway(loaded: LoadedConfig, opts: GatewayOptions = {}): Promise<Gateway> {
  const { config } = loaded;
  const logger = opts.logger ?? createLogger({ level: config.logging.level });
  const metrics = createMetrics();
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
      // What setup opened (a database a plugin asked for, provider pools) would keep `sluice start` alive.
      await Promise.allSettled([providers.close(), knex?.destroy()]);
      redis?.disconnect();
      throw new ConfigError(`plugin ${plugin.label} failed to start: ${(err as Error).message}`, loaded.locate(['chain', plugin.index]));
    }
  }
  const chain = composeChain(
    instances.filter((i) => i.instance.middleware).map((i) => ({ name: i.plugin.label, middleware: i.instance.middleware! })),
    opts.checkChain ?? process.env['NODE_ENV'] !== 'production',
  );

  const inFlight = new InFlight();
  const { server: serverConfig } = config;
  const requestMetrics = createRequestMetrics(metrics);
  const recordRejection = createRejectionRecorder(logger, requestMetrics);
  const handle = createDataPlaneHandler({
    inFlight,
    chain,
    bodyLimits: { maxBytes: toBytes(serverConfig.body_limit), timeoutMs: serverConfig.body_timeout_ms, maxDepth: serverConfig.max_json_depth },
    keepAliveMs: serverConfig.sse_keepalive_ms,
    logger,
    metrics: requestMetrics,
  });

  const app = new Koa<SluiceState>();
  const trust = serverConfig.trust_proxy;
  app.proxy = trust !== false;
  if (typeof trust === 'object' && 'hops' in trust) app.maxIpsCount = trust.hops;
  app.silent = true; // errors are rendered by us and logged structurally

  let draining = false;
  const adminToken = config.admin.key === undefined ? undefined : digest(`Bearer ${config.admin.key}`);
  const adminRoutes = admin.routes();

  /** Answers in the caller's envelope, logs and counts a request refused before the handler. */
  const reject = (ctx: SluiceContext, id: string, receivedAt: number, endpoint: string, family: ApiFamily, error: GatewayError) => {
    writeError(ctx, family, error);
    recordRejection({ id, endpoint, method: ctx.method, path: ctx.path, status: error.status, error, receivedAt });
  };

  const route = async (ctx: SluiceContext, id: string, receivedAt: number): Promise<void> => {
    const path = ctx.path;
    // Probes are answered without a log line or a metric: orchestrators poll them every few seconds.
    if (path === '/health') { ctx.body = { status: 'ok', version: SLUICE_VERSION }; return; }
    if (path === '/ready') { await ready(ctx, readiness); return; }
    if (path === '/metrics') { ctx.type = 'text/plain; version=0.0.4'; ctx.body = metrics.render(); return; }
    if (path === '/admin' || path.startsWith('/admin/')) {
      // Hashing first gives equal lengths for timingSafeEqual, so the comparison leaks neither the key nor its length.
      if (!adminToken || !timingSafeEqual(digest(ctx.get('authorization')), adminToken)) {
        reject(ctx, id, receivedAt, 'admin', 'openai', new GatewayError(adminToken ? 'SLUICE_E_UNAUTHORIZED' : 'SLUICE_E_FORBIDDEN', adminToken ? 'a valid admin key is required' : 'the admin API is disabled: set admin.key in the config'));
        return;
      }
      let error: GatewayError | undefined;
      await adminRoutes(ctx as never, async () => {
        error = new GatewayError('SLUICE_E_NOT_FOUND', `no admin route ${ctx.method} ${path.slice(0, 200)}`);
        writeError(ctx, 'openai', error);
      });
      recordRejection({ id, endpoint: 'admin', method: ctx.method, path, status: ctx.status, error, receivedAt });
      return;
    }
    const match = matchEndpoint({ method: ctx.method, path, headers: ctx.headers, query: ctx.query });
    if (!match) {
      reject(ctx, id, receivedAt, 'none', familyFromPath(path), new GatewayError('SLUICE_E_NOT_FOUND', `no endpoint ${ctx.method.slice(0, 20)} ${path.slice(0, 200)}`));
      return;
    }
    if ('methodNotAllowed' in match) {
      ctx.set('allow', match.methodNotAllowed);
      reject(ctx, id, receivedAt, 'none', familyFromPath(path), new GatewayError('SLUICE_E_METHOD_NOT_ALLOWED', `${path.slice(0, 200)} accepts ${match.methodNotAllowed}, not ${ctx.method.slice(0, 20)}`));
      return;
    }
    if (draining) {
      ctx.set('connection', 'close');
      reject(ctx, id, receivedAt, match.endpoint.id, match.endpoint.family, new GatewayError('SLUICE_E_SHUTTING_DOWN', 'the gateway is shutting down; retry on another instance'));
      return;
    }
    await handle(ctx, match.endpoint, id, receivedAt, match.pathModel);
  };

  app.use(async (ctx) => {
    const receivedAt = performance.now();
    const id = requestIdFor(ctx.get('x-request-id') || undefined);
    ctx.set('x-request-id', id);
    const c = ctx as unknown as SluiceContext;
    try {
      await route(c, id, receivedAt);
    } catch (err) {
      // Whatever throws outside the handler (a malformed %-escape, an admin route) is answered in
      // the caller's envelope with the request id, never koa's plain-text 500.
      const error = toGatewayError(err);
      if (error.code === 'SLUICE_E_INTERNAL') logger.error('internal error', { request_id: id, error: error.cause ?? error });
      if (ctx.headerSent) return;
      const admin = ctx.path === '/admin' || ctx.path.startsWith('/admin/');
      reject(c, id, receivedAt, admin ? 'admin' : 'none', admin ? 'openai' : familyFromPath(ctx.path), error);
    }
    // A body nobody read to its end (refused, or never needed) is not drained: the connection is
    // closed after the answer, so a stalled or endless upload cannot hold or wedge it.
    if (!ctx.req.complete) ctx.set('connection', 'close');
  });

  const onClientError = createClientErrorHandler(recordRejection);
  const onUpgrade = createUpgradeRefusal(recordRejection);

  return {
    app, config: loaded, plugins, logger, metrics, onClientError, onUpgrade,
    authenticates: instances.some((i) => i.instance.authenticates === true),
    drain: () => { draining = true; },
    cutInFlight: (waitMs) => inFlight.cutAll(new GatewayError('SLUICE_E_SHUTTING_DOWN', 'the gateway shut down before this response was complete; retry'), waitMs),
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

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
