// The one catalogue of gateway errors. Each code has an HTTP status and a class per client family,
// so every failure renders in the envelope the client's SDK knows how to parse.
import type { ApiFamily, JsonObject } from './protocols/types.js';
import { retryAfterMs } from './http/retry-after.js';
import { anthropicOverflowMessage, contextOverflow } from './protocols/context-overflow.js';
import { isStorageUnavailable } from './storage/unavailable.js';

export interface ErrorSpec {
  status: number;
  openai: string;     // OpenAI error.type
  anthropic: string;  // Anthropic error.type
  gemini: string;     // Google RPC status
  /** `blocked` for refusals by policy (recorded as such in logs and the ledger); else a failure. */
  outcome?: 'blocked';
}

export const ERROR_CATALOGUE = {
  SLUICE_E_BAD_JSON: { status: 400, openai: 'invalid_request_error', anthropic: 'invalid_request_error', gemini: 'INVALID_ARGUMENT' },
  SLUICE_E_INVALID_REQUEST: { status: 400, openai: 'invalid_request_error', anthropic: 'invalid_request_error', gemini: 'INVALID_ARGUMENT' },
  SLUICE_E_MISSING_MODEL: { status: 400, openai: 'invalid_request_error', anthropic: 'invalid_request_error', gemini: 'INVALID_ARGUMENT' },
  SLUICE_E_UNSUPPORTED_MEDIA_TYPE: { status: 415, openai: 'invalid_request_error', anthropic: 'invalid_request_error', gemini: 'INVALID_ARGUMENT' },
  SLUICE_E_BODY_TOO_LARGE: { status: 413, openai: 'invalid_request_error', anthropic: 'request_too_large', gemini: 'INVALID_ARGUMENT' },
  /** JSON nested deeper than server.max_json_depth: refused before anything walks it recursively. */
  SLUICE_E_JSON_TOO_DEEP: { status: 400, openai: 'invalid_request_error', anthropic: 'invalid_request_error', gemini: 'INVALID_ARGUMENT' },
  /** A compressed (content-encoding other than identity) request body: Sluice does not decode them. */
  SLUICE_E_UNSUPPORTED_ENCODING: { status: 415, openai: 'invalid_request_error', anthropic: 'invalid_request_error', gemini: 'INVALID_ARGUMENT' },
  /** The request's headers or body did not arrive within server.headers_timeout_ms / body_timeout_ms. */
  SLUICE_E_REQUEST_TIMEOUT: { status: 408, openai: 'invalid_request_error', anthropic: 'invalid_request_error', gemini: 'DEADLINE_EXCEEDED' },
  /** Not valid HTTP (Node's parser refused it): bad request line, header or chunk framing. */
  SLUICE_E_MALFORMED_HTTP: { status: 400, openai: 'invalid_request_error', anthropic: 'invalid_request_error', gemini: 'INVALID_ARGUMENT' },
  SLUICE_E_HEADERS_TOO_LARGE: { status: 431, openai: 'invalid_request_error', anthropic: 'invalid_request_error', gemini: 'INVALID_ARGUMENT' },
  /** A protocol upgrade (a WebSocket): Sluice serves HTTP only. */
  SLUICE_E_UPGRADE_REQUIRED: { status: 426, openai: 'invalid_request_error', anthropic: 'invalid_request_error', gemini: 'FAILED_PRECONDITION' },
  /** The client went away while sending its body (nginx's 499): recorded, never seen by the client. */
  SLUICE_E_CLIENT_CLOSED: { status: 499, openai: 'invalid_request_error', anthropic: 'invalid_request_error', gemini: 'CANCELLED' },
  SLUICE_E_NOT_FOUND: { status: 404, openai: 'invalid_request_error', anthropic: 'not_found_error', gemini: 'NOT_FOUND' },
  SLUICE_E_METHOD_NOT_ALLOWED: { status: 405, openai: 'invalid_request_error', anthropic: 'invalid_request_error', gemini: 'INVALID_ARGUMENT' },
  SLUICE_E_MODEL_NOT_FOUND: { status: 404, openai: 'invalid_request_error', anthropic: 'not_found_error', gemini: 'NOT_FOUND' },
  SLUICE_E_UNSUPPORTED_OPERATION: { status: 400, openai: 'invalid_request_error', anthropic: 'invalid_request_error', gemini: 'INVALID_ARGUMENT' },
  SLUICE_E_WORK_MODE: { status: 400, openai: 'invalid_request_error', anthropic: 'invalid_request_error', gemini: 'FAILED_PRECONDITION' },
  SLUICE_E_TRANSLATION_REQUIRED: { status: 400, openai: 'invalid_request_error', anthropic: 'invalid_request_error', gemini: 'FAILED_PRECONDITION' },
  SLUICE_E_UNAUTHORIZED: { status: 401, openai: 'authentication_error', anthropic: 'authentication_error', gemini: 'UNAUTHENTICATED' },
  SLUICE_E_FORBIDDEN: { status: 403, openai: 'permission_error', anthropic: 'permission_error', gemini: 'PERMISSION_DENIED' },
  SLUICE_E_RATE_LIMITED: { status: 429, openai: 'rate_limit_error', anthropic: 'rate_limit_error', gemini: 'RESOURCE_EXHAUSTED' },
  SLUICE_E_BLOCKED: { status: 400, openai: 'invalid_request_error', anthropic: 'invalid_request_error', gemini: 'INVALID_ARGUMENT' },
  SLUICE_E_UPSTREAM_ERROR: { status: 502, openai: 'api_error', anthropic: 'api_error', gemini: 'INTERNAL' },
  SLUICE_E_UPSTREAM_UNAVAILABLE: { status: 502, openai: 'api_error', anthropic: 'api_error', gemini: 'UNAVAILABLE' },
  // The upstream stream ended without its protocol's terminal event: the answer is incomplete.
  SLUICE_E_UPSTREAM_TRUNCATED: { status: 502, openai: 'api_error', anthropic: 'api_error', gemini: 'UNAVAILABLE' },
  // Anthropic's own class for a 504 (its SDK's GatewayTimeoutError shape).
  SLUICE_E_UPSTREAM_TIMEOUT: { status: 504, openai: 'api_error', anthropic: 'timeout_error', gemini: 'DEADLINE_EXCEEDED' },
  SLUICE_E_SHUTTING_DOWN: { status: 503, openai: 'api_error', anthropic: 'overloaded_error', gemini: 'UNAVAILABLE' },
  // storage.database could not serve a statement now (unreachable, or SQLite locked by another
  // connection past the wait): not a bug, and worth a retry.
  SLUICE_E_STORAGE_UNAVAILABLE: { status: 503, openai: 'api_error', anthropic: 'api_error', gemini: 'UNAVAILABLE' },
  SLUICE_E_INTERNAL: { status: 500, openai: 'api_error', anthropic: 'api_error', gemini: 'INTERNAL' },
} as const satisfies Record<string, ErrorSpec>;

