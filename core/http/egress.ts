// Egress: writes the exchange's response to the client — JSON, or a stream (SSE, or Gemini's JSON
// array: stream-framing.ts) with back-pressure, idle keep-alives, the client protocol's terminator
// or in-stream error, and upstream abort when the client goes away.
import { errorBody, GatewayError, toGatewayError } from '../errors.js';
import type { Exchange, StreamFraming, StreamResponse } from '../exchange.js';
import { takeObservers } from '../protocols/observe-stream.js';
import { asObject, asString } from '../protocols/json.js';
import { isUntouchedStream } from '../protocols/raw-json.js';
import { msFixed3 } from './ms-text.js';
import type { ResponseSink } from './response-sink.js';
import { ResponsesStreamState } from './responses-failure.js';
import { watchAnswer, type SendWatch } from './send-timeout.js';
import type { ApiFamily, Protocol, StreamEvent } from '../protocols/types.js';
import { streamFramer } from './stream-framing.js';

export type Head = Record<string, string | number>;

/** Header names are case-insensitive; a head object's keys are not, so they are kept lower-case. */
function addHeaders(head: Head, headers: Record<string, string>): void {
  for (const name in headers) head[name.toLowerCase()] = headers[name]!;
}

/**
 * What every data-plane answer carries: the request id, the response's and the plugins' headers,
 * then the overhead figure — later names winning, as successive setHeader calls would. Written
 * with one writeHead(status, head): Node then builds the head from the object instead of keeping
 * a header map filled by a setHeader call per name.
 */
export function exchangeHead(id: string, exchange: Exchange, headers: Record<string, string>): Head {
  const head: Head = exchange.clientFamily === 'anthropic' ? { 'x-request-id': id, 'request-id': id } : { 'x-request-id': id };
  addHeaders(head, beside(exchange.responseHeaders, headers));
  addHeaders(head, exchange.responseHeaders);
  head['x-sluice-overhead-ms'] = overheadMs(exchange);
  return head;
}

/** Rate-limit state: OpenAI's names (which SDKs and agents read) and Anthropic's. */
const RATE_LIMIT_HEADER = /^(x-ratelimit-|anthropic-ratelimit-)/i;

/**
 * The upstream's headers to pass on beside the plugins' (`own`). The upstream's rate-limit headers
 * are the operator's organisation limits, shared by every client: when a plugin (ratelimit) states
 * the limits that apply to this client, the upstream's go as a whole — a client pacing itself by
 * Sluice's requests limit must not also read the organisation's tokens limit, and an upstream
 * 429's headers must not overwrite Sluice's. Organisation ids never get this far (http-upstream.ts
 * passes only named headers).
 */
function beside(own: Record<string, string>, upstream: Record<string, string>): Record<string, string> {
  let ownLimits = false;
  for (const name in own) if (RATE_LIMIT_HEADER.test(name)) { ownLimits = true; break; }
  if (!ownLimits) return upstream;
  const kept: Record<string, string> = {};
  for (const name in upstream) if (!RATE_LIMIT_HEADER.test(name)) kept[name] = upstream[name]!;
  return kept;
}

/** The response's and the plugins' headers, then the overhead figure, by setHeader (error paths). */
export function setExchangeHeaders(res: ResponseSink, exchange: Exchange, extra: Record<string, string>): void {
  for (const name in extra) res.setHeader(name, extra[name]!);
  const plugins = exchange.responseHeaders;
  for (const name in plugins) res.setHeader(name, plugins[name]!);
  res.setHeader('x-sluice-overhead-ms', overheadMs(exchange));
}

/**
 * Time spent in Sluice itself: everything except waiting for the upstream's headers — those of the
 * attempt that answered and of every failed one (a fallback, or a request every target failed).
 */
export function overheadMs(exchange: Exchange): string {
  const { upstreamStart, upstreamHeaders, failedUpstreamMs } = exchange.timings;
  const upstream = (upstreamStart !== undefined && upstreamHeaders !== undefined ? upstreamHeaders - upstreamStart : 0) + (failedUpstreamMs ?? 0);
  return msFixed3(performance.now() - exchange.receivedAt - upstream);
}

