// Anthropic Messages vocabulary shared by the request, response and stream halves of the codec:
// stop reasons, usage and error classes in both directions.
import { GatewayError, asNumber, asObject, asString, type JsonObject, type JsonValue, type Usage } from '../../../../core/index.js';
import type { IrStopReason } from '../../ir.js';

export function decodeStopReason(reason: string | undefined): IrStopReason {
  switch (reason) {
    case 'max_tokens': return 'max_tokens';
    // The context window filling up is, to a client, the same as running out of output budget.
    case 'model_context_window_exceeded': return 'max_tokens';
    case 'stop_sequence': return 'stop_sequence';
    case 'tool_use': return 'tool_use';
    case 'pause_turn': return 'pause';
    case 'refusal': return 'refusal';
    default: return 'end_turn';
  }
}

export function encodeStopReason(reason: IrStopReason): string {
  switch (reason) {
    case 'pause': return 'pause_turn';
    // Anthropic's nearest class for a provider's safety filter is a refusal.
    case 'content_filter': return 'refusal';
    default: return reason;
  }
}

/** Anthropic usage: `input_tokens` already excludes cache reads and writes, so classes map one to one. */
export function decodeUsage(payload: JsonValue | undefined): Usage | undefined {
  const u = asObject(payload);
  if (!u) return undefined;
  const details = asObject(u['output_tokens_details']);
  return {
    inputTokens: asNumber(u['input_tokens']) ?? 0,
    outputTokens: asNumber(u['output_tokens']) ?? 0,
    cacheReadTokens: asNumber(u['cache_read_input_tokens']) ?? 0,
    cacheWriteTokens: asNumber(u['cache_creation_input_tokens']) ?? 0,
    reasoningTokens: asNumber(details?.['thinking_tokens']) ?? 0,
    estimated: false,
  };
}

export function encodeUsage(usage: Usage): JsonObject {
  return {
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    cache_creation_input_tokens: usage.cacheWriteTokens,
    cache_read_input_tokens: usage.cacheReadTokens,
  };
}

/** HTTP status Anthropic uses for each error class, so an in-stream error keeps its meaning. */
const ERROR_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** An Anthropic error envelope (`{type:'error', error:{type, message}}`) as a GatewayError. */
export function upstreamError(body: JsonObject): GatewayError {
  const error = asObject(body['error']);
  const type = asString(error?.['type']) ?? 'api_error';
  const message = asString(error?.['message']) ?? 'Anthropic upstream error';
  return new GatewayError('SLUICE_E_UPSTREAM_ERROR', message, {
    status: (Object.hasOwn(ERROR_STATUS, type) ? ERROR_STATUS[type] : undefined) ?? 500, // own keys: the type is the upstream's
    upstream: { family: 'anthropic', body },
  });
}
