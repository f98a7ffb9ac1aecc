// The data-plane request handler: ingress → plugin chain → dispatch → egress, with one completion
// record per request whatever happens (logged, counted, and handed to every plugin's onRequest).
import type { IncomingMessage } from 'node:http';
import { GatewayError, toGatewayError } from '../errors.js';
import type { Completion, Endpoint } from '../exchange.js';
import type { Logger } from '../observability/logger.js';
import type { Principal } from '../exchange.js';
import { isThenable, namedPrincipal } from '../plugin/authenticated.js';
import type { Authenticate, SluiceContext } from '../plugin/contract.js';
import type { ApiFamily, JsonObject } from '../protocols/types.js';
import { responseBody } from '../protocols/raw-json.js';
import { RequestAbort } from './abort.js';
import type { BodyLimits, JsonBody } from './body.js';
import { dispatch, type DispatchOptions } from './dispatch.js';
import { exchangeHead, sendError, setExchangeHeaders, writeJson, writeStream, type StreamWriter } from './egress.js';
import { logOwnFailure } from './failure-log.js';
import type { HttpExchange } from './exchange-impl.js';
import type { Cuttable, InFlight } from './in-flight.js';
import type { LastRequests } from './last-request.js';
import { closeIfUnread } from './front-door.js';
import { createExchange, readRequestBody } from './ingress.js';
import { msFixed3 } from './ms-text.js';
import { outcomeFor, type RecordRequest } from './request-log.js';
import type { ResponseSink } from './response-sink.js';
import { logStall, stallOf, watchAnswer } from './send-timeout.js';
import { sessionIdFrom } from './session.js';

const NO_BODY: JsonObject = Object.freeze({}) as JsonObject;

export interface HandlerOptions {
  chain: (ctx: SluiceContext, next: () => Promise<void>) => Promise<void>;
  /** The chain's authentication, run on the request's head before its body is read. */
  authenticate?: Authenticate | undefined;
  bodyLimits: BodyLimits;
  keepAliveMs: number;
  /** server.send_timeout_ms: a client that takes none of its answer for this long is disconnected. */
  sendTimeoutMs: number;
  logger: Logger;
  /** Logs, counts and publishes one finished request. */
  record: RecordRequest;
  /** Where each request registers how to cut it short at the shutdown deadline. */
  inFlight: InFlight;
  /** Connections of streams in flight when a shutdown began, waiting for one more request. */
  lastRequests: LastRequests;
  /** Each upstream attempt's wait and result (the upstream latency metric). */
  onUpstreamAttempt?: DispatchOptions['onAttempt'];
  /** Each provider's `retry` settings (the provider registry's). */
  retryPolicy?: DispatchOptions['retryPolicy'];
  cooldown?: DispatchOptions['cooldown'];
  /** Each same-provider retry, or one the budget refused (the retries metric). */
  onUpstreamRetry?: DispatchOptions['onRetry'];
}

/** Where a request came from, resolved once by the caller. */
export interface Arrival {
  id: string;
  receivedAt: number;
  query: Record<string, string>;
  peerAddress: string;
  clientAddress: string;
  pathModel: string | undefined;
  /** The body, when it came some other way than the request stream (a turn on a WebSocket); HTTP reads it from `req`. */
  body: JsonBody | undefined;
}

export function createDataPlaneHandler(opts: HandlerOptions) {
  // A stream's preamble is held back at most one keep-alive interval: past that the client needs
  // headers and keep-alives more than the chance of a fallback.
  const shared: Shared = { ...opts, dispatchOptions: { holdMs: opts.keepAliveMs, onAttempt: opts.onUpstreamAttempt, retryPolicy: opts.retryPolicy, cooldown: opts.cooldown, onRetry: opts.onUpstreamRetry } };
  return function handle(req: IncomingMessage, res: ResponseSink, endpoint: Endpoint, arrival: Arrival): Promise<void> {
    return new DataPlaneRequest(shared, req, res, endpoint, arrival).run();
  };
}

interface Shared extends HandlerOptions {
  dispatchOptions: DispatchOptions;
}

