// The gateway: composes config, providers, host services and the plugin chain behind one request
// handler. Core only composes; what happens to a request is decided by the plugins.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import got from 'got';
import { loadConfigFile, type LoadedConfig } from './config/load.js';
import { ConfigError } from './config/config-error.js';
import { pluginConfigError, pluginStartError } from './plugin/option-error.js';
import { toBytes } from './config/byte-size.js';
import type { EndpointGroup, SluiceConfig } from './config/schema.js';
import { GatewayError } from './errors.js';
import { createAdminRoutes } from './http/admin-routes.js';
import { mountOpenApi } from './http/admin-openapi.js';
import { SLUICE_VERSION } from './version.js';
import { createClientAddressResolver } from './http/client-address.js';
import { trustProxyOf } from './config/trust-proxy.js';
import { createClientErrorHandler, createUpgradeRefusal } from './http/client-error.js';
import { createFrontDoor } from './http/front-door.js';
import { isLoopbackHost, LocalNames } from './http/loopback-host.js';
import { createResponsesSockets } from './http/responses-socket.js';
import { createDataPlaneHandler } from './http/handler.js';
import { InFlight } from './http/in-flight.js';
import { readinessCheck, type ReadinessCheck } from './http/readiness.js';
import { LastRequests } from './http/last-request.js';
import { createRequestRecorder, rejectionRecorder } from './http/request-log.js';
import { createRequestMetrics } from './http/request-metrics.js';
import { createLogger, logLevelAdjustable, setLogLevel, type Logger } from './observability/logger.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { createCooldownReport } from './observability/cooldown-report.js';
import { createGatewayEvents } from './events/event-bus.js';
import { composeChain } from './plugin/compose.js';
import { settlesOrStalls } from './plugin/settles-or-stalls.js';
import { checkedInstance, type PluginInstance, type ReloadContext } from './plugin/contract.js';
import type { Host } from './plugin/host.js';
import { commandHost, migrationsOf, openServices, type Services } from './plugin/services.js';
import { registerPluginsAndProviders } from './plugin/register-chain.js';
import { loadChain, type LoadedPlugin } from './plugin/loader.js';
import type { OwnedProviderRegistry, StagedProviders } from './providers/registry.js';

export interface GatewayOptions {
  logger?: Logger;
  /** Use the checking chain composition (default: on unless NODE_ENV=production). */
  checkChain?: boolean;
}

