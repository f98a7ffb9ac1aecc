// Gemini streams: text and thought channels per candidate, function calls whole (Gemini never
// streams arguments). Held text goes out on the candidate's finishing chunk, or a chunk of its own.
import { asArray, asObject } from '../json.js';
import type { JsonObject, JsonValue, StreamEvent } from '../types.js';
import { Channels, makeChannel } from './stream-channels.js';
import type { DeltaTransform } from './types.js';

export async function* transformGeminiStream(events: AsyncIterable<StreamEvent>, transform: DeltaTransform): AsyncGenerator<StreamEvent> {
  const channels = new Channels(transform);
  const calls = new Map<number, number>();
  let last: JsonObject | undefined;
  for await (const ev of events) {
    const data = asObject(ev.data);
    if (!data) { yield ev; continue; }
    last = data;
    const candidates = asArray(data['candidates']);
    candidates.forEach((cand, ci) => {
      const c = asObject(cand);
      if (!c) return;
      const n = typeof c['index'] === 'number' ? c['index'] : ci;
      const content = asObject(c['content']);
      const parts = asArray(content?.['parts']);
      for (const p of parts) {
        const part = asObject(p);
        if (!part) continue;
        if (typeof part['text'] === 'string') {
          const ch = makeChannel(part['thought'] === true ? 'reasoning' : 'text', n, 0);
          part['text'] = channels.delta(ch, part['text']);
        }
        const call = asObject(part['functionCall']);
        if (call) {
          const k = calls.get(n) ?? 0;
          calls.set(n, k + 1);
          const ch = makeChannel('tool_arguments', n, k, { toolName: typeof call['name'] === 'string' ? call['name'] : undefined });
          const text = channels.delta(ch, JSON.stringify(call['args'] ?? {})) + channels.end(ch.key);
          call['args'] = JSON.parse(text) as JsonValue;
        }
      }
      if (c['finishReason'] !== undefined) {
        const held = channels.endAll(n).filter((h) => h.text);
        if (held.length) {
          const target = content ?? (c['content'] = { role: 'model', parts: [] });
          const list = Array.isArray(target['parts']) ? target['parts'] : (target['parts'] = []);
          for (const h of held) list.push(heldPart(h.channel.kind, h.text));
        }
      }
    });
    yield ev;
  }
  const rest = channels.endAll().filter((h) => h.text);
  if (rest.length) {
    const candidates: JsonValue[] = rest.map((h) => ({ index: h.channel.choice, content: { role: 'model', parts: [heldPart(h.channel.kind, h.text)] } }));
    const chunk: JsonObject = { candidates };
    if (typeof last?.['modelVersion'] === 'string') chunk['modelVersion'] = last['modelVersion'];
    yield { data: chunk };
  }
}

function heldPart(kind: string, text: string): JsonObject {
  return kind === 'reasoning' ? { text, thought: true } : { text };
}
