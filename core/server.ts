// Listening and graceful shutdown: stop accepting, let in-flight requests finish until a deadline,
// cut what is left, then close plugins, providers and storage.
import http, { type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { ConfigError } from './config/config-error.js';
import type { Gateway } from './app.js';

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
  const server = http.createServer(gateway.app.callback());
  server.keepAliveTimeout = 65_000; // longer than common load-balancer idle timeouts
  server.headersTimeout = 66_000;
  server.requestTimeout = 0; // long generations and streams are normal
  server.on('upgrade', refuseUpgrade);
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
    for (const s of sockets) s.destroy(); // streams still open past the deadline are cut
    await closed;
    await gateway.close();
    gateway.logger.info('stopped');
    await gateway.logger.flush(); // the access log is written asynchronously: hand the rest to the OS
  })());

  return { server, port: boundPort, host, shutdown };
}

/**
 * Sluice serves HTTP only. Codex CLI first tries a WebSocket on /v1/responses; an immediate 426
 * makes it fall back to HTTP+SSE at once instead of waiting for a handshake timeout.
 */
function refuseUpgrade(req: IncomingMessage, socket: Duplex): void {
  const body = JSON.stringify({ error: { message: 'WebSocket transport is not supported; use HTTP (SSE streaming)', type: 'invalid_request_error', param: null, code: 'websocket_not_supported' } });
  socket.on('error', () => { /* the client may already be gone */ });
  socket.end(
    'HTTP/1.1 426 Upgrade Required\r\nconnection: close\r\ncontent-type: application/json\r\n' +
    `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  req.resume();
}
