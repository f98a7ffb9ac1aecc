// Dispatch: the innermost step of the chain. Sends the routed (and maybe translated) request to the
// provider, trying it again (its `retry` setting) and then the router's next targets while nothing
// has reached the client, and puts the answer on the exchange; records upstream timings and usage.
// A stream is committed (and retries and fallbacks end) only at its first content event: see
// stream-commit.ts.
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError, isProviderFailure, toGatewayError } from '../errors.js';
import type { Attempt, Exchange, JsonResponse, StreamResponse, Target, UpstreamRequest } from '../exchange.js';
import type { Provider, SendContext } from '../providers/provider.js';
import type { RetryPolicy } from '../providers/retry-policy.js';
import type { ProviderCooldown } from '../providers/cooldown.js';
import { isLocalRefusal } from '../providers/local-refusal.js';
import { retryAfterMs } from './retry-after.js';
import { protocolName, type StreamEvent } from '../protocols/types.js';
import { mergeUsage } from '../protocols/usage.js';
import { billedUsageFrom } from '../protocols/usage-fees.js';
import { isObject } from '../protocols/json.js';
import { markUntouchedStream, peekBody } from '../protocols/raw-json.js';
import { chatUsageWanted, withoutUsage, withUsageRequested, withUsageRequestedBytes } from './chat-usage.js';
import { commitStream } from './stream-commit.js';
import { streamError } from '../protocols/stream-phase.js';
import { UPSTREAM_ABORT, type AbortLike } from './abort.js';
import { HttpExchange } from './exchange-impl.js';
import { waitUnlessAborted } from './abortable-wait.js';

/** Client headers that matter to the upstream on passthrough (never the client's own credentials). */
const FORWARDABLE = new Set(['anthropic-version', 'anthropic-beta', 'openai-organization', 'openai-project', 'openai-beta', 'x-goog-api-client', 'idempotency-key']);
/** Providers only read the forwarded headers: requests that carry none share this one. */
const NONE: Readonly<Record<string, string>> = Object.freeze({});

export interface DispatchOptions {
  /** How long a stream's preamble may be held back waiting for content (server.sse_keepalive_ms). */
  holdMs: number;
  /**
   * Called once per upstream attempt with how long the provider took to answer (headers; for a
   * stream, its first content event) or to fail: the upstream latency metric, failed attempts included.
   */
  onAttempt?(provider: string, ms: number, ok: boolean): void;
  /** A provider's `retry` settings; undefined (or no function): it is not retried, only fallen back from. */
  retryPolicy?(provider: Provider): RetryPolicy | undefined;
  /** Called each time a failure is retried on the same provider, or would have been had its budget not been spent. */
  onRetry?(provider: string, result: 'retried' | 'over_budget'): void;
  /** A provider's cooldown (skipped after failures while the request has another target); undefined: never skipped. */
  cooldown?(provider: Provider): ProviderCooldown | undefined;
}

