// One Responses WebSocket connection (OpenAI's "WebSocket mode", Codex CLI's transport): each
// `response.create` message is one turn, run through the whole data plane as one request — the
// chain, its ledger row and access-log line, its own request id — and answered with the Responses
// streaming events, one message each. The connection keeps its latest response (input and output
// items) so that a turn sending only `previous_response_id` and new items reaches any provider as a
// complete, stateless request, with `store: false` too.
import { randomBytes } from 'node:crypto';
import { IncomingMessage, type IncomingHttpHeaders } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import { errorBody, GatewayError, toGatewayError } from '../errors.js';
import type { Endpoint, Principal } from '../exchange.js';
import type { Logger } from '../observability/logger.js';
import { isThenable, namedPrincipal } from '../plugin/authenticated.js';
import type { Authenticate } from '../plugin/contract.js';
import { exceedsJsonDepth } from '../protocols/json-depth.js';
import type { JsonObject, JsonValue } from '../protocols/types.js';
import type { BodyLimits } from './body.js';
import type { Arrival } from './handler.js';
import { freshRequestId } from './ingress.js';
import type { RecordRequest } from './request-log.js';
import type { ResponseSink } from './response-sink.js';
import { logStall, markStalled, sendTimedOut } from './send-timeout.js';
import { sessionIdFrom } from './session.js';
import { HIGH_WATER_BYTES, SocketOutbox, SocketTurnResponse, withStreamId, type TurnEcho } from './socket-response.js';

export type DataPlaneHandle = (req: IncomingMessage, res: ResponseSink, endpoint: Endpoint, arrival: Arrival) => Promise<void>;

/** What every connection shares: the data plane and how turns are recorded. */
export interface TurnServices {
  handle: DataPlaneHandle;
  record: RecordRequest;
  bodyLimits: BodyLimits;
  logger: Logger;
  /** The chain's authentication: run on the upgrade's headers before it is accepted, and again for a turn no plugin sees (generate: false). */
  authenticate: Authenticate | undefined;
  /** server.websocket_idle_timeout_ms, server.websocket_lifetime_ms and server.send_timeout_ms. */
  life: { idleMs: number; lifetimeMs: number; sendTimeoutMs: number };
}

/** Who opened the connection, resolved once at the upgrade. */
export interface ConnectionOrigin {
  /** The upgrade's headers less the handshake's own (turnHeaders): each turn's request headers. */
  headers: IncomingHttpHeaders;
  path: string;
  query: Record<string, string>;
  peerAddress: string;
  clientAddress: string;
  principal: Principal | undefined;
}

/** The Responses endpoint as a socket turn speaks it: events framed as messages (stream-framing.ts). */
export const SOCKET_RESPONSES: Endpoint = Object.freeze({ id: 'openai.responses', family: 'openai', operation: 'responses', streamFraming: 'messages' });

/**
 * Messages waiting behind the turns in flight, all lanes together. A lane runs its responses one at
 * a time, in order (OpenAI's FIFO per stream_id); a client that sends a lane's next before its last
 * ended waits its turn, within reason (each message is at most server.body_limit).
 */
const MAX_WAITING = 8;

/**
 * Lanes (stream_id) whose latest response a connection keeps for chaining, and lanes whose turns
 * run at once: each is held to server.body_limit, so this bounds what one socket holds and costs
 * (OpenAI allows 32 named lanes). A lane past it waits for one of the others to go quiet.
 */
const MAX_LANES = 8;

/** A client message as read on arrival: the lane it is for, and the response.create or why it is refused. */
interface Queued {
  lane: string;
  message?: JsonObject;
  refusal?: GatewayError;
}

/** The connection's latest response, as a complete input for a turn that chains from it. */
interface Chain {
  id: string;
  items: JsonValue[];
  /** The response these items continue that only the upstream holds (a prewarm naming a stored response): still named upstream. */
  upstream?: string;
}