export interface Gateway {
  /** The node:http request listener. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /**
   * A request listener serving only these endpoint groups (multi-port mode; probes on all), bound
   * on `host`: one bound beyond loopback without authentication (admin, metrics) is reached by its
   * address, and answers any `Host`.
   */
  handlerFor(serve: readonly EndpointGroup[], host?: string): (req: IncomingMessage, res: ServerResponse) => void;
  config: LoadedConfig;
  plugins: LoadedPlugin[];
  providers: OwnedProviderRegistry;
  logger: Logger;
  metrics: Metrics;
  /** True when some plugin in the chain authenticates clients. */
  authenticates: boolean;
  /** Runs migrations, then every plugin's `start` (background work). Call once, before serving. */
  start(): Promise<void>;
  /**
   * Re-reads the config file and swaps in new providers and plugin options (routes, aliases, …)
   * atomically, only if the whole file validates and every plugin accepts its new options. The
   * chain's plugin list needs a restart. Throws (ConfigError or Error) and changes nothing otherwise.
   */
  reload(): Promise<void>;
  /** Answers what Node's HTTP parser refused, in an envelope (the server's 'clientError'). */
  onClientError(err: Error, socket: Duplex): void;
  /**
   * The server's 'upgrade': a WebSocket on the Responses endpoint is taken (responses-socket.ts),
   * every other upgrade refused with 426.
   */
  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** The same for a listener serving only these endpoint groups (the Responses socket needs `openai`). */
  upgradeFor(serve: readonly EndpointGroup[]): (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /**
   * The first step of a shutdown: requests are still served, but every response (of those in
   * flight and of those still to come on open connections) is its connection's last.
   */
  closeConnections(): void;
  /** Flags the gateway as draining: new data-plane requests get 503, and those in flight close their connections when done. */
  drain(): void;
  /** A connection still waits for the one request it may carry after its stream (last-request.ts): not to be closed as idle yet. */
  awaitingLastRequests(): boolean;
  /**
   * Ends every data-plane request still open (shutdown deadline): streams get their protocol's
   * in-stream error, requests not yet answered a 503, all `SLUICE_E_SHUTTING_DOWN`. Resolves once
   * those have been flushed, or after `waitMs`; returns how many were cut.
   */
  cutInFlight(waitMs: number): Promise<number>;
  /** Closes plugins, providers and storage. */
  close(): Promise<void>;
}

/** logging.level values, most verbose first. */
const LEVEL_ORDER = ['debug', 'info', 'warn', 'error', 'silent'] as const;

/** How long a SQLite statement of the running gateway waits for another connection's lock (openServices). */
const SERVING_SQLITE_LOCK_WAIT_MS = 250;

export async function createGateway(loaded: LoadedConfig, opts: GatewayOptions = {}): Promise<Gateway> {
  const { config } = loaded;
  const logger = opts.logger ?? createLogger({ level: config.logging.level, adjustable: true });
  const metrics = createMetrics({ startProcessMetrics: true, onDroppedUpdate: (name, err) => logger.warn('metric update dropped', { metric: name, error: err.message }) });
  const plugins = await loadChain(loaded);
  const providers = registerPluginsAndProviders(loaded, plugins, createCooldownReport(logger, metrics));
  warnEmptyKeys(config, logger);

  // A plugin's SQLite write that meets another process's lock (another instance on the file, a
  // tool's transaction, a VACUUM) waits a quarter of a second on the event loop, not 5 s; the
  // ledger's writes wait less still and spill, the marketplace's outbox keeps its records and retries.
  const services = openServices(loaded, () => migrationsOf(plugins), logger, { sqliteLockWaitMs: SERVING_SQLITE_LOCK_WAIT_MS });
  const readiness = new Map<string, ReadinessCheck>();
  // Redis alone stops nothing from serving: the rate limiter says when it does (on_store_error:
  // closed), and auth falls back on polling the database for revocations.
  if (config.storage.redis) readiness.set('redis', readinessCheck(async () => { await services.redis()!.ping(); }, false));
  readiness.set('database', readinessCheck(async () => { await (await services.database()).raw('select 1'); }));
  const admin = createAdminRoutes();
  mountOpenApi(admin, SLUICE_VERSION);
  const addresses = createClientAddressResolver(trustProxyOf(config.server.trust_proxy));
  const events = createGatewayEvents((type, err) => logger.error('gateway event listener failed', { event: type, error: err.message }));

  const hostFor = (plugin: LoadedPlugin): Host => ({
    ...commandHost(loaded, services, logger.child({ plugin: plugin.label })),
    metrics,
    providers,
    http: got,
    addAdminRoute: (method, path, handler, doc) => admin.add(method, path, handler, doc, plugin.label),
    addReadinessCheck: (name, check, options) => { readiness.set(`${plugin.label}:${name}`, readinessCheck(check, options?.required)); },
    isTrustedProxy: (address) => addresses.trusts(address),
    events,
  });

  // Core's own series are declared before any plugin's setup: a plugin that picks one of their names
  // is then the one refused, at its line, rather than taking the series over.
  const requestMetrics = createRequestMetrics(metrics);
  let openSockets = () => 0; // the Responses sockets, once they exist (below)
  metrics.gauge('sluice_websocket_connections', 'Open Responses API WebSocket connections (Codex CLI sessions), read at each scrape.', { collect: () => openSockets() });
  const instances: { plugin: LoadedPlugin; instance: PluginInstance }[] = [];
  for (const plugin of plugins) {
    try {
      instances.push({ plugin, instance: checkedInstance(await plugin.definition.setup!(plugin.options, hostFor(plugin))) });
    } catch (err) {
      await Promise.allSettled(instances.map((i) => i.instance.close?.()));
      // What setup opened (a database a plugin asked for, provider pools) would keep `sluice start` alive.
      await Promise.allSettled([providers.close(), services.close()]);
      throw pluginStartError(loaded, plugin, err);
    }
  }
  const chain = composeChain(
    instances.filter((i) => i.instance.middleware).map((i) => ({ name: i.plugin.label, middleware: i.instance.middleware! })),
    opts.checkChain ?? process.env['NODE_ENV'] !== 'production',
  );

  const inFlight = new InFlight();
  // While a shutdown leaves open connections to their clients (closing), a stream's connection is left too.
  const lastRequests = new LastRequests(undefined, () => phase === 'closing');
  const { server: serverConfig } = config;
  const listeners = instances.flatMap(({ plugin, instance }) => (instance.onRequest ? [{ plugin: plugin.label, listen: instance.onRequest.bind(instance) }] : []));
  const record = createRequestRecorder(logger, requestMetrics, listeners);
  const recordRejection = rejectionRecorder(record);
  const bodyLimits = { maxBytes: toBytes(serverConfig.body_limit), timeoutMs: serverConfig.body_timeout_ms, maxDepth: serverConfig.max_json_depth };
  // The first plugin in the chain that authenticates does so on the request's head (contract.ts).
  const authenticator = instances.find((i) => i.instance.authenticate)?.instance;
  const dataPlane = createDataPlaneHandler({ inFlight, lastRequests, chain, authenticate: authenticator?.authenticate?.bind(authenticator), bodyLimits, keepAliveMs: serverConfig.sse_keepalive_ms, sendTimeoutMs: serverConfig.send_timeout_ms, logger, record,
    onUpstreamAttempt: requestMetrics.upstream, onUpstreamRetry: requestMetrics.retry, retryPolicy: (provider) => providers.retryPolicy(provider), cooldown: (provider) => providers.cooldown(provider) });

  let phase: 'serving' | 'closing' | 'draining' = 'serving';
  const authenticates = instances.some((i) => i.instance.authenticates === true);
  const frontDoor = {
    dataPlane, admin, adminKey: config.admin.key, readiness, metricsText: () => metrics.render(), addresses, bodyLimits,
    draining: () => phase === 'draining', closing: () => phase !== 'serving', lastRequest: (socket: Socket) => lastRequests.take(socket), recordRejection, logger, sendTimeoutMs: serverConfig.send_timeout_ms,
    localOnly: !authenticates && !serverConfig.allow_unauthenticated_remote ? new LocalNames(serverConfig.allowed_hosts) : undefined,
  };
  const handle = createFrontDoor(frontDoor);
  const sockets = createResponsesSockets({
    handle: dataPlane, record, bodyLimits, logger, authenticate: authenticator?.authenticate?.bind(authenticator), addresses, recordRejection,
    life: { idleMs: serverConfig.websocket_idle_timeout_ms, lifetimeMs: serverConfig.websocket_lifetime_ms, sendTimeoutMs: serverConfig.send_timeout_ms },
    closing: () => phase !== 'serving', localOnly: frontDoor.localOnly, refuse: createUpgradeRefusal(recordRejection, addresses),
  });
  openSockets = () => sockets.size;

  // One reload at a time: SIGHUP and the config file watch (or two quick SIGHUPs) may ask together,
  // and two reloads interleaved would swap providers and options under each other. Each waits for
  // the one before it, then reads the file itself, so the last to run applies what is on disk last.
  let reloading: Promise<void> = Promise.resolve();
  const reload = (): Promise<void> => {
    const run = () => reloadPlugins(loaded, instances, providers, services, logger);
    const next = reloading.then(run, run);
    reloading = next.catch(() => undefined); // its caller handles the rejection; the queue only waits
    return next;
  };

  let started = false;
  return {
    handle, config: loaded, plugins, providers, logger, metrics,
    handlerFor: (serve, host) => createFrontDoor({ ...frontDoor, serves: new Set(serve), localOnly: host === undefined || isLoopbackHost(host) ? frontDoor.localOnly : undefined }),
    onClientError: createClientErrorHandler(recordRejection, { headersTimeoutMs: serverConfig.headers_timeout_ms }),
    onUpgrade: sockets.upgradeFor(undefined),
    upgradeFor: (serve) => sockets.upgradeFor(new Set(serve)),
    authenticates,
    async start() {
      if (started) return;
      started = true;
      if (migrationsOf(plugins).length) await services.database();
      for (const provider of providers.all()) provider.start?.();
      for (const { plugin, instance } of instances) {
        try {
          await settlesOrStalls(instance.start?.());
        } catch (err) {
          throw pluginStartError(loaded, plugin, err);
        }
      }
    },
    // Open WebSockets close too: idle ones now, one with a turn in flight once the turn has ended.
    closeConnections: () => { if (phase === 'serving') phase = 'closing'; inFlight.lastOnConnections(); sockets.shutdown(); },
    drain: () => { phase = 'draining'; inFlight.lastOnConnections(); },
    awaitingLastRequests: () => lastRequests.awaiting,
    cutInFlight: (waitMs) => { lastRequests.endAll(); return inFlight.cutAll(new GatewayError('SLUICE_E_SHUTTING_DOWN', 'the gateway shut down before this response was complete; retry'), waitMs); },
    reload,
    close: async () => {
      for (const { plugin, instance } of [...instances].reverse()) {
        try { await instance.close?.(); } catch (err) { logger.error('plugin close failed', { plugin: plugin.label, error: err }); }
      }
      await providers.close();
      await services.close();
    },
  };
}

async function reloadPlugins(
  current: LoadedConfig, instances: { plugin: LoadedPlugin; instance: PluginInstance }[], providers: OwnedProviderRegistry,
  services: Pick<Services, 'setOperatorPrices'>, logger: Logger,
): Promise<void> {
  const next = await loadConfigFile(current.file);
  const plugins = await loadChain(next);
  const shape = (ps: LoadedPlugin[]) => ps.map((p) => `${p.label}=${p.use}`).join(',');
  if (shape(plugins) !== shape(instances.map((i) => i.plugin))) {
    throw new ConfigError('the chain\'s plugin list changed; restart Sluice to apply it', next.locate(['chain']));
  }
  // Providers are built first and staged: plugins (the router) validate their new options against
  // the staged set, while requests keep the running providers — a plugin that takes a while to
  // prepare must not leave the old routes pointing at providers already taken out (a rename).
  const providersChanged = JSON.stringify(next.config.providers) !== JSON.stringify(current.config.providers);
  let staged: StagedProviders | undefined;
  if (providersChanged) {
    try {
      staged = providers.stageConfigured(next.config.providers);
    } catch (err) {
      throw new ConfigError((err as Error).message, next.locate(['providers']));
    }
  }
  const context: ReloadContext = { providers: staged?.view ?? providers };
  const swaps: (() => void)[] = [];
  try {
    for (const [i, { plugin, instance }] of instances.entries()) {
      const options = plugins[i]!.options;
      if (!providersChanged && JSON.stringify(options) === JSON.stringify(plugin.options)) continue;
      if (!instance.reload) {
        if (JSON.stringify(options) === JSON.stringify(plugin.options)) continue;
        throw new ConfigError(`plugin ${plugin.label} cannot reload its options; restart Sluice to apply them`, next.locate(['chain', i, 'with']));
      }
      try {
        const swap: unknown = await instance.reload(options, context);
        // Checked before anything swaps: found at the swap step, the plugins before would already
        // run with their new options under a log line saying the reload was rejected.
        if (typeof swap !== 'function') throw new Error('reload() must return the function that applies them (build and validate in reload, swap in the function it returns)');
        swaps.push(swap as () => void);
      } catch (err) {
        throw pluginConfigError(next, { label: plugin.label, index: i }, err, 'rejected its new options', ['chain', i, 'with']);
      }
    }
  } catch (err) {
    staged?.discard();
    throw err;
  }
  // `pricing:` was validated with the file and cannot be refused: it changes with the plugins' swap,
  // so the ledger and the budgets price requests after the reload alike (they read host.pricing).
  const pricingChanged = JSON.stringify(next.config.pricing) !== JSON.stringify(current.config.pricing);
  // One synchronous step: no request sees the new providers with the old plugin options, or the reverse.
  staged?.commit();
  for (const swap of swaps) swap();
  if (pricingChanged) services.setOperatorPrices(next.config.pricing);
  instances.forEach((entry, i) => { entry.plugin = { ...entry.plugin, options: plugins[i]!.options }; });
  current.config.providers = next.config.providers;
  current.config.pricing = next.config.pricing;
  // The level changes with the rest, for core's lines and every plugin's logger. A logger the
  // gateway was handed (an embedder's) keeps its own level: 'logging' is then reported unapplied.
  // Set at whichever side of the line below makes it written: after it for a quieter level, before
  // it for a more verbose one, so the reload that changed the level is always in the log.
  const levelChanged = next.config.logging.level !== current.config.logging.level && logLevelAdjustable(logger);
  const louder = levelChanged && LEVEL_ORDER.indexOf(next.config.logging.level) < LEVEL_ORDER.indexOf(current.config.logging.level);
  const applyLevel = () => { setLogLevel(logger, next.config.logging.level); current.config.logging = next.config.logging; };
  if (louder) applyLevel();
  logger.info('config reloaded', { file: next.file, plugins_changed: swaps.length, providers_changed: providersChanged, pricing_changed: pricingChanged, ...(levelChanged ? { log_level: next.config.logging.level } : {}) });
  if (levelChanged && !louder) applyLevel();
  // These are read at start only. Said, not silent: an operator who rotates admin.key or moves the
  // port and sends SIGHUP would otherwise read "config reloaded" while the old values stay in force.
  const startOnly = (['server', 'storage', 'logging', 'admin'] as const)
    .filter((section) => JSON.stringify(next.config[section]) !== JSON.stringify(current.config[section]));
  if (startOnly.length) {
    logger.warn('config reload did not apply these sections: they are read at start only; restart Sluice to apply them', { sections: startOnly });
  }
}

/**
 * An empty `api_key` (a `${VAR:-}` whose variable is unset) is valid YAML and a valid string, and
 * every request to that provider then goes without credentials and fails upstream with a 401 the
 * operator has to trace back: say it at start. A server that needs no key takes no `api_key`.
 */
function warnEmptyKeys(config: SluiceConfig, logger: Logger): void {
  for (const [name, p] of Object.entries(config.providers)) {
    const keys = p.api_key === undefined ? [] : Array.isArray(p.api_key) ? p.api_key : [p.api_key];
    if (keys.some((k) => k.trim() === '')) logger.warn('provider has an empty api_key: its requests go without credentials (omit api_key for a server that needs none)', { provider: name });
  }
}

