// The Exchange: the one typed object every plugin shares for the life of a request.
import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayError } from './errors.js';
import type { ApiFamily, JsonObject, JsonValue, Operation, Protocol, StreamEvent, Usage } from './protocols/types.js';
import type { RequestView } from './protocols/view/types.js';
import type { Provider } from './providers/provider.js';
import type { Reply } from './replies/reply.js';

/**
 * How a stream is written to its client: Server-Sent Events, one JSON array streamed element by
 * element (Gemini's streamGenerateContent without `alt=sse`, as Google's API answers it), or each
 * event's JSON as a message of its own (a Responses turn on a WebSocket).
 */
export type StreamFraming = 'sse' | 'json-array' | 'messages';

export interface Endpoint extends Protocol {
  /** Stable id for logs and metrics, e.g. "openai.chat". */
  readonly id: string;
  /** True when the URL itself asks for a stream (Gemini :streamGenerateContent). */
  readonly streamByPath?: boolean;
  /** How this client's streams are framed; SSE when absent. Only the bytes written differ, never the events. */
  readonly streamFraming?: StreamFraming;
}

/** Who is asking: set by the auth plugin, read by limits, ledger and the router's allow-lists. */
export interface Principal {
  /** User id or name; "anonymous" when auth is off. */
  user: string;
  team?: string;
  /** Key id (the short public id, never the key itself). */
  keyId?: string;
  /** What the key is for: a person's or a service's key, or a marketplace buyer's. */
  keyKind?: 'user' | 'service' | 'marketplace';
  /** Glob patterns of models this principal may use (checked against the served model); undefined = all. */
  allowedModels?: string[];
  /** Per-key limits; the ratelimit plugin enforces them. */
  limits?: { rpm?: number; tpm?: number };
  /** Spend limits in USD; the ratelimit plugin enforces them. */
  budget?: { dailyUsd?: number; monthlyUsd?: number };
  expiresAt?: Date;
}

/** Where the router decided to send the request. */
export interface Target {
  provider: Provider;
  /** The model name the provider will see (after aliases). */
  model: string;
  /** The protocol the upstream call will speak. */
  protocol: Protocol;
}

/** The request as it will go upstream: the translator builds it, else dispatch uses the client's. */
export interface UpstreamRequest {
  protocol: Protocol;
  body: JsonObject;
  /** The exact bytes to send when they are the client's, unchanged (`body` is their parse). */
  bytes?: Buffer;
  /**
   * Without `bytes`: the client's bytes `body` was parsed from before a plugin changed it. The
   * upstream body is then serialised reusing their text for every value left as it was, so an
   * integer beyond 2^53 or a `1.0` the client wrote reaches the provider as written.
   */
  source?: Buffer;
  stream: boolean;
  /** Extra path info some operations need (Gemini puts the model in the URL). */
  model: string;
}

interface ResponseBase {
  status: number;
  /** Response headers the client should receive (lower-case names). */
  headers: Record<string, string>;
  /** The protocol the payload speaks; translators change it on the way out. */
  protocol: Protocol;
}
export interface JsonResponse extends ResponseBase {
  kind: 'json';
  body: JsonValue;
}
export interface StreamResponse extends ResponseBase {
  kind: 'stream';
  /** Parsed protocol events. Wrap to observe or change; never buffer the whole stream. */
  events: AsyncIterable<StreamEvent>;
  /** Gives the upstream transfer up at once, closing its connection (set by providers that can). */
  release?(): void;
  /**
   * Committed because its hold ran out (server.sse_keepalive_ms of upstream silence after the
   * preamble), not by content: its client has waited that long already, and gets a keep-alive at once.
   */
  waited?: true;
}
export type GatewayResponse = JsonResponse | StreamResponse;

export interface Attempt {
  provider: string;
  model: string;
  /** Gateway error code and upstream status of the failure. */
  code: string;
  status: number;
  /** Set when the same provider was tried again after this failure (its `retry` setting) rather than the next target. */
  retried?: true;
  /**
   * ms this attempt held the request: the wait on the provider until it failed, and a retry's
   * backoff after it. Time the answering provider had no part in: what measures that provider (its
   * TTFB, its tokens/s) leaves it out.
   */
  ms?: number;
  /**
   * The usage the provider reported before it failed: a stream's preamble (Anthropic's message_start
   * names the prompt's tokens) ahead of an error event, before anything reached the client. Not the
   * request's usage (the answer that served is), but what the provider may bill for the attempt.
   */
  usage?: Usage;
}

export type Outcome = 'success' | 'error' | 'blocked' | 'client_disconnect';

/** What is known once the response has been written (or abandoned). */
export interface Completion {
  outcome: Outcome;
  status: number;
  usage: Usage | undefined;
  error: GatewayError | undefined;
  /** ms from arrival to the first response byte written. */
  firstByteMs: number | undefined;
  totalMs: number;
}

/** What a plugin did about what it found. */
export type FindingAction = 'recorded' | 'noted' | 'redacted' | 'blocked' | 'allowed';