export class ResponsesConnection {
  /**
   * Each lane's latest response (the key is the stream_id, '' for turns naming none), least
   * recently used first: OpenAI keeps the latest response of each lane, and a turn may continue
   * (fork) the latest of any lane.
   */
  private readonly lanes = new Map<string, Chain>();
  /** Each lane's messages not yet run (the key as in `lanes`); a lane is here while it has a turn running or waiting. */
  private readonly queues = new Map<string, Queued[]>();
  private waitingCount = 0;
  /** Lanes with a turn running (at most MAX_LANES). */
  private readonly running = new Set<string>();
  private readonly inFlight = new Set<SocketTurnResponse>();
  private readonly out: SocketOutbox;
  /** Why the socket is to close once the turn in flight has ended (a shutdown, its lifetime): no new turn runs. */
  private ending: { reason: string; refusal: () => GatewayError; code?: string } | undefined = undefined;
  private idleTimer: NodeJS.Timeout | undefined = undefined;
  private readonly lifetimeTimer: NodeJS.Timeout;

  /** `socket`: the connection under `ws`, watched for a client that stops reading (send-timeout.ts). */
  constructor(private readonly ws: WebSocket, private readonly origin: ConnectionOrigin, private readonly services: TurnServices, socket?: Duplex) {
    this.out = new SocketOutbox(ws, socket && { socket, ms: services.life.sendTimeoutMs, stalled: () => this.stalled() });
    ws.on('message', (data, isBinary) => this.received(data, isBinary));
    ws.on('close', () => {
      for (const queue of this.queues.values()) queue.length = 0;
      this.waitingCount = 0;
      this.lanes.clear();
      for (const res of this.inFlight) res.abandon();
      clearTimeout(this.idleTimer);
      clearTimeout(this.lifetimeTimer);
    });
    // A socket may not hold its conversation (up to server.body_limit) for ever: OpenAI's closes at
    // 60 minutes whatever it does, and one that only answers pings is idle.
    const { lifetimeMs } = services.life;
    this.lifetimeTimer = setTimeout(() => this.end({ reason: `connection limit reached (${msText(lifetimeMs)}); open a new connection`, refusal: () => connectionLimit(lifetimeMs), code: CONNECTION_LIMIT_CODE }), lifetimeMs).unref();
    this.armIdle();
  }

  /**
   * A shutdown began: closes now when idle (1001, "going away"), else once the turn in flight has
   * ended — the messages waiting behind it are answered as refused first, in their order.
   */
  shutdown(): void {
    this.end({ reason: 'the gateway is shutting down', refusal: SHUTTING_DOWN });
  }

  /**
   * The client took nothing of what it was sent for server.send_timeout_ms: the connection is
   * dropped without a close frame (RFC 6455 §7.1.7: it would wait behind what the client does not
   * read), and the turns in flight end as client disconnects that say why (handler.ts).
   */
  private stalled(): void {
    const error = sendTimedOut(this.services.life.sendTimeoutMs);
    for (const res of this.inFlight) markStalled(res, error);
    // A turn in flight says it in its own line; between turns, the connection says it.
    if (this.inFlight.size === 0) logStall(this.services.logger, this.services.life.sendTimeoutMs);
    this.ws.terminate();
  }

  /** Closes the socket (1001) now when no turn runs, else once the turns in flight have ended. */
  private end(ending: NonNullable<ResponsesConnection['ending']>): void {
    this.ending ??= ending;
    clearTimeout(this.idleTimer);
    if (this.running.size === 0 && this.ws.readyState === this.ws.OPEN) this.ws.close(1001, this.ending.reason);
  }

  /** Idleness counts from the last turn's end (or the socket's opening): a turn in flight, or a message, is not idle. */
  private armIdle(): void {
    clearTimeout(this.idleTimer);
    const { idleMs } = this.services.life;
    this.idleTimer = setTimeout(() => this.end({ reason: `idle for ${msText(idleMs)}; open a new connection`, refusal: SHUTTING_DOWN }), idleMs).unref();
  }

