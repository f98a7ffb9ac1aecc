// Responses JSON response → IR, for when OpenAI's Responses API is the upstream.
import {
  asArray, asObject, asString, emptyUsage, GatewayError, usageFrom, type JsonObject, type JsonValue,
} from '../../../../core/index.js';
import type { IrPart, IrResponse, IrStopReason } from '../../ir.js';
import { reasoningPart, RESPONSES_PROTOCOL } from './wire.js';

export function decodeResponsesResponse(body: JsonValue): IrResponse {
  const res = asObject(body);
  if (!res) throw upstreamError('upstream returned a Responses body that is not an object');
  if (res['status'] === 'failed' || asObject(res['error'])) throw failedResponseError(res);
  const parts: IrPart[] = [];
  for (const raw of asArray(res['output'])) {
    const item = asObject(raw);
    if (item) parts.push(...decodeOutputItem(item));
  }
  return {
    id: asString(res['id']) ?? '',
    model: asString(res['model']) ?? '',
    parts,
    stopReason: stopReasonOf(res, parts.some((p) => p.type === 'tool_call')),
    usage: usageFrom(RESPONSES_PROTOCOL, res) ?? emptyUsage(),
  };
}

function decodeOutputItem(item: JsonObject): IrPart[] {
  switch (item['type']) {
    case 'reasoning': {
      const part = reasoningPart(item);
      return part ? [part] : [];
    }
    case 'message': {
      const parts: IrPart[] = [];
      for (const raw of asArray(item['content'])) {
        const c = asObject(raw);
        if (c?.['type'] === 'output_text') parts.push({ type: 'text', text: asString(c['text']) ?? '' });
        else if (c?.['type'] === 'refusal') parts.push({ type: 'text', text: asString(c['refusal']) ?? '' });
      }
      return parts;
    }
    case 'function_call':
      return [{ type: 'tool_call', id: asString(item['call_id']) ?? '', name: asString(item['name']) ?? '', arguments: asString(item['arguments']) ?? '{}' }];
    case 'custom_tool_call':
      return [{
        type: 'tool_call', id: asString(item['call_id']) ?? '', name: asString(item['name']) ?? '',
        arguments: JSON.stringify({ input: asString(item['input']) ?? '' }),
      }];
    default:
      return []; // hosted-tool items (web_search_call…) describe work OpenAI already did
  }
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

export function upstreamError(message: string, type?: string, code?: string): GatewayError {
  return new GatewayError('SLUICE_E_UPSTREAM_ERROR', message, {
    status: 502,
    upstream: { family: 'openai', body: { error: { message, type: type ?? 'api_error', code: code ?? null } } },
  });
}
