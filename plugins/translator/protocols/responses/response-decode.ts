// Responses JSON response → IR, for when OpenAI's Responses API is the upstream.
import {
  asArray, asObject, asString, emptyUsage, GatewayError, streamError, usageFrom, type JsonObject, type JsonValue,
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

/** A failed response, with the status its error code implies (core's streamError: an overload stays one). */
export function failedResponseError(res: JsonObject): GatewayError {
  return streamError(RESPONSES_PROTOCOL, undefined, { data: { response: res } });
}

/** A Responses answer Sluice cannot read (no error code: a 502; coded failures go through core's streamError). */
export function upstreamError(message: string): GatewayError {
  return new GatewayError('SLUICE_E_UPSTREAM_ERROR', message, {
    status: 502, upstream: { family: 'openai', body: { error: { message, type: 'api_error', code: null } } },
  });
}