  /**
   * Every message is answered in its lane's order, after the lane's turn in flight: an answer sent
   * at once would land among that turn's events, which the client reads as that turn's. A message
   * that names no lane, or cannot be read, is in the default lane.
   */
  private received(data: RawData, isBinary: boolean): void {
    // Sent after the gateway's close frame crossed it: nothing can answer it now.
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.waitingCount >= MAX_WAITING) {
      // Answering would interleave with a turn in flight; a client this far ahead is told by the close.
      this.ws.close(1008, `more than ${MAX_WAITING} messages waiting behind the responses in flight; send one response.create a lane at a time`);
      return;
    }
    const next = isBinary ? { lane: '', refusal: new GatewayError('SLUICE_E_INVALID_REQUEST', 'messages on this socket are JSON text; a binary message was sent') } : this.read(toBuffer(data));
    // Codex acknowledges each response it has handled; OpenAI's socket answers nothing to that.
    if (next === undefined) return;
    this.waitingCount++;
    clearTimeout(this.idleTimer);
    const queue = this.queues.get(next.lane);
    if (queue) queue.push(next);
    else {
      this.queues.set(next.lane, [next]);
      this.startLanes();
    }
  }

  /**
   * A client message as JSON: a response.create to run, something to refuse (answered, and recorded
   * as an HTTP request refused before the chain is; the socket stays open), or nothing to answer.
   */
  private read(bytes: Buffer): Queued | undefined {
    const { bodyLimits } = this.services;
    if (exceedsJsonDepth(bytes, bodyLimits.maxDepth)) return { lane: '', refusal: new GatewayError('SLUICE_E_JSON_TOO_DEEP', `the message is nested more than ${bodyLimits.maxDepth} levels deep`) };
    let parsed: unknown;
    try { parsed = JSON.parse(bytes.toString('utf8')); } catch {
      return { lane: '', refusal: new GatewayError('SLUICE_E_BAD_JSON', 'the message is not valid JSON') };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { lane: '', refusal: new GatewayError('SLUICE_E_BAD_JSON', 'the message must be a JSON object') };
    const message = parsed as JsonObject;
    const { type, stream_id: streamId } = message;
    if (type === 'response.processed') return undefined;
    const lane = typeof streamId === 'string' ? streamId : '';
    if (type !== 'response.create') {
      const named = typeof type === 'string' ? `"${type.slice(0, 60)}"` : 'no type';
      return { lane, refusal: new GatewayError('SLUICE_E_INVALID_REQUEST', `unknown message type ${named}: this socket takes response.create`, { param: 'type' }) };
    }
    return { lane, message };
  }

  /** Starts every lane that has messages and no turn running, as far as MAX_LANES allows. */
  private startLanes(): void {
    for (const [lane, queue] of this.queues) {
      if (this.running.size >= MAX_LANES) return;
      if (this.running.has(lane)) continue;
      this.running.add(lane);
      void this.runLane(lane, queue);
    }
  }

  private async runLane(lane: string, queue: Queued[]): Promise<void> {
    try {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        this.waitingCount--;
        // A client that does not read what it was sent is read no further until it has: every
        // message is answered, and answers it leaves unread would be held here without bound.
        if (this.ws.bufferedAmount >= HIGH_WATER_BYTES) await this.drained();
        const receivedAt = performance.now();
        const named = lane === '' ? undefined : lane;
        try {
          if (this.ending) this.refuseTurn(freshRequestId(), receivedAt, NO_BODY, this.ending.refusal(), this.ending.code, named);
          else if (next.refusal) this.refuseTurn(freshRequestId(), receivedAt, NO_BODY, next.refusal, undefined, named);
          else await this.turn(next.message!, receivedAt);
        } catch (err) {
          // A turn's own failures are answered by the handler; this is the connection's code failing.
          this.services.logger.error('websocket turn failed', { error: err });
          this.sendError(new GatewayError('SLUICE_E_INTERNAL', 'the gateway failed to run this response'), undefined, undefined, named);
        }
      }
    } finally {
      this.queues.delete(lane);
      this.running.delete(lane);
      if (this.running.size === 0 && this.ending) this.end(this.ending);
      else if (this.running.size === 0 && this.ws.readyState === this.ws.OPEN) this.armIdle();
      this.startLanes();
    }
  }

  /** Stops reading the socket until what was sent on it has left for the client (or it closed). */
  private drained(): Promise<void> {
    this.ws.pause();
    this.out.held();
    return new Promise((resolve) => {
      let done = false;
      const go = () => {
        if (done) return;
        done = true;
        this.ws.off('close', go);
        if (this.ws.readyState === this.ws.OPEN) this.ws.resume();
        resolve();
      };
      this.ws.once('close', go);
      // A ping is written after everything queued before it: its callback says the queue has left.
      this.ws.ping(undefined, undefined, go);
    });
  }

  private async turn(message: JsonObject, receivedAt: number): Promise<void> {
    const id = freshRequestId();
    const body: JsonObject = {};
    // The socket's own fields: the provider gets a Responses create body (OpenAI's POST refuses a
    // parameter it does not know, and stream_id is one).
    for (const key in message) if (!SOCKET_FIELDS.has(key)) body[key] = message[key]!;
    const streamId = message['stream_id'];
    const lane = typeof streamId === 'string' && streamId.length <= STREAM_ID_MAX ? streamId : undefined;
    const refused = (error: GatewayError, code?: string) => this.refuseTurn(id, receivedAt, body, error, code, lane);
    if (streamId !== undefined && lane === undefined) {
      const why = typeof streamId === 'string' ? `stream_id must be at most ${STREAM_ID_MAX} characters` : 'stream_id must be a string';
      refused(new GatewayError('SLUICE_E_INVALID_REQUEST', why, { param: 'stream_id' }));
      return;
    }
    if (body['background'] === true) { refused(new GatewayError('SLUICE_E_INVALID_REQUEST', 'background responses are not supported over WebSocket', { param: 'background' })); return; }
    // Taken as `true` it would call the model the client meant only to prepare: refused, as OpenAI refuses a mistyped field.
    if (message['generate'] !== undefined && typeof message['generate'] !== 'boolean') { refused(new GatewayError('SLUICE_E_INVALID_REQUEST', 'generate must be a boolean', { param: 'generate' })); return; }
    const previous = body['previous_response_id'];
    let chained = false;
    let upstream: string | undefined;
    if (typeof previous === 'string' && previous !== '') {
      const from = this.chainOf(previous);
      if (from) {
        body['input'] = [...from.items, ...inputItems(body['input'])];
        upstream = from.upstream;
        if (upstream === undefined) delete body['previous_response_id'];
        else body['previous_response_id'] = upstream;
        chained = true;
      } else if (body['store'] === false) {
        // Not the latest response of any of this connection's lanes, and not stored anywhere it could be found: what
        // OpenAI answers, so the client sends the whole conversation again.
        refused(new GatewayError('SLUICE_E_INVALID_REQUEST', `Previous response with id '${previous.slice(0, 100)}' not found.`, { param: 'previous_response_id' }), 'previous_response_not_found');
        return;
      }
      // Otherwise a stored response the upstream may know: sent on as the HTTP path would send it.
    }
    if (message['generate'] === false) {
      // No plugin runs for a prepared turn, but a key revoked since the upgrade stops at the next
      // turn whatever it asks (as its next HTTP request would), and the row names who it is now.
      let principal = this.origin.principal;
      const { authenticate } = this.services;
      if (authenticate) {
        try {
          const found = authenticate({ id, headers: this.origin.headers, query: this.origin.query, peerAddress: this.origin.peerAddress, clientAddress: this.origin.clientAddress, family: 'openai' });
          principal = namedPrincipal(isThenable(found) ? await found : found);
        } catch (err) {
          refused(toGatewayError(err));
          return;
        }
      }
      this.prepare(id, receivedAt, body, principal, { previousResponseId: typeof previous === 'string' && previous !== '' ? previous : undefined, streamId: lane });
      return;
    }
    body['stream'] = true;
    const text = JSON.stringify(body);
    // The whole conversation goes upstream: a chained turn is held to server.body_limit as the same
    // conversation POSTed over HTTP is, and the connection's memory with it.
    const bytes = Buffer.from(text);
    if (bytes.length > this.services.bodyLimits.maxBytes) {
      refused(new GatewayError('SLUICE_E_BODY_TOO_LARGE', `request body exceeds the limit of ${this.services.bodyLimits.maxBytes} bytes (the conversation this turn continues, with its new items)`));
      return;
    }
    const res = new SocketTurnResponse(this.out, { previousResponseId: chained ? previous as string : undefined, streamId: lane });
    this.inFlight.add(res);
    const ended = new Promise<void>((resolve) => res.once('close', resolve));
    const arrival: Arrival = {
      id, receivedAt, query: this.origin.query, peerAddress: this.origin.peerAddress, clientAddress: this.origin.clientAddress,
      pathModel: undefined, body: { value: body, bytes },
    };
    await this.services.handle(this.turnRequest(), res, SOCKET_RESPONSES, arrival);
    await ended;
    this.inFlight.delete(res);
    const finished = res.finished;
    if (finished && typeof finished['id'] === 'string') {
      // What the next turn chains from: this turn's whole input (expanded) and the response's output
      // as the client got it. The input as the client sent it, read back from the text: plugins
      // rewrite the request in place (the firewall's redaction), and the client would send the
      // original again over HTTP, for the chain to rewrite once more. A turn whose previous
      // response only the upstream knows has no whole input here.
      const output = Array.isArray(finished['output']) ? finished['output'] : [];
      const sent = (JSON.parse(text) as JsonObject)['input'];
      this.keep(lane, chained || typeof previous !== 'string' || previous === ''
        ? { id: finished['id'], items: [...inputItems(sent), ...output], upstream }
        : undefined);
    }
  }

  /**
   * `generate: false`: the client prepares the next turn's state (instructions, tools, messages)
   * without a model call. Answered here with an empty completed response whose id the next turn
   * chains from; recorded as a request, with no upstream and no tokens. Its response names the
   * previous response the client continued, as every response does, and its messages the lane.
   */
  private prepare(id: string, receivedAt: number, body: JsonObject, principal: Principal | undefined, echo: TurnEcho): void {
    const responseId = `resp_${randomBytes(16).toString('hex')}`;
    const model = typeof body['model'] === 'string' ? body['model'] : '';
    const response: JsonObject = {
      id: responseId, object: 'response', created_at: Math.floor(Date.now() / 1000), status: 'completed', error: null, incomplete_details: null,
      model, output: [], previous_response_id: echo.previousResponseId ?? null, store: body['store'] === false ? false : true,
      usage: { input_tokens: 0, input_tokens_details: { cached_tokens: 0 }, output_tokens: 0, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 0 },
    };
    this.send(withStreamId(JSON.stringify({ type: 'response.created', sequence_number: 0, response: { ...response, status: 'in_progress', usage: null } }), echo.streamId));
    this.send(withStreamId(JSON.stringify({ type: 'response.completed', sequence_number: 1, response }), echo.streamId));
    // A previous response left in the body is one only the upstream holds: the turn chained from
    // this one names it, or the conversation before it would be silently left out.
    const upstream = body['previous_response_id'];
    this.keep(echo.streamId, { id: responseId, items: inputItems(body['input']), upstream: typeof upstream === 'string' && upstream !== '' ? upstream : undefined });
    this.recordTurn(id, receivedAt, body, 200, undefined, principal);
  }

  /** The latest response of a lane whose id is `id`, if one is kept. */
  private chainOf(id: string): Chain | undefined {
    for (const chain of this.lanes.values()) if (chain.id === id) return chain;
    return undefined;
  }

  /**
   * `chain` as its lane's latest response (none: the lane keeps nothing). Past MAX_LANES the least
   * recently used lane is forgotten: its next turn is previous_response_not_found (with store:
   * false) and the client sends the whole conversation, as on a new connection.
   */
  private keep(lane: string | undefined, chain: Chain | undefined): void {
    const key = lane ?? '';
    this.lanes.delete(key);
    if (!chain) return;
    this.lanes.set(key, chain);
    if (this.lanes.size > MAX_LANES) this.lanes.delete(this.lanes.keys().next().value!);
  }

  /** A turn refused before the data plane: the error message, and its record as any refused request has. */
  private refuseTurn(id: string, receivedAt: number, body: JsonObject, error: GatewayError, code?: string, lane?: string): void {
    this.sendError(error, code, id, lane);
    this.recordTurn(id, receivedAt, body, error.status, error);
  }

  private recordTurn(id: string, receivedAt: number, body: JsonObject, status: number, error: GatewayError | undefined, principal = this.origin.principal): void {
    const { origin } = this;
    const totalMs = performance.now() - receivedAt;
    this.services.record({
      id, endpoint: SOCKET_RESPONSES.id, family: 'openai', method: SOCKET_METHOD, path: origin.path, peerAddress: origin.peerAddress, clientAddress: origin.clientAddress,
      receivedAt, exchange: undefined, completion: { outcome: error ? 'error' : 'success', status, usage: undefined, error, firstByteMs: totalMs, totalMs },
      sessionId: sessionIdFrom(origin.headers, body), model: typeof body['model'] === 'string' ? body['model'] : undefined, stream: true, principal,
    });
  }

  /** The error message OpenAI's socket sends for a request refused before any event (Codex reads `status`). */
  private sendError(error: GatewayError, code?: string, requestId?: string, lane?: string): void {
    const inner = errorBody(error, 'openai')['error'] as JsonObject;
    const headers: Record<string, string> = { 'x-sluice-error-code': error.code };
    if (requestId) headers['x-request-id'] = requestId;
    this.send(withStreamId(JSON.stringify({ type: 'error', status: error.status, error: code ? { ...inner, code } : inner, headers }), lane));
  }

  private send(text: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }

  /**
   * The request a turn is to the data plane: the upgrade's headers, on the Responses path, with a
   * method of its own (`WS`) so its log line and ledger row say how it came. Its body arrives
   * already parsed (Arrival.body): nothing reads this stream.
   */
  private turnRequest(): IncomingMessage {
    const req = new IncomingMessage(new Socket());
    req.method = SOCKET_METHOD;
    req.url = this.origin.path;
    req.headers = { ...this.origin.headers };
    req.complete = true;
    req.push(null);
    return req;
  }
}

