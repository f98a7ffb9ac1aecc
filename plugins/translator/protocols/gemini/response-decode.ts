// Gemini GenerateContentResponse → IR (Gemini as the upstream).
import { asArray, asObject, asString, emptyUsage, GatewayError, type JsonValue } from '../../../../core/index.js';
import type { IrPart, IrResponse } from '../../ir.js';
import { stopReasonFromGemini } from './finish.js';
import { PartDecoder } from './parts-decode.js';
import { usageFromGemini } from './usage.js';

export function decodeGeminiResponse(body: JsonValue): IrResponse {
  const b = asObject(body);
  if (!b) throw new GatewayError('SLUICE_E_UPSTREAM_ERROR', 'Gemini returned a response that is not a JSON object');
  const id = asString(b['responseId']) ?? '';
  const candidate = asObject(asArray(b['candidates'])[0]);
  const parts: IrPart[] = [];
  const decoder = new PartDecoder(idScope(id));
  for (const p of asArray(asObject(candidate?.['content'])?.['parts'])) decoder.decode(p, parts);
  const hasCalls = parts.some((p) => p.type === 'tool_call');
  // A blocked prompt has no candidate at all, only promptFeedback.blockReason.
  const blocked = !candidate && asString(asObject(b['promptFeedback'])?.['blockReason']) !== undefined;
  return {
    id,
    model: asString(b['modelVersion']) ?? '',
    parts,
    stopReason: blocked ? 'content_filter' : stopReasonFromGemini(asString(candidate?.['finishReason']), hasCalls),
    usage: usageFromGemini(b['usageMetadata']) ?? emptyUsage(),
  };
}

/** Minted call ids carry the response id so calls of successive turns never share an id. */
export function idScope(responseId: string): string {
  return responseId.replace(/[^A-Za-z0-9]/g, '').slice(-16);
}