export async function dispatch(exchange: Exchange, opts: DispatchOptions): Promise<void> {
  if (exchange.response) return; // a plugin already answered
  const first = exchange.target;
  if (!first) throw new GatewayError('SLUICE_E_INTERNAL', 'no plugin chose a provider for this request');
  const fallbacks = exchange.fallbacks;
  // Targets cooling down after failures go last, so a request pays no timeout for a provider known
  // to be failing while another can serve; they are still tried when the others fail.
  const order = fallbacks.length === 0 || !opts.cooldown ? undefined : inServiceFirst(first, fallbacks, opts.cooldown);
  const abort: AbortLike = exchange instanceof HttpExchange ? exchange.abortHandle : exchange.signal;
  const ctx = new DispatchContext(exchange, forwardable(exchange), abort);
  /** The last tried target's failure, once one failed and a fallback is next. */
  let failed: { error: GatewayError; target: Target } | undefined;
  for (let i = 0; ; i++) {
    const target = order ? order[i]! : i === 0 ? first : fallbacks[i - 1]!;
    exchange.target = target;
    let upstream: UpstreamRequest;
    try {
      upstream = exchange.translate?.(target) ?? passthroughRequest(exchange, target);
    } catch (err) {
      // A fallback the request cannot be translated for is passed over: the client gets the failure
      // of the provider that was tried, not a translation error about one it never needed.
      if (!failed) throw err;
      const error = toGatewayError(err);
      exchange.attempts.push({ provider: target.provider.name, model: target.model, code: error.code, status: error.status });
      if (i < fallbacks.length) continue;
      exchange.target = failed.target;
      throw failed.error;
    }
    exchange.upstream = upstream;
    const retry = opts.retryPolicy?.(target.provider);
    retry?.budget.noteRequest();
    const cooldown = opts.cooldown?.(target.provider);
    // A retry sends the same upstream request again: it is an attempt like a fallback's, to the same target.
    for (let k = 0; ; k++) {
      const startedAt = exchange.timings.upstreamStart = performance.now();
      const usageBefore = exchange.usage;
      const probe = cooldown?.begin() ?? false;
      try {
        const response = await target.provider.send(upstream, ctx);
        if (response.kind === 'stream' && !upstream.stream) {
          // A client that did not ask for a stream never gets SSE, whatever the upstream sent.
          discard(response);
          throw new GatewayError('SLUICE_E_UPSTREAM_ERROR', `provider ${target.provider.name} answered a non-streaming request with an event stream`, { status: 502 });
        }
        if (response.kind === 'json') {
          const failure = errorInBody(response, target.provider.name);
          if (failure) throw failure;
        }
        // Until the commit a failure can still be retried, fall back, or (with no fallback left)
        // reach the client as a real HTTP error rather than in-stream.
        exchange.response = response.kind === 'stream'
          ? untouched(await commitStream(response, {
            provider: target.provider.name, holdMs: opts.holdMs, observe: usageObserver(exchange, response),
            pass: usageAskedForClient(exchange, response) ? withoutUsage : undefined,
          }))
          : observeJson(exchange, response);
        const answeredAt = exchange.timings.upstreamHeaders = performance.now();
        opts.onAttempt?.(target.provider.name, answeredAt - startedAt, true);
        cooldown?.succeeded(startedAt, probe);
        return;
      } catch (err) {
        // The wait for a provider that failed is upstream time too, not Sluice's own: it is kept apart
        // so x-sluice-overhead-ms leaves it out after a fallback or when every target failed.
        const waited = performance.now() - startedAt;
        exchange.timings.failedUpstreamMs = (exchange.timings.failedUpstreamMs ?? 0) + waited;
        opts.onAttempt?.(target.provider.name, waited, false);
        const error = toGatewayError(err);
        // A stream's preamble is observed as it is held (Anthropic's message_start: the prompt's
        // tokens). When this attempt's failure is the request's own — the client left or the shutdown
        // cut it during the hold, or no retry or fallback follows — that report stays the request's
        // usage: the provider counted those tokens, and the row (and the limits) keep them rather
        // than `none`. When another attempt follows, it goes with this one (the provider may bill
        // it), not into the usage of the answer that serves.
        const reported = exchange.usage !== usageBefore ? exchange.usage : undefined;
        const failure = retryable(error);
        // A status the route falls over on (`fallback_on`: a revoked key) moves on, never retries:
        // the same provider with the same key answers the same.
        const movesOn = failure || fallsOver(exchange, error);
        if (cooldown) noteOutcome(cooldown, probe, startedAt, error, abort.aborted ? 'left' : movesOn ? 'failed' : 'answered');
        if (abort.aborted || !movesOn) throw error;
        // A provider that has just gone into cooldown is not tried again while another target is left.
        const delay = failure && retry && k < retry.attempts && !(i < fallbacks.length && cooldown?.cooling()) ? retryDelay(retry, k, error, target, opts) : undefined;
        if (delay === undefined && i === fallbacks.length) throw error;
        const attempt: Attempt = { provider: target.provider.name, model: target.model, code: error.code, status: error.status, ms: waited };
        if (reported) attempt.usage = reported;
        if (delay === undefined) {
          exchange.usage = usageBefore;
          exchange.attempts.push(attempt);
          failed = { error, target };
          break;
        }
        // The backoff is spent because the provider failed: upstream time as well, not Sluice's.
        const pausedAt = performance.now();
        // Nothing is with the provider while we wait: a client leaving now is recorded at once, and
        // must not be charged by the ledger and ratelimit as a call abandoned in flight (they look
        // for an upstream request). What this attempt reported (a usage before its failure) stays
        // the request's usage until the retry is sent, as it would if no retry followed.
        exchange.upstream = undefined;
        await waitUnlessAborted(delay, abort);
        const paused = performance.now() - pausedAt;
        exchange.timings.failedUpstreamMs = (exchange.timings.failedUpstreamMs ?? 0) + paused;
        attempt.ms = waited + paused;
        // Like the last target's failure, one the client left during is the request's error, not an attempt before another.
        if (abort.aborted) throw error;
        exchange.usage = usageBefore;
        exchange.upstream = upstream;
        attempt.retried = true;
        exchange.attempts.push(attempt);
      }
    }
  }
}