/** A JSON answer: `body` as text (raw upstream bytes, already serialised) or a value to serialise. */
export function sendJson(res: ResponseSink, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', JSON_CONTENT_TYPE);
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

/** The content type of every JSON answer, the gateway's own errors included. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** A JSON answer (text, or the upstream's bytes) with `head` (exchangeHead) and its content type and length, in one writeHead. */
export function writeJson(res: ResponseSink, status: number, head: Head, text: string | Buffer): void {
  head['content-type'] = JSON_CONTENT_TYPE;
  head['content-length'] = typeof text === 'string' ? Buffer.byteLength(text) : text.length;
  res.writeHead(status, head);
  res.end(text);
}

/**
 * The error in the client's envelope; `retry-after` and the upstream's forwarded headers passed on. The `SLUICE_E_*` code also goes in a
 * header: only OpenAI's envelope has a code field, and Anthropic's and Gemini's shapes are kept as
 * their SDKs expect them.
 */
export function sendError(res: ResponseSink, family: ApiFamily, error: GatewayError, own: Record<string, string> = {}): void {
  const headers = errorHeaders(error, own);
  for (const name in headers) res.setHeader(name, headers[name]!);
  if (family === 'anthropic') anthropicRequestId(res);
  sendJson(res, error.statusFor(family), errorBody(error, family));
}

/**
 * Anthropic's API names each answer in a `request-id` header, and its SDK reads only that one
 * (`error.requestID`, `message._request_id`): an Anthropic client gets Sluice's request id there too,
 * the same as `x-request-id`, so what it reports is what the gateway logged. (An upstream's own
 * `request-id` is passed on as `x-upstream-request-id`.)
 */
function anthropicRequestId(res: ResponseSink): void {
  const id = res.getHeader('x-request-id');
  if (typeof id === 'string') res.setHeader('request-id', id);
}

/**
 * The headers an error answer adds to the exchange's (sendError; sluice/testing shows the same);
 * `own`: the plugins' headers already on the answer.
 */
export function errorHeaders(error: GatewayError, own: Record<string, string> = {}): Record<string, string> {
  const headers: Record<string, string> = {};
  if (error.headers) addHeaders(headers, beside(own, error.headers));
  if (error.retryAfter) headers['retry-after'] = error.retryAfter;
  headers['x-sluice-error-code'] = error.code;
  return headers;
}

export interface StreamHooks {
  keepAliveMs: number;
  /** server.send_timeout_ms: a client that takes none of the stream for this long is disconnected. */
  sendTimeoutMs: number;
  /** The client's framing (its endpoint's): SSE when undefined. */
  framing: StreamFraming | undefined;
  onFirstByte(): void;
  /** Called once: when the stream ended, failed, lost its client, or was cut. */
  onDone(error: GatewayError | undefined, clientGone: boolean): void;
}

export interface StreamWriter {
  /**
   * Ends the stream now with `error` as the protocol's in-stream error (the gateway is shutting
   * down); resolves once that has been flushed or the client is gone.
   */
  cut(error: GatewayError): Promise<void>;
}

/** What a stream's head carries beyond exchangeHead's (writeStream; sluice/testing shows the same). */
export function addStreamHeaders(head: Head, contentType: string): void {
  head['content-type'] = contentType;
  head['cache-control'] = 'no-cache';
  // No `connection` header of ours: Node writes keep-alive or close as the connection will be, and
  // an explicit keep-alive would overrule it — a client's `connection: close`, or a drain that
  // began before the stream's head left (the proxy would reuse the connection, to be refused).
  head['x-accel-buffering'] = 'no'; // nginx: do not buffer the stream
}

/** `head` is exchangeHead's; the stream's headers are added to it. */
export function writeStream(res: ResponseSink, response: StreamResponse, head: Head, hooks: StreamHooks): StreamWriter {
  // Frames go straight to the socket, those of one tick joined into one write on the next (see
  // `pending`): an intermediate stream costs a measurable share of time-to-first-token. The head
  // leaves with the first frame.
  const framer = streamFramer(hooks.framing, response.protocol, isUntouchedStream(response.events));
  addStreamHeaders(head, framer.contentType);
  res.writeHead(response.status, head);
  let lastWrite = Date.now();
  const timer = setInterval(() => {
    // Keeps proxies and SDK idle timers from closing a slow stream.
    if (Date.now() - lastWrite >= hooks.keepAliveMs && !res.destroyed) queue(framer.keepAlive());
  }, Math.min(hooks.keepAliveMs, 5000));
  timer.unref();

  /** Whether nothing but keep-alives has been written yet: the first event, or the error or end frame written in its place, is the first byte. */
  let first = true;
  const firstByte = () => {
    if (!first) return;
    first = false;
    hooks.onFirstByte();
  };
  let reported = false;
  const report = (error: GatewayError | undefined, clientGone: boolean) => {
    if (reported) return;
    reported = true;
    clearInterval(timer);
    hooks.onDone(error, clientGone);
  };
  /** Nothing more may be written: the client left, or the stream was ended (by a cut). */
  const closed = () => res.destroyed || res.writableEnded;

  /**
   * This tick's frames, written by flush on the next: one write (and one chunk of the response's
   * chunked encoding) where each event's own write cost more in node's write path than its bytes.
   */
  let pending = '';
  const flush = () => {
    if (pending === '') return;
    const text = pending;
    pending = '';
    if (!closed()) res.write(text);
  };
  const queue = (frame: string) => {
    if (pending === '') process.nextTick(flush);
    pending += frame;
    lastWrite = Date.now();
  };
  /** Watches the client while a write is held back (send-timeout.ts): made on the first wait, if any. */
  let watch: SendWatch | undefined;
  const held = () => { (watch ??= watchAnswer(res, hooks.sendTimeoutMs))?.arm(); };
  /** Queues a frame; resolves on back-pressure relief when the socket is behind (else undefined). */
  const write = (frame: string): Promise<void> | undefined => {
    queue(frame);
    if (!res.writableNeedDrain) return undefined;
    held();
    return new Promise<void>((resolve) => {
      const done = () => { res.off('drain', done); res.off('close', done); watch?.disarm(); resolve(); };
      res.on('drain', done);
      res.on('close', done);
    });
  };

  // Held until the hold ran out: what was held may give the client nothing to read (a translated
  // Anthropic message_start waits for the first content), and it has waited one interval already.
  if (response.waited) queue(framer.keepAlive());

  let lastSequence = -1;
  // A Responses stream remembers its response object and finished items, which its response.failed repeats.
  const responses = response.protocol.family === 'openai' && response.protocol.operation === 'responses' ? new ResponsesStreamState() : undefined;
  /** The in-stream error's frames: for Responses the `error` event and then `response.failed`. */
  const errorFrames = (error: GatewayError): string => {
    const ev = inStreamError(response.protocol, error, lastSequence + 1);
    return framer.event(ev) + (responses ? failedFrame(ev, lastSequence + 2) : '');
  };
  const failedFrame = (errorEvent: StreamEvent, sequenceNumber: number): string => {
    const failed = typeof errorEvent.data === 'object' && errorEvent.data !== null && !Array.isArray(errorEvent.data)
      ? responses?.failed(errorEvent.data, sequenceNumber) : undefined;
    return failed ? framer.event(failed) : '';
  };
  // Observers (the ledger's capture) are called here, in the loop, rather than each through a
  // wrapper's promise per event; `end` as the wrapper would: complete only when the source ran out.
  const observed = takeObservers(response.events);
  const events = observed?.source ?? response.events;
  void (async () => {
    let streamError: GatewayError | undefined;
    let left = false;
    try {
      for await (const ev of events) {
        observed?.observer.event(ev);
        if (closed()) { left = true; break; } // the client left or the stream was cut; leaving the loop releases the upstream
        firstByte();
        const seq = (ev.data as { sequence_number?: unknown } | null)?.sequence_number;
        if (typeof seq === 'number') lastSequence = seq;
        if (responses && typeof ev.data === 'object' && ev.data !== null && !Array.isArray(ev.data)) responses.see(ev.data);
        // Awaited only on back-pressure: `await undefined` would still cost a promise and a turn per event.
        const drained = write(framer.event(ev));
        if (drained) await drained;
        // An upstream's own in-stream error (passed through in the client's protocol) ends the
        // stream as a failure: no SSE terminator after it, and the request is not counted a success.
        const failure = errorInEvent(response.protocol, ev);
        if (failure) {
          streamError = failure;
          left = true;
          // An upstream's bare `error` event still gets the response.failed a Responses client reads.
          if (responses) { const frame = failedFrame(ev, lastSequence + 1); if (frame) await write(frame); }
          break;
        }
      }
      observed?.observer.end(!left);
      const end = closed() ? '' : framer.end(streamError !== undefined);
      if (end) { firstByte(); await write(end); }
    } catch (err) {
      streamError = toGatewayError(err);
      // After the headers went out the status cannot change: the error travels in-stream (and a
      // JSON array is still closed after it).
      if (!closed()) { firstByte(); await write(errorFrames(streamError) + framer.end(true)); }
    } finally {
      observed?.observer.end(false); // the source failed (or a write did): once only, so a no-op after the end above
      const clientGone = res.destroyed && !res.writableFinished;
      flush();
      if (!closed()) res.end();
      // The last bytes still queued (the client is behind): the connection is held until they leave.
      if (!res.writableFinished && !res.destroyed) held();
      report(streamError, clientGone);
    }
  })();

  return {
    cut(error) {
      if (!closed()) {
        flush();
        firstByte();
        res.end(errorFrames(error) + framer.end(true));
        report(error, false);
      }
      return new Promise<void>((resolve) => {
        if (res.writableFinished || res.destroyed) { resolve(); return; }
        res.once('finish', resolve);
        res.once('close', resolve);
      });
    },
  };
}

/** The error an already-rendered in-stream error event reports, if `ev` is one. */
function errorInEvent(protocol: Protocol, ev: StreamEvent): GatewayError | undefined {
  const data = ev.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const isError = ev.event === 'error' || data['type'] === 'error' || data['type'] === 'response.failed'
    || (protocol.family !== 'anthropic' && data['error'] !== undefined && data['error'] !== null && data['type'] === undefined);
  if (!isError) return undefined;
  const inner = data['error'];
  const message = typeof inner === 'object' && inner !== null && !Array.isArray(inner) && typeof inner['message'] === 'string'
    ? inner['message'] : typeof data['message'] === 'string' ? data['message'] : 'upstream reported an error mid-stream';
  return new GatewayError('SLUICE_E_UPSTREAM_ERROR', message, { status: 502 });
}

/** How each protocol reports an error inside a stream. */
export function inStreamError(protocol: Protocol, error: GatewayError, sequenceNumber = 0): StreamEvent {
  const envelope = errorBody(error, protocol.family);
  if (protocol.family === 'anthropic') return { event: 'error', data: envelope };
  if (protocol.family === 'openai' && protocol.operation === 'responses') {
    // The fields of the JSON error the same failure gets (errorBody): an upstream's own code and
    // words, a gateway error's SLUICE_E_* code. The event has no room for the error's class (its
    // `type` is "error"), so a JSON error without a code gives its class as the code instead.
    const inner = asObject(envelope['error']);
    const code = asString(inner?.['code']) ?? asString(inner?.['type']) ?? error.code;
    const param = inner?.['param'];
    return {
      event: 'error',
      data: { type: 'error', code, message: asString(inner?.['message']) ?? error.message, param: typeof param === 'string' ? param : null, sequence_number: sequenceNumber },
    };
  }
  return { data: envelope };
}
