// Stream helpers for the firewall chain tests: golden streams as the loopback model renders them in
// each protocol, a delta split in two at any character, and the text a client assembles.
import { decodeSse, encodeSseEvent, type JsonObject, type StreamEvent } from '../../../core/index.js';

export type GenProtocol = 'openai.chat' | 'openai.responses' | 'anthropic.messages' | 'gemini.generate';

const PARAMETERS = { type: 'object', properties: { city: { type: 'string' }, note: { type: 'string' } } };

/** The request for `prompt` in each protocol (streamed unless told), offering a `lookup` tool when `tools` is set. */
export function streamRequest(p: GenProtocol, prompt: string, model = 'loopback', opts: { tools?: boolean; stream?: boolean } = {}): { path: string; body: JsonObject; headers: Record<string, string> } {
  const stream = opts.stream ?? true;
  switch (p) {
    case 'openai.chat': return { path: '/v1/chat/completions', body: { model, stream, messages: [{ role: 'user', content: prompt }], ...(opts.tools ? { tools: [{ type: 'function', function: { name: 'lookup', parameters: PARAMETERS } }] } : {}) }, headers: {} };
    case 'openai.responses': return { path: '/v1/responses', body: { model, stream, input: prompt, ...(opts.tools ? { tools: [{ type: 'function', name: 'lookup', parameters: PARAMETERS }] } : {}) }, headers: {} };
    case 'anthropic.messages': return { path: '/v1/messages', body: { model, stream, max_tokens: 256, messages: [{ role: 'user', content: prompt }], ...(opts.tools ? { tools: [{ name: 'lookup', input_schema: PARAMETERS }] } : {}) }, headers: { 'anthropic-version': '2023-06-01' } };
    case 'gemini.generate': return {
      path: `/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
      body: { contents: [{ role: 'user', parts: [{ text: prompt }] }], ...(opts.tools ? { tools: [{ functionDeclarations: [{ name: 'lookup', parameters: PARAMETERS }] }] } : {}) },
      headers: {},
    };
  }
}

/** The raw answer (SSE text, or JSON text when `stream` is false) a gateway at `url` gives for `prompt`. */
export async function goldenStream(url: string, p: GenProtocol, prompt: string, opts: { tools?: boolean; stream?: boolean } = {}): Promise<string> {
  const { path, body, headers } = streamRequest(p, prompt, 'loopback', opts);
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

/** Each text delta of a stream (each text part, for Gemini), as it came: '' for one with nothing in it. */
export function textPieces(p: GenProtocol, events: readonly StreamEvent[]): string[] {
  const pieces: string[] = [];
  for (const ev of events) {
    if (p === 'gemini.generate') {
      const parts = obj(obj((obj(ev.data)?.['candidates'] as unknown[] | undefined)?.[0])?.['content'])?.['parts'];
      for (const part of Array.isArray(parts) ? parts : []) if (obj(part) && typeof obj(part)!['text'] === 'string') pieces.push(obj(part)!['text'] as string);
      continue;
    }
    const slot = textSlot(p, ev);
    if (slot) pieces.push(slot.owner[slot.key] as string);
  }
  return pieces;
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

/** Where a streamed tool-argument delta sits (Gemini sends arguments whole, as an object). */
function argsSlot(p: GenProtocol, ev: StreamEvent): { owner: JsonObject; key: string } | undefined {
  const data = obj(ev.data);
  if (!data) return undefined;
  switch (p) {
    case 'openai.chat': {
      const call = obj((obj(obj((data['choices'] as unknown[] | undefined)?.[0])?.['delta'])?.['tool_calls'] as unknown[] | undefined)?.[0]);
      const fn = obj(call?.['function']);
      return fn && typeof fn['arguments'] === 'string' ? { owner: fn, key: 'arguments' } : undefined;
    }
    case 'openai.responses':
      return data['type'] === 'response.function_call_arguments.delta' ? { owner: data, key: 'delta' } : undefined;
    case 'anthropic.messages': {
      const delta = obj(data['delta']);
      return data['type'] === 'content_block_delta' && delta?.['type'] === 'input_json_delta' ? { owner: delta, key: 'partial_json' } : undefined;
    }
    case 'gemini.generate':
      return undefined;
  }
}

/** The first tool call's arguments as streamed (JSON text; Gemini's object serialised). */
export function streamedArguments(p: GenProtocol, events: readonly StreamEvent[]): string {
  if (p === 'gemini.generate') {
    for (const ev of events) {
      const parts = obj(obj((obj(ev.data)?.['candidates'] as unknown[] | undefined)?.[0])?.['content'])?.['parts'];
      for (const part of Array.isArray(parts) ? parts : []) {
        const call = obj(obj(part)?.['functionCall']);
        if (call) return JSON.stringify(call['args'] ?? {});
      }
    }
    return '';
  }
  let text = '';
  for (const ev of events) {
    const slot = argsSlot(p, ev);
    if (slot) text += slot.owner[slot.key] as string;
  }
  return text;
}

/**
 * The same stream with the first call's argument deltas merged and cut in two at `at` (Gemini's
 * whole-object arguments are returned as they are).
 */
export function splitArguments(p: GenProtocol, events: readonly StreamEvent[], at: number): StreamEvent[] {
  if (p === 'gemini.generate') return events.map((ev) => structuredClone(ev));
  const whole = streamedArguments(p, events);
  const out: StreamEvent[] = [];
  let placed = false;
  for (const ev of events) {
    const copy = structuredClone(ev);
    const slot = argsSlot(p, copy);
    if (!slot) { out.push(copy); continue; }
    if (placed) continue;
    const second = structuredClone(copy);
    slot.owner[slot.key] = whole.slice(0, at);
    const secondSlot = argsSlot(p, second)!;
    secondSlot.owner[secondSlot.key] = whole.slice(at);
    out.push(copy, second);
    placed = true;
  }
  if (p === 'openai.responses') out.forEach((ev, i) => { const d = obj(ev.data); if (d && typeof d['sequence_number'] === 'number') d['sequence_number'] = i; });
  return out;
}