/**
 * The targets with those cooling down moved after the others (each group in the router's order),
 * or undefined when none is cooling down — or all are: then the router's order stands, since a
 * request is never refused because of cooldowns alone.
 */
function inServiceFirst(first: Target, fallbacks: readonly Target[], cooldownOf: (provider: Provider) => ProviderCooldown | undefined): Target[] | undefined {
  // Counted first, without building anything: on most requests nothing is cooling down.
  const isCooling = (t: Target) => cooldownOf(t.provider)?.cooling() === true;
  let cooling = isCooling(first) ? 1 : 0;
  for (const t of fallbacks) if (isCooling(t)) cooling++;
  if (cooling === 0 || cooling === fallbacks.length + 1) return undefined;
  const all = [first, ...fallbacks];
  const out = all.filter((t) => !isCooling(t));
  for (const t of all) if (!out.includes(t)) out.push(t);
  return out;
}

/**
 * Tells a provider's cooldown how an attempt ended: a failure the request moves on from counts
 * against the provider; an answer it returns (a 4xx that is the request's own fault) shows the
 * provider serving; a refusal Sluice made itself (its pool full) or a client that left says nothing.
 */
function noteOutcome(cooldown: ProviderCooldown, probe: boolean, startedAt: number, error: GatewayError, outcome: 'failed' | 'answered' | 'left'): void {
  if (outcome === 'failed' && !isLocalRefusal(error)) cooldown.failed(probe, error.code, error.status, error.status === 429 ? retryAfterMs(error.retryAfter) : undefined);
  else if (outcome === 'answered' && error.code === 'SLUICE_E_UPSTREAM_ERROR') cooldown.succeeded(startedAt, probe);
  else cooldown.released(probe);
}

/**
 * The wait before retry `k` of a failed attempt on the same provider, or undefined for no retry:
 * the provider asked for a longer wait (retry-after) than this retry may take, or its retry budget
 * is spent (counted as over_budget).
 */
function retryDelay(retry: RetryPolicy, k: number, error: GatewayError, target: Target, opts: DispatchOptions): number | undefined {
  const delay = retry.delayMs(k, error.retryAfter);
  if (delay === undefined) return undefined;
  if (!retry.budget.withdraw()) {
    opts.onRetry?.(target.provider.name, 'over_budget');
    return undefined;
  }
  opts.onRetry?.(target.provider.name, 'retried');
  return delay;
}

/**
 * The provider's SendContext. `signal` is the exchange's public AbortSignal, made only when a
 * provider reads it; the HTTP provider listens to the cheaper handle under UPSTREAM_ABORT instead.
 */
class DispatchContext implements SendContext {
  readonly requestId: string;
  readonly [UPSTREAM_ABORT]: AbortLike;
  constructor(private readonly exchange: Exchange, readonly forwardHeaders: IncomingHttpHeaders, abort: AbortLike) {
    this.requestId = exchange.id;
    this[UPSTREAM_ABORT] = abort;
  }

  get signal(): AbortSignal {
    return this.exchange.signal;
  }

  /** The upstream request while the provider holds it in line (see waiting()). */
  private held: UpstreamRequest | undefined;

  /**
   * In line for a connection nothing has been sent: no upstream request on the exchange, so a client
   * leaving now (recorded at once) is not charged by the ledger and ratelimit as a call in flight.
   */
  waiting(inLine: boolean): void {
    if (inLine) { this.held = this.exchange.upstream; this.exchange.upstream = undefined; return; }
    this.exchange.upstream ??= this.held;
    this.held = undefined;
  }
}

/** Connection errors, timeouts, 429 and 5xx are worth another try or provider; a 4xx is the client's to fix. */
const retryable = (error: GatewayError): boolean => isProviderFailure(error.code, error.status);

/** An upstream client error the route asked to fall over on (`fallback_on`), e.g. 401 from a revoked provider key. */
const fallsOver = (exchange: Exchange, error: GatewayError): boolean =>
  error.code === 'SLUICE_E_UPSTREAM_ERROR' && exchange.fallbackOn.length !== 0 && exchange.fallbackOn.includes(error.status);

