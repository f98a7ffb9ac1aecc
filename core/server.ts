// Listening and graceful shutdown: stop accepting, let in-flight requests finish until a deadline,
// cut what is left, then close plugins, providers and storage.
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import net, { type Socket } from 'node:net';
import { toBytes } from './config/byte-size.js';
import { ConfigError } from './config/config-error.js';
import type { LoadedConfig } from './config/load.js';
import type { EndpointGroup, SluiceConfig } from './config/schema.js';
import type { Gateway } from './app.js';
import { isLoopbackHost } from './http/loopback-host.js';

/** How long cut requests get to flush their final error before their sockets are destroyed. */
const CUT_FLUSH_MS = 1000;
/** How often a shutdown closes connections that have gone idle since it began. */
const IDLE_SWEEP_MS = 50;
/**
 * How long a shutdown leaves connections already open to their clients (at most half the grace),
 * serving what comes on them as each one's last. Closing an idle keep-alive connection from this
 * side can cross a request the proxy is already sending on it — nginx's 502 ("Connection reset by
 * peer while reading response header"), which it does not retry for a POST — so the proxy is given
 * time to close its idle connections itself: nginx's upstream keepalive_timeout in examples/nginx is
 * 4 s, and undici's, Node's and httpx's idle timeouts are 4–5 s.
 */
const CLOSING_MS = 5000;

export interface ListenerSpec {
  port: number;
  host: string;
  /** Endpoint groups served here; every group when undefined (the single-port default). */
  serve?: readonly EndpointGroup[];
  /** Where the listener is written in the config, for errors. */
  configPath?: (string | number)[];
  /** The command-line flag the host came from (`--host`), named in errors instead of a config line. */
  hostFlag?: string;
}

export interface BoundListener {
  server: Server;
  port: number;
  host: string;
  serve: readonly EndpointGroup[] | undefined;
}

export interface RunningServer {
  /** The first listener's server, port and host (the only ones in single-port mode). */
  server: Server;
  port: number;
  host: string;
  listeners: BoundListener[];
  shutdown(reason?: string): Promise<void>;
  /**
   * Ends the shutdown's waiting now (starting one if none has begun): what is in flight is cut at
   * once, as at the deadline, then plugins close as usual. The operator's second signal.
   */
  hurry(reason?: string): Promise<void>;
}

const DATA_PLANE: readonly EndpointGroup[] = ['openai', 'anthropic', 'gemini'];

/** The listeners a config asks for: `server.listeners`, else one on server.host:server.port serving everything. */
export function listenersOf(server: SluiceConfig['server']): ListenerSpec[] {
  if (!server.listeners) return [{ port: server.port, host: server.host }];
  return server.listeners.map((l, i) => ({ port: l.port, host: l.host ?? server.host, serve: l.serve, configPath: l.host === undefined ? ['server', 'listeners', i] : ['server', 'listeners', i, 'host'] }));
}

export function listen(gateway: Gateway, port: number, host: string): Promise<RunningServer> {
  return listenAll(gateway, [{ port, host }]);
}

/**
 * Unauthenticated mode only on loopback: a data-plane listener beyond it needs a plugin that
 * authenticates, or the operator's explicit `allow_unauthenticated_remote`. Also run by `sluice
 * config validate`, so a config it calls valid is one start-up accepts.
 */
export function refuseUnauthenticatedRemote(loaded: LoadedConfig, authenticates: boolean, specs: readonly ListenerSpec[]): void {
  if (authenticates || loaded.config.server.allow_unauthenticated_remote) return;
  for (const spec of specs) {
    // Only the data plane needs an auth plugin to be public: admin has its key, metrics hold no secrets.
    const dataPlane = spec.serve === undefined || spec.serve.some((g) => DATA_PLANE.includes(g));
    if (dataPlane && !isLoopbackHost(spec.host)) {
      const where = spec.hostFlag ? ` (${spec.hostFlag})` : '';
      throw new ConfigError(
        `refusing to listen on ${spec.host} without authentication${where}: add an auth plugin to the chain, listen on 127.0.0.1, or set server.allow_unauthenticated_remote: true`,
        spec.hostFlag ? undefined : loaded.locate(spec.configPath ?? ['server', 'host']),
      );
    }
  }
}