/** Codes of the core catalogue, or any `SLUICE_E_…` a plugin registered (see registerErrorCodes). */
export type ErrorCode = keyof typeof ERROR_CATALOGUE | `SLUICE_E_${string}`;

const PLUGIN_CODES = new Map<string, ErrorSpec>();
const CODE_PATTERN = /^SLUICE_E_[A-Z0-9_]+$/;

/**
 * Adds a plugin's error codes to the catalogue (the loader does this from a plugin's `errors`).
 * A code may be registered again with the same spec (a plugin twice in the chain), never redefined.
 */
export function registerErrorCodes(owner: string, specs: Record<string, ErrorSpec>): void {
  for (const [code, spec] of Object.entries(specs)) {
    if (!CODE_PATTERN.test(code)) throw new Error(`plugin ${owner}: error code "${code}" must look like SLUICE_E_SOMETHING`);
    const known = specOf(code);
    if (known && JSON.stringify(known) !== JSON.stringify(spec)) throw new Error(`plugin ${owner}: error code ${code} is already defined differently`);
    if (!Number.isInteger(spec.status) || spec.status < 400 || spec.status > 599) throw new Error(`plugin ${owner}: error code ${code} needs an HTTP status from 400 to 599`);
    // A plugin in JavaScript is not type-checked: a missing class would render an envelope its
    // clients' SDKs do not expect (no OpenAI `type`, no Anthropic `error.type`, no Gemini `status`).
    if (![spec.openai, spec.anthropic, spec.gemini].every((c) => typeof c === 'string' && c.length > 0)) {
      throw new Error(`plugin ${owner}: error code ${code} needs openai, anthropic and gemini error classes (strings), e.g. { status: 429, openai: 'rate_limit_error', anthropic: 'rate_limit_error', gemini: 'RESOURCE_EXHAUSTED' }`);
    }
    if (spec.outcome !== undefined && spec.outcome !== 'blocked') throw new Error(`plugin ${owner}: error code ${code}: outcome may only be "blocked" (or left out, for a failure)`);
    PLUGIN_CODES.set(code, spec);
  }
}

