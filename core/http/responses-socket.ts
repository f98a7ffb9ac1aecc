// The WebSocket transport of the Responses API (OpenAI's "WebSocket mode"; Codex CLI opens one on
// every session): an upgrade on the Responses endpoint is let in under the same rules as an HTTP
// request — the listener serves the openai group, the gateway is not shutting down, the Host and Origin rules,
// the chain's authentication on the upgrade's headers — and then each message is a turn
// (socket-turns.ts). Every other upgrade keeps its 426 (client-error.ts).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type ServerOptions, type WebSocket } from 'ws';
import { GatewayError, toGatewayError } from '../errors.js';
import type { EndpointGroup } from '../config/schema.js';
import type { Principal } from '../exchange.js';
import { isThenable, namedPrincipal } from '../plugin/authenticated.js';
import type { ClientAddressResolver } from './client-address.js';
import { refuseUpgrade } from './client-error.js';
import { matchEndpoint } from './endpoints.js';
import { requestIdFor } from './ingress.js';
import { foreignHostRefused, foreignPageRefused, fromPageElsewhere, type LocalNames } from './loopback-host.js';
import { msFixed3 } from './ms-text.js';
import { toOriginForm } from './request-target.js';
import { shuttingDown } from './readiness.js';
import type { RecordRejection } from './request-log.js';
import { headerSessionId } from './session.js';
import { ResponsesConnection, SOCKET_RESPONSES, turnHeaders, type TurnServices } from './socket-turns.js';

/** How often an open socket is pinged; one that has not answered the last ping by the next is closed. */
const PING_MS = 30_000;
/** ws's own wait for the client's answer to a close frame (its closeTimeout option, not in its types). */
const CLOSE_TIMEOUT_MS = 30_000;
const WEBSOCKET_KEY = /^[+/0-9A-Za-z]{22}==$/;

export interface ResponsesSocketOptions extends TurnServices {
  addresses: ClientAddressResolver;
  recordRejection: RecordRejection;
  /** A shutdown has begun: no new socket is let in. */
  closing(): boolean;
  /** Set when no plugin authenticates and remote clients were not allowed: the `Host` and `Origin` rules (front-door.ts). */
  localOnly: LocalNames | undefined;
  /** Every other upgrade's answer (the 426); `message` when the cause is not the transport. */
  refuse(req: IncomingMessage, socket: Duplex, message?: string): void;
}

