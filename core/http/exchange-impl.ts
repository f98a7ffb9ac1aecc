// The Exchange as a class: methods on the prototype, lazy parts (view, completion promise, state)
// built only when a plugin asks, so a request no plugin inspects pays for none of them.
import type { IncomingHttpHeaders } from 'node:http';
import type {
  Attempt, Completion, Endpoint, Exchange, Finding, GatewayResponse, Outcome, Principal, StateKey, Target, UpstreamRequest,
} from '../exchange.js';
import { emptyUsage, type ApiFamily, type JsonObject, type Usage } from '../protocols/types.js';
import { createRequestView } from '../protocols/view/request-view.js';
import type { RequestView } from '../protocols/view/types.js';
import { renderReply } from '../replies/render.js';
import { RequestAbort, type AbortLike } from './abort.js';
import type { Reply } from '../replies/reply.js';

/** No extra fallback statuses: shared by every exchange no router gave its own list. */
const NO_STATUSES: readonly number[] = Object.freeze([]);

export interface ExchangeInit {
  id: string;
  endpoint: Endpoint;
  receivedAt: number;
  headers: IncomingHttpHeaders;
  query: Record<string, string>;
  peerAddress: string;
  clientAddress: string;
  sessionId: string | undefined;
  /** A RequestAbort (the gateway's own requests: no AbortController unless a plugin asks), or a signal. */
  signal: AbortLike;
  request: JsonObject;
  /** The body's bytes as received (undefined for GET). */
  bytes: Buffer | undefined;
  model: string | undefined;
  stream: boolean;
}

export class HttpExchange implements Exchange {
  readonly id: string;
  readonly endpoint: Endpoint;
  readonly clientFamily: ApiFamily;
  readonly receivedAt: number;
  readonly headers: Readonly<IncomingHttpHeaders>;
  readonly query: Readonly<Record<string, string>>;
  readonly peerAddress: string;
  readonly clientAddress: string;
  readonly sessionId: string | undefined;
  model: string | undefined;
  stream: boolean;
  principal: Principal | undefined = undefined;
  target: Target | undefined = undefined;
  fallbacks: Target[] = [];
  fallbackOn: readonly number[] = NO_STATUSES;
  translate: ((target: Target) => UpstreamRequest | undefined) | undefined = undefined;
  attempts: Attempt[] = [];
  upstream: UpstreamRequest | undefined = undefined;
  response: GatewayResponse | undefined = undefined;
  outcome: Outcome | undefined = undefined;
  usage: Usage | undefined = undefined;
  findings: Finding[] = [];
  readonly responseHeaders: Record<string, string> = {};
  timings: { upstreamStart?: number; upstreamHeaders?: number; firstByte?: number; failedUpstreamMs?: number } = {};

  /** What undici listens to for this request's abort (core-internal: see abort.ts). */
  readonly abortHandle: AbortLike;
  private body: JsonObject;
  private bytes: Buffer | undefined;
  private readonly received: Buffer | undefined;
  private cachedView: RequestView | undefined;
  private states: Map<StateKey<unknown>, unknown> | undefined;
  private completion: Completion | undefined;
  private completionPromise: Promise<Completion> | undefined;
  private resolveCompletion: ((c: Completion) => void) | undefined;

  constructor(init: ExchangeInit) {
    this.id = init.id;
    this.endpoint = init.endpoint;
    this.clientFamily = init.endpoint.family;
    this.receivedAt = init.receivedAt;
    this.headers = init.headers;
    this.query = init.query;
    this.peerAddress = init.peerAddress;
    this.clientAddress = init.clientAddress;
    this.sessionId = init.sessionId;
    this.abortHandle = init.signal;
    this.body = init.request;
    this.bytes = init.bytes;
    this.received = init.bytes;
    this.model = init.model;
    this.stream = init.stream;
  }

  get signal(): AbortSignal {
    const a = this.abortHandle;
    return a instanceof RequestAbort ? a.signal : a;
  }

  get request(): JsonObject {
    // Whoever takes the mutable body may change it in place: send what they leave, not the old bytes.
    this.bytes = undefined;
    return this.body;
  }

  readRequest(): Readonly<JsonObject> { return this.body; }
  set request(body: JsonObject) {
    this.body = body;
    this.bytes = undefined;
    this.cachedView = undefined;
  }

  get originalBody(): Buffer | undefined { return this.bytes; }
  get receivedBody(): Buffer | undefined { return this.received; }

  requestChanged(): void {
    this.bytes = undefined;
  }

  view(): RequestView {
    return (this.cachedView ??= createRequestView(this.endpoint, this.body, () => { this.bytes = undefined; }));
  }

  reply(reply: Reply): void {
    this.response = renderReply(this.endpoint, reply, { id: this.id, model: this.model ?? 'sluice', stream: this.stream, body: this.body });
    this.outcome = reply.outcome ?? 'success';
    // No upstream call reports usage for a reply: what the plugin says is recorded, else none at all
    // (zeros would read as a provider's report in the ledger).
    this.usage = reply.usage ? { ...emptyUsage(), ...reply.usage, estimated: false } : undefined;
  }

  get completed(): Promise<Completion> {
    if (!this.completionPromise) {
      this.completionPromise = this.completion ? Promise.resolve(this.completion) : new Promise((resolve) => { this.resolveCompletion = resolve; });
    }
    return this.completionPromise;
  }

  /** Core calls this once, when the response is written or abandoned. */
  complete(completion: Completion): void {
    if (this.completion) return;
    this.completion = completion;
    this.resolveCompletion?.(completion);
  }

  get<T>(key: StateKey<T>): T | undefined {
    return this.states?.get(key) as T | undefined;
  }

  set<T>(key: StateKey<T>, value: T): void {
    (this.states ??= new Map()).set(key, value);
  }
}
