// Anthropic Messages JSON response → IR.
import { GatewayError, asArray, asObject, asString, emptyUsage, type JsonValue } from '../../../../core/index.js';
import type { IrPart, IrResponse } from '../../ir.js';
import { decodeStopReason, decodeUsage, upstreamError } from './wire.js';

export function decodeResponse(body: JsonValue): IrResponse {
  const message = asObject(body);
  if (message && asString(message['type']) === 'error') throw upstreamError(message);
  if (!message || !Array.isArray(message['content'])) {
    throw new GatewayError('SLUICE_E_UPSTREAM_ERROR', 'Anthropic upstream returned something other than a message', {
      upstream: { family: 'anthropic', body: message ?? JSON.stringify(body) },
    });
  }
  const parts: IrPart[] = [];
  for (const raw of asArray(message['content'])) {
    const b = asObject(raw);
    switch (asString(b?.['type'])) {
      case 'text': parts.push({ type: 'text', text: asString(b?.['text']) ?? '' }); break;
      case 'thinking': {
        const signature = asString(b?.['signature']);
        parts.push({ type: 'thinking', text: asString(b?.['thinking']) ?? '', ...(signature ? { signature } : {}) });
        break;
      }
      case 'redacted_thinking': parts.push({ type: 'redacted_thinking', data: asString(b?.['data']) ?? '' }); break;
      case 'tool_use':
        parts.push({ type: 'tool_call', id: asString(b?.['id']) ?? '', name: asString(b?.['name']) ?? '', arguments: JSON.stringify(b?.['input'] ?? {}) });
        break;
      // server_tool_use, web_search_tool_result…: results of tools Anthropic ran itself, not for the client.
      default: break;
    }
  }
  const response: IrResponse = {
    id: asString(message['id']) ?? '',
    model: asString(message['model']) ?? '',
    parts,
    stopReason: decodeStopReason(asString(message['stop_reason'])),
    usage: decodeUsage(message['usage']) ?? emptyUsage(),
  };
  const stopSequence = asString(message['stop_sequence']);
  if (stopSequence !== undefined) response.stopSequence = stopSequence;
  return response;
}
