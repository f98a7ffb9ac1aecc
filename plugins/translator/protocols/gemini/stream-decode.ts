// Gemini streamGenerateContent (alt=sse) → IR events. Every SSE data line is a whole
// GenerateContentResponse holding the next slice of the answer; function calls arrive whole.
import { asArray, asNumber, asObject, asString, GatewayError, type JsonObject, type StreamEvent } from '../../../../core/index.js';
import type { IrPart, IrStreamEvent } from '../../ir.js';
import { stopReasonFromGemini } from './finish.js';
import { PartDecoder } from './parts-decode.js';
import { idScope } from './response-decode.js';
import { usageFromGemini } from './usage.js';

export async function* decodeGeminiStream(events: AsyncIterable<StreamEvent>): AsyncIterable<IrStreamEvent> {
  let decoder: PartDecoder | undefined;
  let calls = 0;
  let finished = false;
  let lastUsage = '';
  for await (const ev of events) {
    const chunk = asObject(ev.data);
    if (!chunk) continue;
    const error = asObject(chunk['error']);
    if (error) throw upstreamError(error, chunk);
    if (!decoder) {
      const id = asString(chunk['responseId']);
      const model = asString(chunk['modelVersion']);
      decoder = new PartDecoder(idScope(id ?? ''));
      const start: IrStreamEvent = { type: 'start' };
      if (id) start.id = id;
      if (model) start.model = model;
      yield start;
    }
    // usageMetadata is cumulative and often repeated in every chunk: pass on only what changed. It
    // goes before the chunk's parts, so the first content an Anthropic client sees already has the
    // real input count (message_start waits for the first content).
    const usage = usageFromGemini(chunk['usageMetadata']);
    if (usage) {
      const key = JSON.stringify(usage);
      if (key !== lastUsage) { lastUsage = key; yield { type: 'usage', usage }; }
    }
    const candidate = asObject(asArray(chunk['candidates'])[0]);
    for (const part of asArray(asObject(candidate?.['content'])?.['parts'])) {
      const decoded: IrPart[] = [];
      decoder.decode(part, decoded);
      for (const p of decoded) {
        if (p.type === 'text') yield { type: 'text_delta', text: p.text };
        else if (p.type === 'thinking') {
          if (p.text !== '') yield { type: 'thinking_delta', text: p.text };
          if (p.signature !== undefined) yield { type: 'thinking_signature', signature: p.signature };
        } else if (p.type === 'tool_call') {
          const index = calls++;
          const start: IrStreamEvent = { type: 'tool_call_start', index, id: p.id, name: p.name };
          if (p.signature !== undefined) start.signature = p.signature;
          yield start;
          yield { type: 'tool_call_delta', index, arguments: p.arguments };
        }
        // Images a model generates have no place in the other protocols' streams.
      }
    }
    const finishReason = asString(candidate?.['finishReason']);
    const blocked = !candidate && asString(asObject(chunk['promptFeedback'])?.['blockReason']) !== undefined;
    if (!finished && (finishReason !== undefined || blocked)) {
      finished = true;
      yield { type: 'finish', stopReason: blocked ? 'content_filter' : stopReasonFromGemini(finishReason, calls > 0) };
    }
  }
}

function upstreamError(error: JsonObject, chunk: JsonObject): GatewayError {
  const code = asNumber(error['code']);
  const message = asString(error['message']) ?? 'Gemini reported an error mid-stream';
  return new GatewayError('SLUICE_E_UPSTREAM_ERROR', message, {
    status: code !== undefined && code >= 400 && code < 600 ? code : 502,
    upstream: { family: 'gemini', body: chunk },
  });
}