/** Something a plugin found in a request or response: types and counts, never the values. */
export interface Finding {
  /** Which plugin produced it, e.g. "firewall". */
  source: string;
  /** Entity type, e.g. "EMAIL_ADDRESS", "AWS_ACCESS_KEY", "REPEATED_TOOL_CALL". */
  type: string;
  count: number;
  action: FindingAction;
  /** Where: formatted body paths such as "messages[3].content" (never the text). */
  locations?: string[];
  /** `request` (what the client sent) or `response` (what the model answered). */
  direction?: 'request' | 'response';
}

declare const STATE_TYPE: unique symbol;
/** A typed key for per-plugin state on the exchange: `const SEEN = stateKey<number>('dedupe.seen')`. */
export interface StateKey<T> {
  readonly name: string;
  readonly [STATE_TYPE]?: T;
}
export function stateKey<T>(name: string): StateKey<T> {
  return Object.freeze({ name }) as StateKey<T>;
}

export interface Exchange {
  readonly id: string;
  readonly endpoint: Endpoint;
  /** The family of the client's SDK: errors and streams must come back in it. */
  readonly clientFamily: ApiFamily;
  readonly receivedAt: number;
  /** Client request headers (lower-case). Read-only: plugins must not mutate them. */
  readonly headers: Readonly<IncomingHttpHeaders>;
  /** Query string parameters. */
  readonly query: Readonly<Record<string, string>>;
  /** The address the TCP connection came from (a reverse proxy, when there is one). */
  readonly peerAddress: string;
  /** The client's address after trusted-proxy resolution (`server.trust_proxy`); the peer when none is trusted. */
  readonly clientAddress: string;
  /** The agent session (Claude Code, Codex, x-session-id), when the client names one. */
  readonly sessionId: string | undefined;
  /** Aborted when the client disconnects or the gateway cuts the request. */
  readonly signal: AbortSignal;

  /**
   * The parsed client request body (empty object for GET endpoints), to change in place or replace.
   * Taking it counts as changing it: the upstream then gets it serialised anew rather than the
   * client's own bytes. To only read, use `readRequest()` or `view()`.
   */
  request: JsonObject;
  /** The body for reading only; taking it keeps the client's bytes going upstream unchanged. */
  readRequest(): Readonly<JsonObject>;
  /** The protocol view of `request`: text segments, tool calls and results, notes. Built on first use. */
  view(): RequestView;
  /** Marks the body as changed (after changing an object you got from `readRequest()` after all). */
  requestChanged(): void;
  /** The client's body exactly as received, while nothing has changed it; undefined afterwards. */
  readonly originalBody: Buffer | undefined;
  /** The client's body exactly as received, also after a plugin changed the request (undefined for GET). */
  readonly receivedBody: Buffer | undefined;
  /** The model the client asked for (an alias as named: the router puts what it resolves to on `target.model`). */
  model: string | undefined;
  /** True when the client asked for a streamed answer. */
  stream: boolean;

  principal: Principal | undefined;
  /** The router's choice; during dispatch, the target being tried (then the one that answered). */
  target: Target | undefined;
  /** Tried in order when the target fails before anything reached the client (router fallbacks). */
  fallbacks: Target[];
  /**
   * Upstream 4xx statuses (besides 429) on which the request moves on to its next target as it does
   * on a provider failure (the router's `fallback_on`: a revoked key, no credit). Never retried on
   * the same provider.
   */
  fallbackOn: readonly number[];
  /**
   * Builds the upstream request for a target whose protocol differs from the client's (set by the
   * translator; called once per attempted target). Undefined, or returning undefined: pass through.
   */
  translate: ((target: Target) => UpstreamRequest | undefined) | undefined;
  /** Failed upstream attempts before the one that answered (fallbacks and same-provider retries), in order. */
  attempts: Attempt[];
  upstream: UpstreamRequest | undefined;
  response: GatewayResponse | undefined;
  /**
   * Answers the request without calling the upstream: a final assistant message rendered in the
   * client's protocol, JSON or stream as the client asked. Plugins after this one and dispatch see
   * `response` set and pass it through.
   */
  reply(reply: Reply): void;
  /** How the request is recorded when it ends, if a plugin decided (e.g. `blocked` by a reply). */
  outcome: Outcome | undefined;
  /** Set by dispatch from the upstream answer (for streams: once the stream has ended). */
  usage: Usage | undefined;
  findings: Finding[];
  /** Extra response headers any plugin may add; egress writes them. */
  readonly responseHeaders: Record<string, string>;
  /**
   * performance.now() marks of the last upstream attempt, and the total ms the failed attempts
   * before it (or every attempt, when all failed) waited on their providers.
   */
  timings: { upstreamStart?: number; upstreamHeaders?: number; firstByte?: number; failedUpstreamMs?: number };

  /** Resolves once the response is fully written or abandoned. Never rejects. */
  readonly completed: Promise<Completion>;
  /** Typed per-plugin state: `exchange.set(KEY, value)`, `exchange.get(KEY)`. */
  get<T>(key: StateKey<T>): T | undefined;
  set<T>(key: StateKey<T>, value: T): void;
}

export type { Operation };
