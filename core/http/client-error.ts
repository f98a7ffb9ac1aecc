// Answers what never becomes a koa request: input Node's HTTP parser refuses (bad request line,
// header overflow, broken chunk framing, the headers timeout) and protocol upgrades. Node's own
// answers are bare (`400 Bad Request`, no body); these are in the caller's envelope where the
// request line shows the protocol, carry x-request-id, and are logged and counted like any request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody, GatewayError } from '../errors.js';
import { familyFromPath } from './endpoints.js';
import { requestIdFor } from './ingress.js';
import { msFixed3 } from './ms-text.js';
import type { ClientAddressResolver } from './client-address.js';
import type { RecordRejection } from './request-log.js';
import { headerSessionId } from './session.js';

interface ParserError extends Error {
  code?: string;
  /** The bytes Node was parsing when it failed (parser errors only). */
  rawPacket?: Buffer;
}

/** How long a refused socket may take to flush the answer before it is destroyed. */
const LINGER_MS = 1000;
const REQUEST_LINE = /^([A-Za-z]{1,20}) (\S{1,8192}) HTTP\/\d/;
const answered = new WeakSet<Duplex>();
const CLIENT_GONE = new Set(['ECONNRESET', 'EPIPE', 'HPE_INVALID_EOF_STATE']);

/**
 * `headersTimeoutMs`: server.headers_timeout_ms. Node reports a request whose headers did not
 * arrive in time only when the deadline has passed, so that request arrived about this long before
 * (later by at most Node's checking interval, a tenth of it: server.ts); its record is dated so.
 */
export function createClientErrorHandler(record: RecordRejection, opts: { headersTimeoutMs: number }): (err: ParserError, socket: Duplex) => void {
  return (err, socket) => {
    const inFlight = (socket as { _httpMessage?: ServerResponse | null })._httpMessage ?? undefined;
    // Node calls this again for bytes that arrive after a parse error; the first decision stands.
    if (answered.has(socket)) {
      if (!inFlight || inFlight.writableFinished) socket.destroy();
      return;
    }
    answered.add(socket);
    // A reset, an end mid-message (the client gave up on its upload: the handler records that as a
    // disconnect), a socket that cannot be written, or a connection that never sent a byte (an idle
    // pre-connect hitting the headers timeout): nothing to answer.
    if (CLIENT_GONE.has(err.code ?? '') || !socket.writable || (socket as { bytesRead?: number }).bytesRead === 0) {
      socket.destroy();
      return;
    }
    const error = gatewayErrorFor(err);
    if (inFlight) {
      if (inFlight.req.complete) {
        // The bad bytes are a later pipelined message: this request is whole, so its answer goes
        // out as it would have, and the connection closes after it.
        inFlight.shouldKeepAlive = false;
        inFlight.once('finish', () => socket.end());
        return;
      }
      if (inFlight.req.listenerCount('error') > 0) {
        // Broken framing inside a body ingress is reading: its reader takes the error, and the
        // handler answers, logs and counts it like any refused body.
        inFlight.req.emit('error', error);
        return;
      }
      if (inFlight.headersSent) { socket.destroy(); return; }
    }
    const receivedAt = performance.now() - (!inFlight && err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? opts.headersTimeoutMs : 0);
    // The request line, where Node's parser hands its bytes over (parse errors); a timeout has none.
    const line = inFlight ? undefined : REQUEST_LINE.exec(err.rawPacket?.toString('latin1', 0, 8300) ?? '');
    const path = inFlight?.req.url ?? line?.[2] ?? '';
    const header = inFlight?.getHeader('x-request-id');
    const id = typeof header === 'string' ? header : requestIdFor(undefined);
    const family = familyFromPath(pathOnly(path));
    writeRaw(socket, error.status, statusText(error.status), id, receivedAt, JSON.stringify(errorBody(error, family)), error.code, family === 'anthropic');
    // A request already in the handler is logged there when it ends; only parser-level refusals here.
    if (!inFlight) record({ id, endpoint: 'none', family, method: line?.[1] ?? '', path, status: error.status, error, receivedAt, peerAddress: peerOf(socket) });
  };
}

/**
 * An upgrade Sluice does not take: any but a WebSocket on the Responses endpoint (responses-socket.ts),
 * or that one on a listener not serving the openai group. An immediate 426 tells a client that tries
 * a WebSocket first to use HTTP, instead of waiting for a handshake timeout.
 */