export async function listenAll(gateway: Gateway, specs: ListenerSpec[]): Promise<RunningServer> {
  const { server: serverConfig } = gateway.config.config;
  refuseUnauthenticatedRemote(gateway.config, gateway.authenticates, specs);
  // A loopback listener that trusts a proxy has one in front of it, which others may reach: the
  // loopback rule above cannot see that, so say it (not refuse: a proxy that authenticates, or one
  // only this machine reaches, is a sound setup).
  if (!gateway.authenticates && serverConfig.trust_proxy !== false && !serverConfig.allow_unauthenticated_remote) {
    gateway.logger.warn('server.trust_proxy is set and no plugin authenticates: whoever reaches the proxy in front of this gateway uses it without a key; add an auth plugin, or set server.allow_unauthenticated_remote: true if the proxy authenticates (until then, only requests whose Host is loopback or in server.allowed_hosts are answered)');
  }
  // The names only matter to a gateway that answers nobody else: said, so an operator who lists
  // them does not believe they restrict an authenticated or opened gateway.
  if (serverConfig.allowed_hosts.length > 0 && (gateway.authenticates || serverConfig.allow_unauthenticated_remote)) {
    gateway.logger.warn(`server.allowed_hosts has no effect: ${gateway.authenticates ? 'a plugin authenticates, so any Host is answered (the key decides)' : 'server.allow_unauthenticated_remote is true, so any Host is answered'}`);
  }
  // Migrations and plugins' background work begin now, not when the config was merely validated.
  await gateway.start();
  const sockets = new Set<Socket>();
  const bound: BoundListener[] = [];
  try {
    for (const spec of specs) {
      const server = spec.serve === undefined
        ? createServer(gateway, gateway.handle, gateway.onUpgrade, sockets)
        : createServer(gateway, gateway.handlerFor(spec.serve, spec.host), gateway.upgradeFor(spec.serve), sockets);
      bound.push({ server, port: spec.port, host: spec.host, serve: spec.serve });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        // An IPv6 literal may be written as in a URL (`[::1]`, which isLoopbackHost accepts): the
        // socket takes it bare.
        const bindHost = spec.host.startsWith('[') && spec.host.endsWith(']') ? spec.host.slice(1, -1) : spec.host;
        server.listen(spec.port, bindHost, () => { server.off('error', reject); resolve(); });
      });
      const address = server.address();
      bound[bound.length - 1]!.port = typeof address === 'object' && address ? address.port : spec.port;
    }
  } catch (err) {
    // One port taken: the others must not stay bound (the process is about to report and exit).
    await Promise.all(bound.map((b) => new Promise<void>((r) => { if (b.server.listening) b.server.close(() => r()); else r(); })));
    throw err;
  }

  let closing: Promise<void> | undefined;
  // Resolved by hurry(): every wait below races it, so a second signal skips what is left of the
  // grace without skipping the steps after it (the cut's in-stream errors, plugins' flush).
  let hurried = false;
  let hurryNow!: () => void;
  const hurry = new Promise<void>((resolve) => { hurryNow = resolve; });
  const shutdown = (reason = 'shutdown') => (closing ??= (async () => {
    gateway.logger.info('shutting down', { reason });
    const deadline = Promise.race([hurry, new Promise<void>((resolve) => setTimeout(resolve, serverConfig.shutdown_grace_ms).unref())]);
    // First no new connections, but the open ones are not closed yet: http.Server#close would end
    // the idle keep-alive ones at once, and a proxy sending its next request on one in that instant
    // gets a reset — nginx's 502, which it does not retry for a POST. For a moment such a request
    // is served instead, as its connection's last (`connection: close`), while the proxy's new
    // connections are refused and it marks this instance down, and closes its idle ones itself
    // (CLOSING_MS). The shutdown is over as soon as every connection is closed.
    gateway.closeConnections();
    const closed = Promise.all(bound.map((b) => stopAccepting(b.server)));
    const closing = Math.min(CLOSING_MS, serverConfig.shutdown_grace_ms / 2);
    await Promise.race([closed, hurry, new Promise<void>((resolve) => setTimeout(resolve, closing).unref())]);
    // Then new requests are refused (503, retry elsewhere) and idle connections closed, now and as
    // more go idle: one idle later (a keep-alive one whose response ends during the drain, an admin
    // or health request's) would otherwise hold the shutdown for the whole grace period. Not while a
    // stream's connection waits for the request a proxy may send on it (it ends itself after that).
    gateway.drain();
    const closeIdle = () => { if (!gateway.awaitingLastRequests()) for (const b of bound) b.server.closeIdleConnections(); };
    closeIdle();
    const sweep = setInterval(closeIdle, IDLE_SWEEP_MS);
    await Promise.race([closed, deadline]);
    const bySignal = hurried; // read now: a signal after the deadline did not cause this cut
    clearInterval(sweep);
    // Past the deadline, what is still open ends in its protocol's error (an in-stream error, or a
    // 503 when nothing was sent) rather than a bare connection reset; then the sockets go.
    const cut = await gateway.cutInFlight(CUT_FLUSH_MS);
    if (cut) gateway.logger.warn(bySignal ? 'cut in-flight requests on a second signal' : 'cut in-flight requests at the shutdown deadline', { count: cut });
    for (const s of sockets) s.destroy();
    await closed;
    await gateway.close();
    gateway.logger.info('stopped');
    await gateway.logger.flush(); // the access log is written asynchronously: hand the rest to the OS
  })());

  const hurryShutdown = (reason = 'shutdown') => {
    hurried = true;
    hurryNow();
    return shutdown(reason);
  };

  const first = bound[0]!;
  return { server: first.server, port: first.port, host: first.host, listeners: bound, shutdown, hurry: hurryShutdown };
}

