// Opaque provider state Chat has no standard field for, carried in the two conventions real
// OpenAI-compatible servers use, so clients that echo the assistant message back keep it (core's
// readChatMessage reads the first back, in requests, answers and stream deltas alike):
// - thinking signatures and redacted thinking: OpenRouter's `reasoning_details` array
//   ({type:'reasoning.text', text, signature} / {type:'reasoning.encrypted', data});
// - Gemini thoughtSignature on a function call: Google's compat layer's
//   `tool_calls[].extra_content.google.thought_signature`.
import { asObject, asString, type JsonObject } from '../../../../core/index.js';
import type { IrPart } from '../../ir.js';

/** `reasoning_details` for the given parts, or undefined when no part carries provider state. */
export function reasoningDetailsFromIr(parts: readonly IrPart[]): JsonObject[] | undefined {
  const needed = parts.some((p) => (p.type === 'thinking' && p.signature !== undefined) || p.type === 'redacted_thinking');
  if (!needed) return undefined;
  const out: JsonObject[] = [];
  for (const p of parts) {
    if (p.type === 'thinking') {
      const d: JsonObject = { type: 'reasoning.text', text: p.text };
      if (p.signature !== undefined) d['signature'] = p.signature;
      d['index'] = out.length;
      out.push(d);
    } else if (p.type === 'redacted_thinking') {
      out.push({ type: 'reasoning.encrypted', data: p.data, index: out.length });
    }
  }
  return out;
}

export function toolCallSignature(call: JsonObject): string | undefined {
  return asString(asObject(asObject(call['extra_content'])?.['google'])?.['thought_signature']);
}

export function toolCallSignatureField(signature: string): JsonObject {
  return { google: { thought_signature: signature } };
}
