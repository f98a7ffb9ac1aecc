// The shared HTTP machinery of every remote provider: one keep-alive undici Pool per provider, a
// bounded wait for one of its connections, key rotation, timeouts, and upstream failures turned into
// coded gateway errors.
import { createRequire } from 'node:module';
import type { LookupFunction } from 'node:net';
import type { Pool } from 'undici';
import { toBytes } from '../config/byte-size.js';
import type { ProviderConfig } from '../config/schema.js';
import { GatewayError } from '../errors.js';
import type { GatewayResponse, UpstreamRequest } from '../exchange.js';
import { spliceJson } from '../protocols/json-splice.js';
import { UpstreamJsonResponse } from '../protocols/raw-json.js';
import { SseEventTooLargeError } from '../protocols/sse.js';
import { ContentDecodingError } from './content-decoding.js';
import { DestinationRefusedError, destinationLookup } from './destination-guard.js';
import { decodeSse } from '../protocols/sse-events.js';
import type { ApiFamily, JsonObject, JsonValue, StreamEvent } from '../protocols/types.js';
import type { SendContext } from './provider.js';
import { UPSTREAM_ABORT, type AbortLike } from '../http/abort.js';
import { callUpstream, type HeaderFilter, type UpstreamBody, type UpstreamHead } from './upstream-call.js';
import { localRefusal } from './local-refusal.js';

// undici takes ~140 ms of CPU to load: it is required when a remote provider sends its first
// request, so the CLI (`config validate`, whatever the providers) never loads it.
const requireModule = createRequire(import.meta.url);
let undiciModule: typeof import('undici') | undefined;
const undici = (): typeof import('undici') => (undiciModule ??= requireModule('undici') as typeof import('undici'));

/**
 * Upstream response headers worth passing to the client: rate-limit state and retry hints (SDKs and
 * agents pace themselves by them; the OpenAI SDKs read `retry-after-ms` first, and the OpenAI and
 * Anthropic SDKs obey `x-should-retry` before their status rules), the upstream's request id (for support tickets), and OpenAI's
 * processing time and API version. Not `openai-*` as a whole: `openai-organization` and
 * `openai-project` name the operator's account, which is none of the client's business.
 */
const FORWARD_RESPONSE = /^(retry-after$|retry-after-ms$|x-should-retry$|x-ratelimit-|openai-processing-ms$|openai-version$|anthropic-ratelimit-|request-id$|x-request-id$)/;

export interface WireRequest {
  path: string;
  headers: Record<string, string>;
}

/** A request waiting for a connection; `grant` hands it one. */
interface Waiter {
  grant(): void;
}

export class HttpUpstream {
  private readonly origin: string;
  /**
   * Made on the first request: building it loads undici (~130 ms of CPU), which `sluice config
   * validate` of a config with remote providers does not need.
   */
  private poolOrUndefined: Pool | undefined = undefined;
  private readonly basePath: string;
  /** The base URL's query (Azure's `?api-version=…`), sent on every request; undefined when it has none. */
  private readonly baseQuery: string | undefined;
  private readonly keys: string[];
  private nextKey = 0;
  private readonly maxEventSize: number;
  private readonly maxResponseSize: number;
  /**
   * Requests holding a connection (until their response body is done). Counted here because
   * undici's Pool queues without bound or deadline once all its connections are busy.
   */
  private inFlight = 0;
  /** Requests waiting for a connection, oldest first (a Set: O(1) removal on timeout or abort). */
  private readonly waiting = new Set<Waiter>();
  /**
   * Set by close(). A request routed to this provider before a reload replaced it may still send
   * here afterwards (a plugin after the router was working on it): it gets a pool of its own,
   * closed again once nothing is in flight, instead of failing on the closed one.
   */
  private closed = false;
  /** The DNS lookup an untrusted provider's connections use (destination-guard.ts); undefined when trusted. */
  private readonly lookup: LookupFunction | undefined;

  constructor(
    readonly name: string,
    readonly family: ApiFamily,
    readonly config: ProviderConfig,
    defaultBaseUrl: string,
  ) {
    const base = new URL(config.base_url ?? defaultBaseUrl);
    this.basePath = base.pathname.replace(/\/+$/, '');
    this.baseQuery = base.search.length > 1 ? base.search.slice(1) : undefined;
    this.keys = config.api_key === undefined ? [] : Array.isArray(config.api_key) ? config.api_key : [config.api_key];
    this.origin = base.origin;
    this.lookup = config.untrusted ? destinationLookup(base, config.untrusted) : undefined;
    this.maxEventSize = toBytes(config.max_event_size);
    this.maxResponseSize = toBytes(config.max_response_size);
  }

