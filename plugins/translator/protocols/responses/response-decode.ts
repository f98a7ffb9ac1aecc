// Responses JSON response → IR, for when OpenAI's Responses API is the upstream.
import {
  asArray, asObject, asString, emptyUsage, GatewayError, usageFrom, type JsonObject, type JsonValue,
} from '../../../../core/index.js';
import type { IrPart, IrResponse, IrStopReason } from '../../ir.js';
import { ItemReader } from './item-reader.js';
import { RESPONSES_PROTOCOL } from './wire.js';

export function decodeResponsesResponse(body: JsonValue): IrResponse {
  const res = asObject(body);
  if (!res) throw upstreamError('upstream returned a Responses body that is not an object');
  if (res['status'] === 'failed' || asObject(res['error'])) throw failedResponseError(res);
  // Output items are read as input items are, leniently; hosted-tool items (web_search_call…)
  // describe work OpenAI already did and make no part.
  const parts: IrPart[] = [];
  const reader = new ItemReader(new Map(), true);
  asArray(res['output']).forEach((raw, i) => {
    const item = asObject(raw);
    if (item) reader.read(item, i, parts, asString(item['type']));
  });
  return {
    id: asString(res['id']) ?? '',
    model: asString(res['model']) ?? '',
    parts,
    stopReason: stopReasonOf(res, parts.some((p) => p.type === 'tool_call')),
    usage: usageFrom(RESPONSES_PROTOCOL, res) ?? emptyUsage(),
  };
}

/** The IR stop reason of a finished (completed or incomplete) response object. */
export function stopReasonOf(res: JsonObject, hasToolCalls: boolean): IrStopReason {
  if (res['status'] === 'incomplete') {
    const reason = asString(asObject(res['incomplete_details'])?.['reason']);
    return reason === 'content_filter' ? 'content_filter' : 'max_tokens';
  }
  return hasToolCalls ? 'tool_use' : 'end_turn';
}

/** A failed response (JSON or `response.failed` event) as the upstream error it is. */
export function failedResponseError(res: JsonObject): GatewayError {
  const err = asObject(res['error']);
  return upstreamError(asString(err?.['message']) ?? 'upstream response failed', asString(err?.['type']), asString(err?.['code']));
}

/**
 * The HTTP status OpenAI gives the same failure outside a stream, for the error codes of a
 * `response.failed` or an `error` event: a rate limit stays a 429 (clients back off, the router
 * falls back), a refused prompt a 400 (no fallback would take it). Other codes (server_error…) are a 502.
 */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  rate_limit_exceeded: 429, insufficient_quota: 429,
  invalid_prompt: 400, context_length_exceeded: 400,
};

export function upstreamError(message: string, type?: string, code?: string): GatewayError {
  return new GatewayError('SLUICE_E_UPSTREAM_ERROR', message, {
    status: (code !== undefined ? STATUS_BY_CODE[code] : undefined) ?? 502,
    upstream: { family: 'openai', body: { error: { message, type: type ?? 'api_error', code: code ?? null } } },
  });
}
