// What the access log says of a failed request beyond its SLUICE_E_* code, so the operator can
// debug it without asking the client for the error it got: the system error behind a provider that
// could not be reached or answered too late (ECONNREFUSED, ENOTFOUND, CERT_HAS_EXPIRED,
// UND_ERR_HEADERS_TIMEOUT…), and the upstream's own error type and code (invalid_request_error /
// context_length_exceeded, overloaded_error, RESOURCE_EXHAUSTED / API_KEY_INVALID). Identifiers
// only, never a message: an upstream's message may quote the prompt or a key.
import type { GatewayError } from '../errors.js';

export interface ErrorDetail {
  /** The system or library error code behind the failure. */
  cause?: string;
  /** The upstream body's error type (OpenAI `error.type`, Anthropic `error.type`, Gemini `error.status`). */
  upstreamType?: string;
  /** The upstream body's error code (OpenAI `error.code`, Gemini's ErrorInfo `reason`). */
  upstreamCode?: string;
}

/** An identifier as APIs and Node write them; anything else (free text, a number, a long value) is left out. */
const IDENTIFIER = /^[A-Za-z][\w.:-]{0,63}$/;
const identifier = (v: unknown): string | undefined => (typeof v === 'string' && IDENTIFIER.test(v) ? v : undefined);
const asObject = (v: unknown): Record<string, unknown> | undefined =>
  (v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : undefined);

export function errorDetail(err: GatewayError): ErrorDetail | undefined {
  const detail: ErrorDetail = {};
  // The code of the first error down the cause chain that has one (undici wraps the socket's).
  let cause: unknown = err.cause;
  for (let depth = 0; depth < 4 && cause instanceof Error; depth++, cause = cause.cause) {
    const code = identifier((cause as { code?: unknown }).code);
    if (code) { detail.cause = code; break; }
  }
  if (err.upstream) {
    // Gemini may answer an error as a one-element array (its JSON-array stream framing).
    const body = Array.isArray(err.upstream.body) ? err.upstream.body[0] : err.upstream.body;
    const error = asObject(asObject(body)?.['error']);
    if (error) {
      if (err.upstream.family === 'gemini') {
        detail.upstreamType = identifier(error['status']);
        const details = Array.isArray(error['details']) ? error['details'] : [];
        for (const d of details) {
          const reason = identifier(asObject(d)?.['reason']);
          if (reason) { detail.upstreamCode = reason; break; }
        }
      } else {
        detail.upstreamType = identifier(error['type']);
        if (err.upstream.family === 'openai') detail.upstreamCode = identifier(error['code']);
      }
    }
  }
  return detail.cause || detail.upstreamType || detail.upstreamCode ? detail : undefined;
}