export function specOf(code: string): ErrorSpec | undefined {
  return (ERROR_CATALOGUE as Record<string, ErrorSpec>)[code] ?? PLUGIN_CODES.get(code);
}

/** A code nobody registered renders as an internal error rather than crashing the answer. */
const UNKNOWN_CODE: ErrorSpec = ERROR_CATALOGUE.SLUICE_E_INTERNAL;

/** The class an upstream HTTP status maps to when we re-render it for another family. */
const STATUS_CLASSES: Record<number, ErrorSpec> = {
  400: ERROR_CATALOGUE.SLUICE_E_INVALID_REQUEST,
  401: ERROR_CATALOGUE.SLUICE_E_UNAUTHORIZED,
  // Out of credit (OpenRouter, Anthropic's billing_error): the account's state, not the request's.
  402: { status: 402, openai: 'insufficient_quota', anthropic: 'billing_error', gemini: 'FAILED_PRECONDITION' },
  403: ERROR_CATALOGUE.SLUICE_E_FORBIDDEN,
  404: ERROR_CATALOGUE.SLUICE_E_NOT_FOUND,
  413: ERROR_CATALOGUE.SLUICE_E_BODY_TOO_LARGE,
  429: ERROR_CATALOGUE.SLUICE_E_RATE_LIMITED,
  503: { status: 503, openai: 'api_error', anthropic: 'overloaded_error', gemini: 'UNAVAILABLE' },
  // Anthropic's "overloaded" status: the same meaning as 503 for every family.
  529: { status: 529, openai: 'api_error', anthropic: 'overloaded_error', gemini: 'UNAVAILABLE' },
  504: ERROR_CATALOGUE.SLUICE_E_UPSTREAM_TIMEOUT,
};

/**
 * Upstream statuses a client family's API never answers with, as the nearest status it does, so
 * the client's SDK and retry logic read them as its own provider's. Anthropic's 529 (overloaded)
 * is Google's 503 UNAVAILABLE and OpenAI's 503; Cloudflare's 522 and 524 (the origin timed out)
 * are a 504 to Anthropic and Gemini clients (OpenAI's API sits behind Cloudflare: its clients
 * see 52x from OpenAI itself), its 521 and 523 (origin down, unreachable) Google's 503 and 520
 * (unknown error) Google's 502; a 499 (the upstream, or a proxy before it, dropped the request:
 * this client did not) is a 502 for all.
 */
const CLIENT_STATUS: Readonly<Record<ApiFamily, Readonly<Record<number, number>>>> = {
  openai: { 499: 502, 529: 503 },
  anthropic: { 499: 502, 522: 504, 524: 504 },
  gemini: { 499: 502, 520: 502, 521: 503, 522: 504, 523: 503, 524: 504, 529: 503 },
};

export interface GatewayErrorOptions {
  /** Overrides the catalogue status (upstream errors keep the upstream's status). */
  status?: number;
  param?: string | null;
  /** Seconds, forwarded as `retry-after`. */
  retryAfter?: string;
  /**
   * Upstream response headers the client gets with the error: the rate-limit state and request id
   * the provider sent (already filtered as for a successful answer), which a client backing off
   * from a 429 reads.
   */
  headers?: Readonly<Record<string, string>>;
  /** The upstream's own error body and family, forwarded verbatim when the client speaks that family. */
  upstream?: { family: ApiFamily; body: JsonObject | string };
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly status: number;
  readonly param: string | null;
  readonly retryAfter: string | undefined;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly upstream: GatewayErrorOptions['upstream'];

  constructor(readonly code: ErrorCode, message: string, opts: GatewayErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'GatewayError';
    this.status = opts.status ?? (specOf(code) ?? UNKNOWN_CODE).status;
    this.param = opts.param ?? null;
    this.retryAfter = opts.retryAfter;
    this.headers = opts.headers;
    this.upstream = opts.upstream;
  }

  /** The HTTP status a client of `family` gets: an upstream's, brought to one that family's API uses (CLIENT_STATUS). */
  statusFor(family: ApiFamily): number {
    return this.code === 'SLUICE_E_UPSTREAM_ERROR' ? CLIENT_STATUS[family][this.status] ?? this.status : this.status;
  }