  /** Builds the pool now (the gateway's start), so the first request does not load undici. */
  prepare(): void {
    this.pool();
  }

  private pool(): Pool {
    const config = this.config;
    return (this.poolOrUndefined ??= new (undici().Pool)(this.origin, {
      connections: config.connections,
      connect: this.lookup ? { timeout: config.timeouts.connect_ms, lookup: this.lookup } : { timeout: config.timeouts.connect_ms },
      headersTimeout: config.timeouts.first_byte_ms,
      bodyTimeout: config.timeouts.idle_ms,
      keepAliveTimeout: 30_000,
    }));
  }

  /** Round-robin over the configured keys so several keys share the load. */
  key(): string | undefined {
    if (this.keys.length === 0) return undefined;
    const k = this.keys[this.nextKey % this.keys.length];
    this.nextKey = (this.nextKey + 1) % this.keys.length;
    return k;
  }

  path(suffix: string): string {
    const path = this.basePath + suffix;
    return this.baseQuery === undefined ? path : `${path}${suffix.includes('?') ? '&' : '?'}${this.baseQuery}`;
  }

  async send(request: UpstreamRequest, wire: WireRequest, ctx: SendContext): Promise<GatewayResponse> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: request.stream ? 'text/event-stream' : 'application/json',
      // Without it any coding is acceptable (RFC 9110 §12.5.3), and some servers compress. A coding
      // sent anyway (or asked for in the provider's `headers`) is undone (content-decoding.ts).
      'accept-encoding': 'identity',
    };
    // Copied by hand: spreads after literal members are a runtime call each in V8.
    const configured = this.config.headers;
    for (const name in configured) headers[name] = configured[name]!;
    const wireHeaders = wire.headers;
    for (const name in wireHeaders) headers[name] = wireHeaders[name]!;
    // Core's dispatch passes a cheaper abort handle than the public AbortSignal (see abort.ts).
    const signal: AbortLike = (ctx as { [UPSTREAM_ABORT]?: AbortLike })[UPSTREAM_ABORT] ?? ctx.signal;
    const waited = this.acquire(ctx);
    if (waited) {
      ctx.waiting?.(true);
      try {
        await waited;
      } finally {
        ctx.waiting?.(false);
      }
    }
    const release = this.releaser();
    let res: UpstreamHead;
    try {
      res = await callUpstream(this.pool(), {
        method: request.protocol.operation === 'models' ? 'GET' : 'POST',
        path: wire.path,
        headers,
        body: request.protocol.operation === 'models' ? undefined : request.bytes ?? serialise(request),
      }, signal, forwardedHeaders);
    } catch (err) {
      release();
      throw this.transportError(err);
    }
    // The connection is busy until the body is read to its end or given up, whoever consumes it
    // (JSON here, a stream in egress, or nobody when the client left).
    res.body.onClose(release);
    const responseHeaders = res.headers;
    // Read whole below (JSON answers and error bodies): bounded, whatever the provider sends.
    if (!res.contentType.includes('text/event-stream')) res.body.limit(this.maxResponseSize, this.responseTooLarge);
    if (res.statusCode >= 300 && res.statusCode < 400) {
      res.body.destroy();
      throw redirectError(this.name, res.statusCode);
    }
    if (res.statusCode >= 400) {
      const text = await res.body.whole().then((b) => b.toString('utf8'), () => '');
      throw upstreamHttpError(this.family, this.name, res.statusCode, withoutKeys(text, this.keys), responseHeaders['retry-after'], responseHeaders);
    }
    const protocol = request.protocol;
    // A stream asked for and answered with no content type, or a generic one (text/plain,
    // octet-stream: some servers and API-management proxies label streams so), is read as the
    // stream it should be; only a JSON answer to a stream request is refused below.
    if (res.contentType.includes('text/event-stream') || (request.stream && !res.contentType.includes('json'))) {
      if (!request.stream) {
        // Refused (a client that did not ask for a stream never gets SSE): free the connection now.
        res.body.destroy();
        throw new GatewayError('SLUICE_E_UPSTREAM_ERROR', `provider ${this.name} answered a non-streaming request with an event stream`, { status: 502 });
      }
      const body = res.body;
      return { kind: 'stream', status: res.statusCode, headers: responseHeaders, protocol, events: this.events(body), release: () => body.destroy() };
    }
    if (request.stream) {
      // Some OpenAI-compatible servers ignore `stream: true` and answer JSON. A client that asked for
      // a stream never gets JSON (every SDK's stream helper fails on it as "ended without chunks"):
      // a 502 naming the provider, which a fallback can serve. Rendering the answer as a stream
      // would need the translator's encoders, which core does not import (docs/translation.md).
      res.body.destroy();
      throw new GatewayError('SLUICE_E_UPSTREAM_ERROR', `provider ${this.name} answered a streaming request with JSON, not an event stream (does it support stream: true?)`, { status: 502 });
    }
    // A small answer has usually arrived with its headers: then no promise and no await for it.
    const bytes = res.body.received() ?? await res.body.whole().catch((err: unknown) => { throw this.bodyError(err); });
    // As undici's text() reads it: UTF-8, a byte-order mark dropped (and then the bytes are not
    // passed on as they are, since the text without it is what the client gets).
    let text = bytes.toString('utf8');
    const bom = text.charCodeAt(0) === 0xfeff;
    if (bom) text = text.slice(1);
    try {
      return new UpstreamJsonResponse(res.statusCode, responseHeaders, protocol, text, bom ? undefined : bytes);
    } catch (err) {
      throw new GatewayError('SLUICE_E_UPSTREAM_ERROR', `provider ${this.name} sent a response that is not JSON`, { status: 502, cause: err });
    }
  }

  /**
   * Parsed SSE events; transport failures mid-stream surface as coded errors to egress, and a
   * consumer that stops early (the client went away) releases the socket instead of draining it.
   * OpenAI's `[DONE]` is passed on: dispatch needs it to tell a complete stream from a truncated one.
   */
  private events(body: UpstreamBody): AsyncGenerator<StreamEvent> {
    return decodeSse(body, { maxEventSize: this.maxEventSize, mapError: (err) => this.bodyError(err), onClose: () => body.destroy() });
  }

  /**
   * A failure while the answer's body was arriving: the provider was reached and began to answer,
   * so a lost connection is an answer cut short (truncated), not a provider that is unreachable.
   */
  private bodyError(err: unknown): GatewayError {
    const mapped = this.transportError(err);
    const e = err as { name?: string; code?: string; message?: string };
    if (mapped.code !== 'SLUICE_E_UPSTREAM_UNAVAILABLE' || e.name === 'AbortError' || e.code === 'UND_ERR_ABORTED') return mapped;
    return new GatewayError('SLUICE_E_UPSTREAM_TRUNCATED', `provider ${this.name} cut its answer short (${e.code ?? e.message ?? 'connection lost'})`, { cause: err });
  }

  /** An arrow: made once, not a closure per request. */
  private readonly responseTooLarge = (): GatewayError => new GatewayError('SLUICE_E_UPSTREAM_ERROR',
    `provider ${this.name} sent an answer larger than ${formatSize(this.maxResponseSize)} (max_response_size); it was cut`, { status: 502 });

  /** Takes a connection slot: at once when one is free (no promise), else a bounded wait in line. */
  private acquire(ctx: SendContext): Promise<void> | undefined {
    if (this.inFlight < this.config.connections) {
      this.inFlight++;
      return undefined;
    }
    // Waiting in line is the rare case: it may use the public AbortSignal.
    const signal = ctx.signal;
    const { max, timeout_ms: timeoutMs } = this.config.queue;
    if (this.waiting.size >= max) {
      return Promise.reject(this.saturated(max === 0
        ? `all ${this.config.connections} connections are busy`
        : `all ${this.config.connections} connections are busy and ${max} requests are already waiting (queue.max)`));
    }
    if (signal.aborted) return Promise.reject(this.abortedWhileWaiting());
    return new Promise<void>((resolve, reject) => {
      const leave = () => {
        this.waiting.delete(waiter);
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = () => { leave(); reject(this.abortedWhileWaiting()); };
      const timer = setTimeout(() => {
        leave();
        reject(this.saturated(`no connection became free within ${timeoutMs} ms (queue.timeout_ms)`));
      }, timeoutMs);
      const waiter: Waiter = { grant: () => { leave(); resolve(); } };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.add(waiter);
    });
  }

  /** A once-only release of the slot `acquire` gave: it passes straight to the oldest waiter. */
  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.values().next();
      if (!next.done) { next.value.grant(); return; }
      this.inFlight--;
      if (this.closed && this.inFlight === 0) this.closePool().catch(() => { /* already closed */ });
    };
  }

  /** Retryable (dispatch tries the next fallback before the first byte); 503 with a short retry-after otherwise. */
  private saturated(why: string): GatewayError {
    return localRefusal(new GatewayError('SLUICE_E_UPSTREAM_UNAVAILABLE', `provider ${this.name} is saturated: ${why}`, { status: 503, retryAfter: '1' }));
  }

  private abortedWhileWaiting(): GatewayError {
    return new GatewayError('SLUICE_E_UPSTREAM_UNAVAILABLE', `request to provider ${this.name} was aborted while waiting for a connection`);
  }

  transportError(err: unknown): GatewayError {
    if (err instanceof GatewayError) return err;
    if (err instanceof SseEventTooLargeError) {
      return new GatewayError('SLUICE_E_UPSTREAM_ERROR',
        `provider ${this.name} sent a stream event larger than ${formatSize(err.limit)} (max_event_size); the stream was cut`, { status: 502, cause: err });
    }
    if (err instanceof DestinationRefusedError) {
      // Why, but not the addresses: what the name resolves to inside the operator's network is not
      // the client's to learn (they stay in the cause).
      return new GatewayError('SLUICE_E_UPSTREAM_UNAVAILABLE', `provider ${this.name} was not connected: its host resolves only to internal addresses, which this provider may not reach`, { cause: err });
    }
    if (err instanceof ContentDecodingError) {
      return new GatewayError('SLUICE_E_UPSTREAM_ERROR', `provider ${this.name} sent an answer Sluice cannot read: ${err.message}`, { status: 502, cause: err });
    }
    const e = err as { name?: string; code?: string; message?: string };
    if (e.name === 'AbortError' || e.code === 'UND_ERR_ABORTED') {
      return new GatewayError('SLUICE_E_UPSTREAM_UNAVAILABLE', `request to provider ${this.name} was aborted`, { cause: err });
    }
    const { errors } = undici();
    if (err instanceof errors.HeadersTimeoutError || err instanceof errors.BodyTimeoutError || err instanceof errors.ConnectTimeoutError) {
      return new GatewayError('SLUICE_E_UPSTREAM_TIMEOUT', `provider ${this.name} timed out (${e.code})`, { cause: err });
    }
    return new GatewayError('SLUICE_E_UPSTREAM_UNAVAILABLE', `provider ${this.name} is unreachable (${e.code ?? e.message ?? 'connection failed'})`, { cause: err });
  }

  /** Closes the pool (undici lets requests already sent finish first); a later send opens one anew (see `closed`). */
  close(): Promise<void> {
    this.closed = true;
    return this.closePool();
  }

  private closePool(): Promise<void> {
    const pool = this.poolOrUndefined;
    this.poolOrUndefined = undefined;
    return pool ? pool.close() : Promise.resolve();
  }
}