export interface ResponsesSockets {
  /** The server's 'upgrade' listener for a listener serving `serves` (every group when undefined). */
  upgradeFor(serves: ReadonlySet<EndpointGroup> | undefined): (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** A shutdown began: idle sockets close now (1001), busy ones once their turn has ended. */
  shutdown(): void;
  /** Open sockets (tests, metrics). */
  readonly size: number;
}

interface Open {
  ws: WebSocket;
  connection: ResponsesConnection;
  alive: boolean;
}

export function createResponsesSockets(opts: ResponsesSocketOptions): ResponsesSockets {
  // Compression is off: a turn's events are small and many, and permessage-deflate would cost a
  // zlib context (tens of KB) per socket and CPU per event for little; Codex works without it.
  // A close the client does not answer within send_timeout_ms (when sooner than ws's 30 s) ends
  // the connection: a client that stops reading never sees the close frame, queued behind what it
  // left unread, so the lifetime's or the idle timeout's close would wait on it as long.
  const options: ServerOptions & { closeTimeout: number } = { noServer: true, maxPayload: opts.bodyLimits.maxBytes, perMessageDeflate: false, clientTracking: false,
    closeTimeout: Math.min(CLOSE_TIMEOUT_MS, opts.life.sendTimeoutMs) };
  const server = new WebSocketServer(options);
  const open = new Set<Open>();
  // The 101 carries what every answer does (SPEC §3): the request id, and the time Sluice took.
  const arrivals = new WeakMap<IncomingMessage, { id: string; receivedAt: number }>();
  server.on('headers', (headers: string[], req: IncomingMessage) => {
    const a = arrivals.get(req);
    if (a) headers.push(`x-request-id: ${a.id}`, `x-sluice-overhead-ms: ${msFixed3(performance.now() - a.receivedAt)}`);
  });
  let timer: NodeJS.Timeout | undefined;
  const ping = () => {
    for (const o of open) {
      if (!o.alive) { o.ws.terminate(); continue; }
      o.alive = false;
      o.ws.ping();
    }
  };

  const accept = (req: IncomingMessage, socket: Duplex, head: Buffer, path: string, query: Record<string, string>, peerAddress: string, clientAddress: string, principal: Principal | undefined) => {
    opts.logger.debug('websocket opened', { request_id: arrivals.get(req)?.id, client: clientAddress, session: headerSessionId(req.headers) });
    server.handleUpgrade(req, socket, head, (ws) => {
      const headers = turnHeaders(req.headers);
      const o: Open = { ws, alive: true, connection: new ResponsesConnection(ws, { headers, path, query, peerAddress, clientAddress, principal }, opts, socket) };
      open.add(o);
      timer ??= setInterval(ping, PING_MS).unref();
      ws.on('pong', () => { o.alive = true; });
      ws.on('message', () => { o.alive = true; });
      // A protocol error (a message over body_limit, bad framing) closes the socket; ws reports it here first.
      ws.on('error', (err) => { opts.logger.debug('websocket error', { error: err.message }); });
      ws.on('close', () => {
        open.delete(o);
        if (open.size === 0 && timer) { clearInterval(timer); timer = undefined; }
      });
      if (opts.closing()) o.connection.shutdown();
    });
  };

  return {
    get size() { return open.size; },
    shutdown() {
      for (const o of open) o.connection.shutdown();
    },
    upgradeFor(serves) {
      return (req, socket, head) => {
        toOriginForm(req);
        const url = req.url ?? '/';
        const q = url.indexOf('?');
        const path = q === -1 ? url : url.slice(0, q);
        let match;
        try {
          match = matchEndpoint({ method: 'POST', path, headers: req.headers, query: {} });
        } catch {
          match = undefined;
        }
        const responses = match !== undefined && 'endpoint' in match && match.endpoint.id === SOCKET_RESPONSES.id;
        if (!responses || speaksOnlyV1(req.headers['openai-beta'])) { opts.refuse(req, socket); return; }
        // Still a 426 (a client that tries a WebSocket first moves on to HTTP), but saying why.
        if (serves !== undefined && !serves.has('openai')) { opts.refuse(req, socket, 'this listener does not serve the openai endpoints (server.listeners)'); return; }
        const receivedAt = performance.now();
        const id = requestIdFor(req.headers['x-request-id']);
        const peerAddress = (socket as { remoteAddress?: string }).remoteAddress ?? '';
        const clientAddress = opts.addresses.resolve(peerAddress, req.headers['x-forwarded-for']);
        const query = q === -1 ? {} : Object.fromEntries(new URLSearchParams(url.slice(q + 1)));
        const refused = (error: GatewayError, extra?: Record<string, string>) => {
          refuseUpgrade(socket, id, receivedAt, error, extra);
          req.resume();
          opts.recordRejection({ id, endpoint: SOCKET_RESPONSES.id, family: 'openai', method: req.method ?? '', path, status: error.status, error, receivedAt, peerAddress, clientAddress, sessionId: headerSessionId(req.headers) });
        };
        arrivals.set(req, { id, receivedAt });
        const bad = handshakeFault(req);
        if (bad) { refused(bad.error, bad.extra); return; }
        if (opts.closing()) { refused(shuttingDown()); return; }
        const { localOnly } = opts;
        if (localOnly !== undefined) {
          if (!localOnly.allowsHost(req.headers.host)) { refused(foreignHostRefused('a WebSocket')); return; }
          const origin = req.headers.origin;
          if (origin !== undefined && fromPageElsewhere(localOnly, origin, true)) { refused(foreignPageRefused('a WebSocket')); return; }
        }
        const authenticate = opts.authenticate;
        if (!authenticate) { accept(req, socket, head, path, query, peerAddress, clientAddress, undefined); return; }
        // The socket may break while a key is looked up: nothing to answer then.
        const ignore = () => { /* the client went away during authentication */ };
        socket.on('error', ignore);
        void (async () => {
          let principal: Principal;
          try {
            const found = authenticate({ id, headers: req.headers, query, peerAddress, clientAddress, family: 'openai' });
            principal = namedPrincipal(isThenable(found) ? await found : found);
          } catch (err) {
            refused(toGatewayError(err));
            return;
          }
          socket.off('error', ignore);
          if (opts.closing()) { refused(shuttingDown()); return; }
          accept(req, socket, head, path, query, peerAddress, clientAddress, principal);
        })();
      };
    },
  };
}

/** The beta versions of the socket protocol: v2 (2026-02-06) chains turns by previous_response_id. */
const SOCKET_BETA = /responses_websockets=(\d{4}-\d{2}-\d{2})/g;
const FIRST_V2 = '2026-02-06';

/**
 * A client that names only the socket protocol's first version (`responses_websockets=2026-02-04`:
 * older Codex, which continues a turn with `response.append` messages rather than
 * previous_response_id): it gets the 426 and uses HTTP, as it did before the socket was served.
 * No beta named (the OpenAI SDK), or a v2 one among them, is served.
 */
function speaksOnlyV1(beta: string | string[] | undefined): boolean {
  const text = Array.isArray(beta) ? beta.join(',') : beta;
  if (text === undefined || !text.includes('responses_websockets=')) return false;
  const versions = [...text.matchAll(SOCKET_BETA)].map((m) => m[1]!);
  return versions.length > 0 && versions.every((v) => v < FIRST_V2);
}

/** What makes an upgrade on the Responses path no WebSocket handshake (RFC 6455 §4.2.1), if anything. */
function handshakeFault(req: IncomingMessage): { error: GatewayError; extra?: Record<string, string> } | undefined {
  const upgrade = req.headers.upgrade;
  const key = req.headers['sec-websocket-key'];
  const version = req.headers['sec-websocket-version'];
  if (req.method !== 'GET' || upgrade === undefined || upgrade.toLowerCase() !== 'websocket' || key === undefined || !WEBSOCKET_KEY.test(key.trim())) {
    return { error: new GatewayError('SLUICE_E_INVALID_REQUEST', 'not a WebSocket handshake: the Responses socket takes GET with upgrade: websocket and a sec-websocket-key') };
  }
  if (version !== '13' && version !== '8') {
    return { error: new GatewayError('SLUICE_E_UPGRADE_REQUIRED', 'unsupported WebSocket version: this gateway speaks version 13'), extra: { 'sec-websocket-version': '13' } };
  }
  return undefined;
}