export function createUpgradeRefusal(record: RecordRejection, addresses: ClientAddressResolver): (req: IncomingMessage, socket: Duplex, message?: string) => void {
  return (req, socket, message = 'WebSocket transport is served on the Responses endpoint only; use HTTP here') => {
    const receivedAt = performance.now();
    const id = requestIdFor(req.headers['x-request-id']);
    const error = new GatewayError('SLUICE_E_UPGRADE_REQUIRED', message);
    // The body's code is the one OpenAI's own WebSocket refusal uses; the header carries Sluice's, as on every refusal.
    const body = JSON.stringify({ error: { message: error.message, type: 'invalid_request_error', param: null, code: 'websocket_not_supported' } });
    socket.on('error', () => { /* the client may already be gone */ });
    writeRaw(socket, 426, 'Upgrade Required', id, receivedAt, body, error.code);
    req.resume();
    const path = req.url ?? '';
    // Codex sends its session-id with the attempt: the refusal is that session's first turn.
    // A proxy that passes upgrades on (Caddy, Traefik) is the peer: the client is resolved as for any request.
    const peer = peerOf(socket);
    const clientAddress = addresses.resolve(peer, req.headers['x-forwarded-for']);
    record({ id, endpoint: 'none', method: req.method ?? '', path, status: 426, error, receivedAt, peerAddress: peer, clientAddress, sessionId: headerSessionId(req.headers) });
  };
}

/**
 * Answers an upgrade that is not taken (its handshake is malformed, its key refused, the gateway is
 * shutting down) in the OpenAI envelope, as the same refusal of an HTTP request would be.
 */
export function refuseUpgrade(socket: Duplex, id: string, receivedAt: number, error: GatewayError, more: Record<string, string> = {}): void {
  const extra: Record<string, string> = { ...error.headers, ...more };
  if (error.retryAfter) extra['retry-after'] = error.retryAfter;
  writeRaw(socket, error.status, statusText(error.status), id, receivedAt, JSON.stringify(errorBody(error, 'openai')), error.code, false, extra);
}

function gatewayErrorFor(err: ParserError): GatewayError {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new GatewayError('SLUICE_E_REQUEST_TIMEOUT', 'the request did not arrive in time (server.headers_timeout_ms)');
    case 'HPE_HEADER_OVERFLOW':
      return new GatewayError('SLUICE_E_HEADERS_TOO_LARGE', 'the request headers are too large');
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new GatewayError('SLUICE_E_BODY_TOO_LARGE', 'the request\'s chunk extensions are too large');
    default:
      return new GatewayError('SLUICE_E_MALFORMED_HTTP', `malformed HTTP request${err.code?.startsWith('HPE_') ? ` (${err.code})` : ''}`);
  }
}

/** `receivedAt` gives x-sluice-overhead-ms, which every response carries (SPEC §3), refusals included. */
function writeRaw(socket: Duplex, status: number, text: string, id: string, receivedAt: number, body: string, code?: string, anthropic = false, extra: Record<string, string> = {}): void {
  socket.on('error', () => { /* the peer may reset while we answer */ });
  let more = '';
  // Written raw, so a value that could end the header line (a plugin's header with a CR or LF) is left out.
  for (const name in extra) if (!/[\r\n:]/.test(name) && !/[\r\n]/.test(extra[name]!)) more += `${name}: ${extra[name]}\r\n`;
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\n${more}` +
    // Anthropic's SDK reads the request id from `request-id` (egress.ts, anthropicRequestId).
    `x-request-id: ${id}\r\n${anthropic ? `request-id: ${id}\r\n` : ''}x-sluice-overhead-ms: ${msFixed3(Math.max(0, performance.now() - receivedAt))}\r\n${code ? `x-sluice-error-code: ${code}\r\n` : ''}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  // Destroying at once could reset the connection before the client reads the answer.
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

function pathOnly(target: string): string {
  const q = target.indexOf('?');
  return q < 0 ? target : target.slice(0, q);
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 408: 'Request Timeout', 413: 'Payload Too Large', 426: 'Upgrade Required',
  429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable',
};
function statusText(status: number): string {
  return STATUS_TEXT[status] ?? 'Bad Request';
}

function peerOf(socket: Duplex): string {
  return (socket as { remoteAddress?: string }).remoteAddress ?? '';
}
