// One Responses turn's answer on a WebSocket: what the data-plane handler and egress write (a
// stream's events, or a JSON answer with its status) becomes text messages on the socket — each
// streaming event as the object an SSE `data:` line carries, and an answer refused before any event
// as the `error` message OpenAI's WebSocket mode sends (`{type, status, error, headers}`).
import { EventEmitter } from 'node:events';
import type { OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { JsonObject } from '../protocols/types.js';
import type { ResponseSink } from './response-sink.js';
import { SendWatch } from './send-timeout.js';
import { MESSAGES_CONTENT_TYPE } from './stream-framing.js';

/** Above this many bytes waiting in the socket, egress waits ('drain') before reading more events. */
export const HIGH_WATER_BYTES = 64 * 1024;

/** The answer's headers a client may act on, passed in an error message (Codex reads them there). */
const PASSED_HEADERS = /^(x-request-id|retry-after|x-sluice-error-code|x-ratelimit-|x-sluice-)/;

/** How the turn ended, as far as the client was told. */
export type TurnEnd = 'completed' | 'incomplete' | 'failed' | 'error';

/** What a turn's messages repeat of its response.create (socket-turns.ts). */
export interface TurnEcho {
  previousResponseId?: string;
  streamId?: string;
}

/**
 * A message of a turn whose response.create named a `stream_id` lane: OpenAI's socket puts it on
 * every event of that response, so a client running several lanes on one socket can tell them apart.
 */
export function withStreamId(text: string, lane: string | undefined): string {
  if (lane === undefined) return text;
  const open = text.indexOf('{');
  if (open === -1) return text;
  const rest = text.slice(open + 1);
  return `{"stream_id":${JSON.stringify(lane)}${rest.trimStart().startsWith('}') ? '' : ','}${rest}`;
}

/** How the sending side of a connection watches a client that stops reading (server.send_timeout_ms). */
export interface StallWatch {
  /** The connection's own socket, under the WebSocket: what leaves it is what the client took. */
  socket: Duplex;
  ms: number;
  /** Nothing left the socket for `ms` while it was over its high-water mark. */
  stalled(): void;
}

/**
 * A connection's sending side, shared by the turns of its lanes, which run at once: whether the
 * socket is over its high-water mark is the connection's state, not a turn's, so every turn that
 * waits for the queue to go down is told when it has — a turn's own last message may leave while
 * another lane's still fill the queue, and no later message of its own would tell it.
 */
export class SocketOutbox {
  private readonly waiting = new Set<() => void>();
  private readonly watch: SendWatch | undefined;

  constructor(readonly ws: WebSocket, stall?: StallWatch) {
    this.watch = stall && new SendWatch(stall.socket, stall.ms, () => !this.open || !this.behind, stall.stalled);
  }

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  /** Whether the socket is over its high-water mark: the client is behind. */
  get behind(): boolean {
    return this.ws.bufferedAmount >= HIGH_WATER_BYTES;
  }

  /** Sends `text`; false when the socket is over its high-water mark (call `onDrain`). */
  send(text: string): boolean {
    this.ws.send(text, this.sent);
    if (!this.behind) return true;
    this.watch?.arm();
    return false;
  }

  /** Something waits for the socket to go under its high-water mark: the client is watched until it has. */
  held(): void {
    if (this.behind) this.watch?.arm();
  }

  /** `fn` once the socket is back under its high-water mark. */
  onDrain(fn: () => void): void {
    this.waiting.add(fn);
  }

  private readonly sent = (): void => {
    // Per message sent: nothing to look at unless someone waits or the client is watched.
    if (this.waiting.size === 0 && this.watch?.armed !== true) return;
    if (this.behind) return;
    this.watch?.disarm();
    if (this.waiting.size === 0) return;
    const fns = [...this.waiting];
    this.waiting.clear();
    for (const fn of fns) fn();
  };
}

export class SocketTurnResponse extends EventEmitter implements ResponseSink {
  statusCode = 200;
  headersSent = false;
  destroyed = false;
  writableEnded = false;
  writableFinished = false;
  writableNeedDrain = false;
  shouldKeepAlive = false;
  readonly socket = null;
  /** The last event the client was sent that ends a response, if any. */
  told: TurnEnd | undefined = undefined;
  /** The response object of `response.completed` (or `.incomplete`): what the next turn may chain from. */
  finished: JsonObject | undefined = undefined;
  private readonly headers: Record<string, string> = {};
  private streaming = false;

  /**
   * `echo.previousResponseId`: the id a chained turn's client sent, which its response objects echo
   * (OpenAI's do) though the provider was sent the whole conversation instead and says null.
   * `echo.streamId`: the lane the response.create named, which every message of the turn carries.
   */
  constructor(private readonly out: SocketOutbox, private readonly echo: TurnEcho = {}) {
    super();
  }

  setHeader(name: string, value: number | string | readonly string[]): this {
    this.headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    return this;
  }

  getHeader(name: string): string | undefined {
    return this.headers[name.toLowerCase()];
  }

  writeHead(statusCode: number, headers?: OutgoingHttpHeaders): this {
    this.statusCode = statusCode;
    if (headers) for (const name in headers) { const v = headers[name]; if (v !== undefined) this.setHeader(name, v); }
    this.headersSent = true;
    this.streaming = this.headers['content-type'] === MESSAGES_CONTENT_TYPE;
    return this;
  }

  /** A stream's events, one per line (stream-framing.ts MessagesFramer). */
  write(chunk: string): boolean {
    if (this.destroyed || this.writableEnded) return false;
    this.headersSent = true;
    let from = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', from)) {
      if (nl > from) this.sendEvent(chunk.slice(from, nl));
      from = nl + 1;
    }
    return !this.writableNeedDrain;
  }

  end(chunk?: string | Buffer): this {
    if (this.destroyed || this.writableEnded) return this;
    if (this.streaming) {
      if (chunk !== undefined) this.write(chunk.toString());
    } else {
      this.headersSent = true;
      this.answerJson(chunk === undefined ? '' : chunk.toString());
    }
    this.writableEnded = true;
    process.nextTick(() => {
      this.writableFinished = true;
      this.emit('finish');
      this.emit('close');
    });
    return this;
  }

  /**
   * The answer broke off (the handler gives up on a stream it cannot finish): on HTTP a reset
   * connection; here the socket stays open for the next turn, so the client is told this one ended.
   */
  destroy(): this {
    if (this.destroyed || this.writableFinished) return this;
    if (this.told === undefined && !this.writableEnded) {
      this.send(JSON.stringify({ type: 'error', status: 502, error: { type: 'server_error', code: 'SLUICE_E_UPSTREAM_ERROR', message: 'the response broke off before it was complete; retry', param: null } }));
      this.told = 'error';
    }
    this.abandon();
    return this;
  }

  /**
   * The client closed the socket (or it broke): as a client gone on HTTP, the turn is abandoned —
   * unless its answer was already whole (ended, its 'finish' not yet emitted).
   */
  abandon(): void {
    if (this.destroyed || this.writableEnded) return;
    this.destroyed = true;
    this.emit('close');
  }

  private sendEvent(text: string): void {
    // Only the events that carry a response object or end one are read (a cheap test first; a
    // delta's text has its quotes escaped): the rest pass as they are.
    const echo = this.echo.previousResponseId !== undefined && text.includes('"previous_response_id"');
    if (echo || text.includes('"response.completed"') || text.includes('"response.incomplete"') || text.includes('"response.failed"') || text.includes('"error"')) text = this.readEvent(text, echo);
    this.send(text);
  }

  /** Notes how the turn ended; returns the event's text, its response's previous_response_id echoed when `echo`. */
  private readEvent(text: string, echo: boolean): string {
    let ev: unknown;
    try { ev = JSON.parse(text); } catch { return text; }
    if (typeof ev !== 'object' || ev === null || Array.isArray(ev)) return text;
    const { type, response } = ev as JsonObject;
    const object = typeof response === 'object' && response !== null && !Array.isArray(response) ? response : undefined;
    if (echo && object && 'previous_response_id' in object) {
      object['previous_response_id'] = this.echo.previousResponseId!;
      text = JSON.stringify(ev);
    }
    if (type === 'response.completed' || type === 'response.incomplete') {
      this.told = type === 'response.completed' ? 'completed' : 'incomplete';
      if (object) this.finished = object;
    } else if (type === 'response.failed') this.told = 'failed';
    else if (type === 'error') this.told = 'error';
    return text;
  }

  /** An answer without a stream: an error before any event, or (rarely) a whole response object. */
  private answerJson(text: string): void {
    let body: unknown;
    try { body = JSON.parse(text); } catch { body = undefined; }
    const object = typeof body === 'object' && body !== null && !Array.isArray(body) ? body as JsonObject : undefined;
    if (this.statusCode >= 400 || !object || object['object'] !== 'response') {
      const inner = object?.['error'];
      const error = typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? inner
        : { type: 'server_error', code: null, message: typeof inner === 'string' ? inner : 'the gateway could not answer this request', param: null };
      this.send(JSON.stringify({ type: 'error', status: this.statusCode >= 400 ? this.statusCode : 502, error, headers: this.passedHeaders() }));
      this.told = 'error';
      return;
    }
    // A whole response where a stream was asked for: told as the events a stream would end with.
    this.send(JSON.stringify({ type: 'response.created', sequence_number: 0, response: { ...object, status: 'in_progress', output: [] } }));
    const type = object['status'] === 'incomplete' ? 'response.incomplete' : object['status'] === 'failed' ? 'response.failed' : 'response.completed';
    this.sendEvent(JSON.stringify({ type, sequence_number: 1, response: object }));
  }

  private passedHeaders(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name in this.headers) if (PASSED_HEADERS.test(name)) out[name] = this.headers[name]!;
    return out;
  }

  private send(text: string): void {
    if (!this.out.open) return;
    if (!this.out.send(withStreamId(text, this.echo.streamId)) && !this.writableNeedDrain) {
      this.writableNeedDrain = true;
      this.out.onDrain(this.drained);
    }
  }

  private readonly drained = (): void => {
    this.writableNeedDrain = false;
    this.emit('drain');
  };
}