/**
 * One request's state from arrival to its completion record. A class rather than a closure per
 * step: the per-request work is one object and its methods, not a handful of functions made anew.
 */
class DataPlaneRequest implements Cuttable {
  private readonly abort = new RequestAbort();
  private exchange: HttpExchange | undefined = undefined;
  private failure: GatewayError | undefined = undefined;
  private firstByteAt: number | undefined = undefined;
  private streamed = false;
  private writer: StreamWriter | undefined = undefined;
  /** Set when the shutdown deadline cut this request short. */
  private cutBy: GatewayError | undefined = undefined;
  private finished = false;
  /** The connection broke while the answer's last bytes were still queued (held). */
  private broken = false;
  /** Who is asking, once authentication on the head let the request in (kept for a body refused after it). */
  private principal: Principal | undefined = undefined;
  inFlightPrev: Cuttable | undefined = undefined;
  inFlightNext: Cuttable | undefined = undefined;

  constructor(
    private readonly shared: Shared,
    private readonly req: IncomingMessage,
    private readonly res: ResponseSink,
    private readonly endpoint: Endpoint,
    private readonly arrival: Arrival,
  ) {}

  async run(): Promise<void> {
    const { shared, req, res } = this;
    shared.inFlight.add(this);
    // `on`, not `once`: a response closes once, and once() wraps each listener in two more objects.
    res.on('close', () => this.closed());
    try {
      // Who is asking comes first, as at the providers' own APIs: a client without a valid key gets
      // its 401 whatever its body, and no body is read and parsed for it.
      if (shared.authenticate) {
        const { arrival } = this;
        const found = shared.authenticate({ id: arrival.id, headers: req.headers, query: arrival.query, peerAddress: arrival.peerAddress, clientAddress: arrival.clientAddress, family: this.endpoint.family });
        // Any thenable awaited (no await for a plain answer), and one naming nobody refused (authenticated.ts).
        this.principal = namedPrincipal(isThenable(found) ? await found : found);
      }
      const principal = this.principal;
      const reading = this.arrival.body ?? readRequestBody(req, shared.bodyLimits);
      const exchange = createExchange(this.arrival, this.endpoint, req, this.abort, reading && await reading);
      if (principal) exchange.principal = principal;
      this.exchange = exchange;
      await shared.chain({ exchange }, () => dispatch(exchange, shared.dispatchOptions));
      if (this.cutBy) throw this.cutBy; // whatever answered, the shutdown deadline came first
      const response = exchange.response;
      if (!response) throw new GatewayError('SLUICE_E_INTERNAL', 'the chain finished without a response');
      const head = exchangeHead(this.arrival.id, exchange, response.headers);
      if (response.kind === 'json') {
        this.firstByteAt = performance.now();
        writeJson(res, response.status, head, responseBody(response));
        // Written at once unless the client is behind: then held until the client takes it.
        if (!res.writableFinished) this.held();
        return;
      }
      this.streamed = true;
      this.writer = writeStream(res, response, head, {
        keepAliveMs: shared.keepAliveMs,
        sendTimeoutMs: shared.sendTimeoutMs,
        framing: this.endpoint.streamFraming,
        onFirstByte: () => { this.firstByteAt ??= performance.now(); },
        onDone: (error, clientGone) => {
          this.failure ??= error;
          // A disconnect is finished by the 'close' listener; a normal end is finished here.
          if (!clientGone) this.finish(false);
        },
      });
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    const { req, res, exchange } = this;
    const failure = this.cutBy ?? toGatewayError(err);
    this.failure = failure;
    logOwnFailure(this.shared.logger, this.arrival.id, failure);
    if (res.headersSent) { res.destroy(); return; }
    closeIfUnread(req, res);
    res.setHeader('x-request-id', this.arrival.id);
    if (exchange) setExchangeHeaders(res, exchange, {});
    else res.setHeader('x-sluice-overhead-ms', msFixed3(performance.now() - this.arrival.receivedAt));
    const family: ApiFamily = exchange?.clientFamily ?? this.endpoint.family;
    this.firstByteAt = performance.now();
    sendError(res, family, failure, exchange?.responseHeaders);
  }

  /**
   * A JSON answer still queued after its end(): watched for a client that stops reading, and for
   * one that breaks the connection first — Node then still emits 'finish' and reads
   * writableFinished true (a destroyed socket forgets what it held), so only the socket's error
   * tells that the answer never all left.
   */
  private held(): void {
    const { res, shared } = this;
    watchAnswer(res, shared.sendTimeoutMs)?.arm();
    const socket = res.socket;
    if (!socket) return;
    const broke = () => { this.broken = true; };
    socket.once('error', broke);
    res.once('close', () => socket.off('error', broke)); // the connection may carry more requests
  }

  /** The response's 'close': written out, or the client went away first. */
  private closed(): void {
    // A stalled client's connection was destroyed with the answer's last bytes still queued, which
    // a destroyed socket forgets: writableFinished reads true then, though they never left (held).
    const stall = stallOf(this.res);
    const gone = stall !== undefined || this.broken || !this.res.writableFinished;
    if (gone) {
      if (stall) {
        // The client stopped reading: its connection was closed. Said once, with why.
        this.failure ??= stall;
        logStall(this.shared.logger, this.shared.sendTimeoutMs, this.arrival.id);
      }
      this.abort.abort();
    }
    if (!this.streamed || gone) this.finish(gone);
  }

  lastOnConnection(): void {
    const res = this.res;
    // Not started: answered with `connection: close`, so no proxy sends this instance another
    // request on it. Started with keep-alive (a stream): the client takes the connection back as
    // reusable when the response completes, so it carries one more request (last-request.ts).
    if (!res.headersSent) res.shouldKeepAlive = false;
    else if (!res.writableFinished && res.shouldKeepAlive) {
      const socket = res.socket; // Node detaches it from the response as the response finishes
      res.once('finish', () => { if (socket) this.shared.lastRequests.await(socket); });
    }
  }

  cut(error: GatewayError): Promise<void> {
    const res = this.res;
    if (res.writableEnded) return responseSettled(res); // already answered in full
    this.cutBy = error;
    const flushed = this.writer ? this.writer.cut(error) : responseSettled(res);
    this.abort.abort(); // releases the upstream; a request still in dispatch fails and gets its HTTP error
    return flushed;
  }

  private finish(clientGone: boolean): void {
    if (this.finished) return;
    this.finished = true;
    const { shared, req, res, exchange, arrival, cutBy } = this;
    shared.inFlight.delete(this);
    const failure = cutBy ?? this.failure;
    this.failure = failure;
    const receivedAt = arrival.receivedAt;
    const totalMs = performance.now() - receivedAt;
    // Gone before any answer was written: nginx's 499.
    const status = clientGone && !res.headersSent ? 499 : res.statusCode;
    const outcome: Completion['outcome'] = cutBy ? 'error'
      : !failure && exchange?.outcome && !clientGone ? exchange.outcome
      : outcomeFor(failure, status, clientGone);
    const firstByteMs = this.firstByteAt !== undefined ? this.firstByteAt - receivedAt : undefined;
    const completion: Completion = { outcome, status, usage: exchange?.usage, error: failure, firstByteMs, totalMs };
    exchange?.complete(completion);
    shared.record({
      id: arrival.id, endpoint: this.endpoint.id, family: exchange?.clientFamily ?? this.endpoint.family, method: req.method ?? '', path: pathOf(req),
      peerAddress: arrival.peerAddress, clientAddress: arrival.clientAddress, receivedAt, completion, exchange,
      // Without an exchange the body was unreadable or refused; the headers still name the session.
      // The principal too when authentication let it in before the body was refused.
      ...(exchange ? {} : { sessionId: sessionIdFrom(req.headers, NO_BODY), model: arrival.pathModel, stream: this.endpoint.streamByPath === true, principal: this.principal }),
    });
  }
}

export function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** Resolves once the response has been written out or its connection closed. */
function responseSettled(res: ResponseSink): Promise<void> {
  return new Promise<void>((resolve) => {
    if (res.writableFinished || res.destroyed) { resolve(); return; }
    res.once('finish', resolve);
    res.once('close', resolve);
  });
}
