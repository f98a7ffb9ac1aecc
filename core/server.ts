// Listening and graceful shutdown: stop accepting, let in-flight requests finish until a deadline,
// cut what is left, then close plugins, providers and storage.
import http, { type Server } from 'node:http';
import type { Socket } from 'node:net';
import { ConfigError } from './config/config-error.js';
import type { Gateway } from './app.js';

/** How long cut requests get to flush their final error before their sockets are destroyed. */
const CUT_FLUSH_MS = 1000;

export interface RunningServer {
  server: Server;
  port: number;
  host: string;
  shutdown(reason?: string): Promise<void>;
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export async function listen(gateway: Gateway, port: number, host: string): Promise<RunningServer> {
  const { server: serverConfig } = gateway.config.config;
  if (!gateway.authenticates && !isLoopbackHost(host) && !serverConfig.allow_unauthenticated_remote) {
    throw new ConfigError(
      `refusing to listen on ${host} without authentication: add an auth plugin to the chain, listen on 127.0.0.1, or set server.allow_unauthenticated_remote: true`,
      gateway.config.locate(['server', 'host']),
    );
  }
  // Migrations and plugins' background work begin now, not when the config was merely validated.
  await gateway.start();
  const { headers_timeout_ms: headersMs, body_timeout_ms: bodyMs } = serverConfig;
  // Node checks its header/request deadlines on this interval (default 30 s): a tenth of the
  // headers timeout keeps them within ~10% of what was configured.
  const server = http.createServer({ connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(headersMs / 10))) }, gateway.handle);
  server.keepAliveTimeout = 65_000; // longer than common load-balancer idle timeouts
  server.headersTimeout = headersMs;
  // Node's requestTimeout ends when the request has been *received*, never during the response,
  // so long generations and streams are unaffected. Ingress enforces body_timeout_ms itself (with
  // an answer in the client's envelope); this backstop covers bodies nobody reads.
  server.requestTimeout = headersMs + bodyMs;
  server.on('clientError', gateway.onClientError);
  server.on('upgrade', gateway.onUpgrade);
  const sockets = new Set<Socket>();
  server.on('connection', (s) => { sockets.add(s); s.once('close', () => sockets.delete(s)); });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;

  let closing: Promise<void> | undefined;
  const shutdown = (reason = 'shutdown') => (closing ??= (async () => {
    gateway.logger.info('shutting down', { reason });
    gateway.drain();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, serverConfig.shutdown_grace_ms).unref());
    await Promise.race([closed, deadline]);
    // Past the deadline, what is still open ends in its protocol's error (an in-stream error, or a
    // 503 when nothing was sent) rather than a bare connection reset; then the sockets go.
    const cut = await gateway.cutInFlight(CUT_FLUSH_MS);
    if (cut) gateway.logger.warn('cut in-flight requests at the shutdown deadline', { count: cut });
    for (const s of sockets) s.destroy();
    await closed;
    await gateway.close();
    gateway.logger.info('stopped');
    await gateway.logger.flush(); // the access log is written asynchronously: hand the rest to the OS
  })());

  return { server, port: boundPort, host, shutdown };
}