  /** The error class for this status in the given family (upstream statuses map by status). */
  typeFor(family: ApiFamily): string {
    const status = this.statusFor(family);
    const spec = this.code === 'SLUICE_E_UPSTREAM_ERROR'
      ? STATUS_CLASSES[status] ?? (status >= 500 ? ERROR_CATALOGUE.SLUICE_E_UPSTREAM_ERROR : ERROR_CATALOGUE.SLUICE_E_INVALID_REQUEST)
      : specOf(this.code) ?? UNKNOWN_CODE;
    return spec[family];
  }
}

/**
 * A failure of the provider, not of the request: it could not be reached, timed out, cut its
 * stream short, was rate limited or failed (5xx) — worth another try or provider. A 4xx it
 * answered is the client's (or the config's) to fix: another provider would answer the same, and it
 * says nothing of the provider's health. A 499 is no answer to the request: the provider, or a
 * proxy in front of it, dropped it (this client did not: it is still waiting), so it counts as
 * the 502 the client is shown (CLIENT_STATUS).
 */
export function isProviderFailure(code: string | null | undefined, status: number): boolean {
  if (code === 'SLUICE_E_UPSTREAM_UNAVAILABLE' || code === 'SLUICE_E_UPSTREAM_TIMEOUT' || code === 'SLUICE_E_UPSTREAM_TRUNCATED') return true;
  return code === 'SLUICE_E_UPSTREAM_ERROR' && (status === 429 || status === 499 || status >= 500);
}

export function isGatewayError(err: unknown): err is GatewayError {
  return err instanceof GatewayError;
}

/** Renders an error body in the client's envelope. Upstream bodies of the same family pass verbatim. */
export function errorBody(err: GatewayError, family: ApiFamily): JsonObject {
  const upstream = err.upstream?.body;
  if (err.upstream?.family === family && typeof upstream === 'object') return upstream;
  const type = err.typeFor(family);
  // A prompt over the model's context window, said as the client's own API says it: its tools act on it.
  const overflow = err.upstream && err.code === 'SLUICE_E_UPSTREAM_ERROR' ? contextOverflow(err.upstream.family, err.upstream.body, err.status) : undefined;
  switch (family) {
    case 'openai':
      if (overflow) return { error: { message: err.message, type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } };
      return { error: { message: err.message, type, param: err.param, code: err.code === 'SLUICE_E_UPSTREAM_ERROR' ? upstreamCode(err) : err.code } };
    case 'anthropic':
      return { type: 'error', error: { type, message: overflow ? anthropicOverflowMessage(overflow, err.message) : err.message } };
    case 'gemini': {
      const retryDelay = geminiRetryDelay(err.retryAfter);
      return retryDelay === undefined
        ? { error: { code: err.statusFor(family), message: err.message, status: type } }
        : { error: { code: err.statusFor(family), message: err.message, status: type, details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay }] } };
    }
  }
}

/**
 * Google's API says when to retry in the body (google.rpc.RetryInfo, a protobuf Duration in JSON:
 * "12s"), and Gemini CLI and @google/genai users read that, not the retry-after header. Whole
 * seconds, rounded up, as Google sends them: some readers take only the digits before the "s".
 */
function geminiRetryDelay(retryAfter: string | undefined): string | undefined {
  const ms = retryAfterMs(retryAfter);
  return ms === undefined ? undefined : `${Math.ceil(ms / 1000)}s`;
}

function upstreamCode(err: GatewayError): string | null {
  const body = err.upstream?.body;
  if (body && typeof body === 'object') {
    const inner = body['error'];
    if (inner && typeof inner === 'object' && !Array.isArray(inner) && typeof inner['code'] === 'string') return inner['code'];
  }
  return null;
}

/** Extracts a human message from any family's error envelope (or plain text). */
export function upstreamMessage(body: JsonObject | string, status: number): string {
  if (typeof body === 'string') return body.trim().slice(0, 500) || `upstream answered HTTP ${status}`;
  const inner = body['error'];
  if (inner && typeof inner === 'object' && !Array.isArray(inner) && typeof inner['message'] === 'string') return inner['message'];
  if (typeof body['message'] === 'string') return body['message'];
  return `upstream answered HTTP ${status}`;
}

/** Wraps anything thrown into a GatewayError without leaking internals to clients. */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  if (isStorageUnavailable(err)) return new GatewayError('SLUICE_E_STORAGE_UNAVAILABLE', 'the database is busy or unreachable; retry shortly', { cause: err, retryAfter: '1' });
  return new GatewayError('SLUICE_E_INTERNAL', 'internal gateway error', { cause: err });
}