/** Which upstream response headers reach the client, and under which names. */
const forwardedHeaders: HeaderFilter = {
  // Every name FORWARD_RESPONSE takes starts with r, x, o or a.
  mayKeep: (c) => c === 0x72 || c === 0x78 || c === 0x6f || c === 0x61,
  nameFor: (name) => !FORWARD_RESPONSE.test(name) ? undefined
    : name === 'x-request-id' || name === 'request-id' ? 'x-upstream-request-id' : name,
};

/** "32 MiB" for the limits people write as 32mb; a plain byte count otherwise. */
function formatSize(n: number): string {
  if (n % 1024 ** 2 === 0) return `${n / 1024 ** 2} MiB`;
  if (n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/**
 * An upstream HTTP error keeps its status and its own envelope for same-family clients — except a
 * refusal of the gateway's credentials (a 401, or Google's 400/403 with a key reason): that is about
 * the gateway's key, not the client's, and the provider's text quotes (part of) the operator's key.
 * The client gets the status in its envelope with Sluice's words only.
 */
export function upstreamHttpError(family: ApiFamily, provider: string, status: number, text: string, retryAfter?: string, headers?: Readonly<Record<string, string>>): GatewayError {
  if (status === 401 || rejectsCredentials(text)) {
    return new GatewayError('SLUICE_E_UPSTREAM_ERROR',
      `provider ${provider} rejected the gateway's upstream credentials; the gateway operator should check its api_key`, { status, retryAfter, headers });
  }
  let body: JsonObject | string = text;
  try {
    const parsed = JSON.parse(text) as JsonValue;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed;
  } catch { /* plain-text error page */ }
  if (family === 'openai' && typeof body === 'object') body = openAIEnvelope(body, status);
  if (family === 'gemini' && retryAfter === undefined && typeof body === 'object') retryAfter = retryInfoDelay(body);
  let message = `provider ${provider} answered HTTP ${status}`;
  if (typeof body === 'object') {
    const inner = body['error'];
    if (inner && typeof inner === 'object' && !Array.isArray(inner) && typeof inner['message'] === 'string') message = inner['message'];
  }
  return new GatewayError('SLUICE_E_UPSTREAM_ERROR', message, { status, retryAfter, headers, upstream: { family, body } });
}

/**
 * Google says when to retry in the body (a google.rpc.RetryInfo in error.details, `retryDelay` a
 * protobuf Duration such as "11.26s") and sends no retry-after header: as whole seconds, rounded
 * up, it becomes the error's retry-after — what other families' clients read (the openai and
 * Anthropic SDKs wait that long before retrying) and what dispatch's retries and cooldown honour.
 */
function retryInfoDelay(body: JsonObject): string | undefined {
  const inner = body['error'];
  const details = inner && typeof inner === 'object' && !Array.isArray(inner) ? inner['details'] : undefined;
  if (!Array.isArray(details)) return undefined;
  for (const d of details) {
    if (!d || typeof d !== 'object' || Array.isArray(d) || typeof d['retryDelay'] !== 'string') continue;
    const seconds = /^(\d+(?:\.\d+)?)s$/.exec(d['retryDelay'].trim());
    if (seconds) return String(Math.ceil(Number(seconds[1])));
  }
  return undefined;
}

/**
 * OpenAI-compatible servers that answer errors without OpenAI's `error` object — Mistral's API and
 * vLLM's older releases (FastChat's ErrorResponse) send `{"object":"error","message","type","param",
 * "code"}`, others `{"error":"text"}` — in OpenAI's envelope, the one OpenAI clients' SDKs read
 * (passed on as it was, the openai SDK finds no error in it: "400 status code (no body)"). A body
 * with an `error` object, or with no message at all, is left as it is.
 */
function openAIEnvelope(body: JsonObject, status: number): JsonObject {
  const inner = body['error'];
  const message = typeof inner === 'string' ? inner : inner === undefined || inner === null ? body['message'] : undefined;
  if (typeof message !== 'string') return body;
  const str = (v: JsonValue | undefined): string | null => (typeof v === 'string' ? v : null);
  const type = str(body['type']) ?? (status >= 500 ? 'server_error' : 'invalid_request_error');
  return { error: { message, type, param: str(body['param']), code: str(body['code']) } };
}

/**
 * A 3xx from a provider is never followed: following it would send the operator's key and the
 * client's prompt to wherever the answer points (another host, the admin port, a metadata address).
 * Nor is it passed on: the client would get a redirect (and the provider's body) as if it were the
 * answer. A 502 that a fallback can serve, telling the operator to fix the base_url (http:// where
 * the provider wants https://, a moved endpoint).
 */
export function redirectError(provider: string, status: number): GatewayError {
  return new GatewayError('SLUICE_E_UPSTREAM_ERROR',
    `provider ${provider} answered with a redirect (HTTP ${status}), which Sluice does not follow; check its base_url`, { status: 502 });
}

/**
 * Google's APIs refuse a key with 400 or 403, not 401, and say why in an ErrorInfo reason; their
 * text quotes the key itself ("Consumer 'api_key:AIza…' has been suspended"). A client told "API
 * key not valid" would blame its own (Sluice) key.
 */
const CREDENTIAL_REASONS = /"reason"\s*:\s*"(API_KEY_INVALID|API_KEY_EXPIRED|CONSUMER_SUSPENDED|API_KEY_SERVICE_BLOCKED|API_KEY_HTTP_REFERRER_BLOCKED|API_KEY_IP_ADDRESS_BLOCKED|API_KEY_ANDROID_APP_BLOCKED|API_KEY_IOS_APP_BLOCKED)"/;

function rejectsCredentials(text: string): boolean {
  return text.includes('"reason"') && CREDENTIAL_REASONS.test(text);
}

/**
 * An upstream error's text with the provider's own keys cut out: some providers quote the key they
 * were sent in errors other than a 401, and the text is relayed to clients.
 */
function withoutKeys(text: string, keys: readonly string[]): string {
  for (const key of keys) if (key.length >= 8 && text.includes(key)) text = text.split(key).join('[redacted]');
  return text;
}

/** A changed request's body: from the client's bytes where they still hold, else serialised anew. */
function serialise(request: UpstreamRequest): string {
  return request.source ? spliceJson(request.source.toString('utf8'), request.body) : JSON.stringify(request.body);
}