/** What a response.create carries for the socket alone, never sent to a provider. */
const SOCKET_FIELDS = new Set(['type', 'generate', 'stream_id']);
/**
 * A lane's name is echoed in every event of its responses and kept while the socket lives: a name
 * of megabytes (the message limit allows one) would be written again with each of thousands of
 * deltas. OpenAI documents no bound; 512 is its bound for a metadata value.
 */
const STREAM_ID_MAX = 512;

const NO_BODY: JsonObject = Object.freeze({}) as JsonObject;

/** The error code OpenAI's socket answers past its 60 minutes, on which Codex opens a new connection and sends the whole conversation. */
const CONNECTION_LIMIT_CODE = 'websocket_connection_limit_reached';

const connectionLimit = (lifetimeMs: number) => new GatewayError('SLUICE_E_INVALID_REQUEST', `Responses websocket connection limit reached (${msText(lifetimeMs)}). Create a new websocket connection to continue.`);

/** A duration as the close reason and the error say it: whole minutes, else seconds. */
function msText(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} minutes` : `${ms / 1000} s`;
}

const SHUTTING_DOWN = () => new GatewayError('SLUICE_E_SHUTTING_DOWN', 'the gateway is shutting down; open a new connection (to another instance) and send the whole conversation');

/** What the log line's and ledger row's `method` says of a turn that came on a WebSocket. */
export const SOCKET_METHOD = 'WS';

/** A request's `input` as a list of items (a bare string is one user message). */
function inputItems(input: JsonValue | undefined): JsonValue[] {
  if (Array.isArray(input)) return input;
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] }];
  return [];
}

function toBuffer(data: RawData): Buffer {
  return Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/** Headers of the handshake itself, which a turn's request does not carry. */
const HANDSHAKE = new Set(['connection', 'upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-protocol',
  'content-length', 'transfer-encoding', 'keep-alive', 'te', 'trailer', 'proxy-connection']);

/**
 * The upgrade's headers as each turn's request headers: without the handshake's, with the JSON
 * content type the body has, and without the `responses_websockets` beta (which names this socket,
 * not the request sent upstream over HTTP).
 */
export function turnHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const name in headers) if (!HANDSHAKE.has(name)) out[name] = headers[name];
  out['content-type'] = 'application/json';
  const beta = out['openai-beta'];
  if (typeof beta === 'string') {
    const kept = beta.split(',').map((b) => b.trim()).filter((b) => b !== '' && !b.startsWith('responses_websockets='));
    if (kept.length) out['openai-beta'] = kept.join(', ');
    else delete out['openai-beta'];
  }
  return out;
}