function passthroughRequest(exchange: Exchange, target: Target): UpstreamRequest {
  const ep = exchange.endpoint;
  const protocol = target.protocol;
  if (protocol.family !== ep.family || protocol.operation !== ep.operation) {
    throw new GatewayError('SLUICE_E_TRANSLATION_REQUIRED',
      `provider ${target.provider.name} speaks ${protocolName(protocol)} but the client spoke ${protocolName(ep)}; add the translator plugin to the chain`);
  }
  const model = target.model;
  let body = exchange.readRequest();
  // The client's own bytes go upstream unless something changed the request (a plugin through the
  // view, an alias renaming the model): no serialisation on the common path.
  let bytes = exchange.originalBody;
  // Renamed (a route's `model:`, an alias): serialised from the client's bytes below (`source`), so
  // every other field still goes upstream as the client wrote it.
  if (typeof body['model'] === 'string' && body['model'] !== model) { body = { ...body, model }; bytes = undefined; }
  if (exchange.stream && protocol.family === 'openai' && protocol.operation === 'chat' && !chatUsageWanted(body)) {
    body = withUsageRequested(body);
    bytes = bytes && withUsageRequestedBytes(bytes, exchange.readRequest());
  }
  if (bytes) return { protocol, body, bytes, stream: exchange.stream, model };
  // Changed: serialised from the client's bytes, so what no plugin touched goes up as the client wrote it.
  const source = exchange.receivedBody;
  return source ? { protocol, body, source, stream: exchange.stream, model } : { protocol, body, stream: exchange.stream, model };
}

function forwardable(exchange: Exchange): Record<string, string> {
  let out: Record<string, string> | undefined;
  const headers = exchange.headers;
  for (const name in headers) {
    if (!FORWARDABLE.has(name)) continue;
    const v = headers[name];
    if (typeof v === 'string') (out ??= {})[name] = v;
  }
  return out ?? NONE;
}

/**
 * An OpenAI-family answer that is only an error envelope, sent with status 200: OpenRouter does so
 * for a failure once the model has started (its docs), as do some OpenAI-compatible servers. It is
 * the failure it says, with the status its code implies (else 502) — retried, fallen back from, or
 * the client's HTTP error — not a 200 without choices that an SDK hands over as a completion.
 */
function errorInBody(response: JsonResponse, provider: string): GatewayError | undefined {
  const protocol = response.protocol;
  if (protocol.family !== 'openai') return undefined;
  const body = peekBody(response);
  if (!isObject(body) || !isObject(body['error'])) return undefined;
  // A Responses object carries `error` (null, or why it failed) beside its output: an answer.
  if (body['choices'] !== undefined || body['data'] !== undefined || body['output'] !== undefined) return undefined;
  return streamError(protocol, provider, { data: body });
}

function observeJson(exchange: Exchange, response: JsonResponse): JsonResponse {
  exchange.usage = billedUsageFrom(response.protocol, peekBody(response));
  return response;
}

function usageObserver(exchange: Exchange, response: StreamResponse): (ev: StreamEvent) => void {
  const protocol = response.protocol;
  return (ev) => {
    if (!isObject(ev.data)) return;
    const u = billedUsageFrom(protocol, ev.data);
    if (u) exchange.usage = mergeUsage(exchange.usage, u);
  };
}

/** Usage was asked for on the client's behalf (passthroughRequest): the client gets the stream it would have got, without it. */
function usageAskedForClient(exchange: Exchange, response: StreamResponse): boolean {
  const protocol = response.protocol;
  return protocol.family === 'openai' && protocol.operation === 'chat'
    && exchange.endpoint.family === 'openai' && exchange.endpoint.operation === 'chat' && !chatUsageWanted(exchange.readRequest());
}

/** Whatever a plugin wraps around these events is its own; these are still the upstream's bytes. */
function untouched(response: StreamResponse): StreamResponse {
  return { ...response, events: markUntouchedStream(response.events) };
}

/**
 * Releases a stream nobody will read (a provider other than HttpUpstream, which refuses such a
 * stream itself): a generator never started skips its `finally`, so start it, then return.
 */
function discard(response: StreamResponse): void {
  const iterator = response.events[Symbol.asyncIterator]();
  iterator.next().then(() => iterator.return?.(), () => undefined).catch(() => undefined);
}
