// Stream helpers for the firewall chain tests: golden streams as the loopback model renders them in
// each protocol, a delta split in two at any character, and the text a client assembles.
import { decodeSse, encodeSseEvent, type JsonObject, type StreamEvent } from '../../../core/index.js';

export type GenProtocol = 'openai.chat' | 'openai.responses' | 'anthropic.messages' | 'gemini.generate';

/** The streaming request for `prompt` in each protocol, against a gateway serving `loopback`. */
export function streamRequest(p: GenProtocol, prompt: string, model = 'loopback'): { path: string; body: JsonObject; headers: Record<string, string> } {
  switch (p) {
    case 'openai.chat': return { path: '/v1/chat/completions', body: { model, stream: true, messages: [{ role: 'user', content: prompt }] }, headers: {} };
    case 'openai.responses': return { path: '/v1/responses', body: { model, stream: true, input: prompt }, headers: {} };
    case 'anthropic.messages': return { path: '/v1/messages', body: { model, stream: true, max_tokens: 256, messages: [{ role: 'user', content: prompt }] }, headers: { 'anthropic-version': '2023-06-01' } };
    case 'gemini.generate': return { path: `/v1beta/models/${model}:streamGenerateContent?alt=sse`, body: { contents: [{ role: 'user', parts: [{ text: prompt }] }] }, headers: {} };
  }
}

/** The raw SSE text a gateway at `url` streams for `prompt`. */
export async function goldenStream(url: string, p: GenProtocol, prompt: string): Promise<string> {
  const { path, body, headers } = streamRequest(p, prompt);
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`golden stream: ${res.status} ${await res.text()}`);
  return res.text();
}

export async function parseSse(text: string | string[]): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  async function* chunks() { yield* typeof text === 'string' ? [text] : text; }
  for await (const ev of decodeSse(chunks())) events.push(ev);
  return events;
}

export function serialise(events: readonly StreamEvent[]): string {
  return events.map(encodeSseEvent).join('');
}

const obj = (v: unknown): JsonObject | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? v as JsonObject : undefined);

/** Where a text delta sits in an event of each protocol: the object holding it and the key. */
function textSlot(p: GenProtocol, ev: StreamEvent): { owner: JsonObject; key: string } | undefined {
  const data = obj(ev.data);
  if (!data) return undefined;
  switch (p) {
    case 'openai.chat': {
      const delta = obj(obj((data['choices'] as unknown[] | undefined)?.[0])?.['delta']);
      return delta && typeof delta['content'] === 'string' ? { owner: delta, key: 'content' } : undefined;
    }
    case 'openai.responses':
      return data['type'] === 'response.output_text.delta' ? { owner: data, key: 'delta' } : undefined;
    case 'anthropic.messages': {
      const delta = obj(data['delta']);
      return data['type'] === 'content_block_delta' && delta?.['type'] === 'text_delta' ? { owner: delta, key: 'text' } : undefined;
    }
    case 'gemini.generate': {
      const part = obj((obj(obj((data['candidates'] as unknown[] | undefined)?.[0])?.['content'])?.['parts'] as unknown[] | undefined)?.[0]);
      return part && typeof part['text'] === 'string' && part['thought'] !== true ? { owner: part, key: 'text' } : undefined;
    }
  }
}

/**
 * The same stream with the text delta that contains `needle` cut in two, `at` characters into the
 * needle (Responses events after the cut are renumbered so sequence numbers stay strictly increasing).
 */
export function splitDelta(p: GenProtocol, events: readonly StreamEvent[], needle: string, at: number): StreamEvent[] {
  const out: StreamEvent[] = [];
  let done = false;
  for (const ev of events) {
    const copy = structuredClone(ev);
    const slot = textSlot(p, copy);
    const text = slot ? slot.owner[slot.key] as string : '';
    const where = text.indexOf(needle);
    if (!done && slot && where >= 0) {
      const second = structuredClone(copy);
      slot.owner[slot.key] = text.slice(0, where + at);
      const secondSlot = textSlot(p, second)!;
      secondSlot.owner[secondSlot.key] = text.slice(where + at);
      out.push(copy, second);
      done = true;
      continue;
    }
    out.push(copy);
  }
  if (!done) throw new Error(`splitDelta: no ${p} delta contains ${needle}`);
  if (p === 'openai.responses') out.forEach((ev, i) => { const d = obj(ev.data); if (d && typeof d['sequence_number'] === 'number') d['sequence_number'] = i; });
  return out;
}

/** The text deltas of a stream, concatenated (what a client shows). */
export function streamedText(p: GenProtocol, events: readonly StreamEvent[]): string {
  let text = '';
  for (const ev of events) {
    if (p === 'gemini.generate') {
      // Held text may come back as another part of a later chunk.
      const parts = obj(obj((obj(ev.data)?.['candidates'] as unknown[] | undefined)?.[0])?.['content'])?.['parts'];
      for (const part of Array.isArray(parts) ? parts : []) if (obj(part) && typeof obj(part)!['text'] === 'string' && obj(part)!['thought'] !== true) text += obj(part)!['text'] as string;
      continue;
    }
    const slot = textSlot(p, ev);
    if (slot) text += slot.owner[slot.key] as string;
  }
  return text;
}