/**
 * Stops accepting connections and resolves once every open one has closed: net.Server's close,
 * without what http.Server's adds (closing the idle keep-alive connections at once).
 */
function stopAccepting(server: Server): Promise<void> {
  return new Promise<void>((resolve) => { net.Server.prototype.close.call(server, () => resolve()); });
}

function createServer(gateway: Gateway, handler: (req: IncomingMessage, res: ServerResponse) => void, upgrade: Gateway['onUpgrade'], sockets: Set<Socket>): Server {
  const { headers_timeout_ms: headersMs, body_timeout_ms: bodyMs } = gateway.config.config.server;
  // Node checks its header/request deadlines on this interval (default 30 s): a tenth of the
  // headers timeout keeps them within ~10% of what was configured.
  const server = http.createServer({ connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(headersMs / 10))) }, handler);
  server.keepAliveTimeout = 65_000; // longer than common load-balancer idle timeouts
  server.headersTimeout = headersMs;
  // Node's requestTimeout ends when the request has been *received*, never during the response,
  // so long generations and streams are unaffected. Ingress enforces body_timeout_ms itself (with
  // an answer in the client's envelope); this backstop covers bodies nobody reads.
  server.requestTimeout = headersMs + bodyMs;
  // Without a listener Node answers `Expect: 100-continue` before the handler runs, and the client
  // uploads a body that is refused after it was read (discarded) in full. One declared over the
  // limit gets no 100: ingress answers it 413 at once, before the client sends any of it.
  const maxBodyBytes = toBytes(gateway.config.config.server.body_limit);
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (!(Number(req.headers['content-length']) > maxBodyBytes)) res.writeContinue();
    handler(req, res);
  });
  server.on('clientError', gateway.onClientError);
  server.on('upgrade', upgrade);
  server.on('connection', (s) => { sockets.add(s); s.once('close', () => sockets.delete(s)); });
  return server;
}
