// OpenAI streams. Chat: text, reasoning and tool-argument channels per choice, flushed into the
// choice's finishing chunk. Responses: a channel per output text / arguments / summary part,
// flushed as one more delta before its `.done` event, and every later event that repeats the full
// text (`.done`, `content_part.done`, `output_item.done`, the terminal response) rewritten to match.
import { asArray, asObject, asString } from '../json.js';
import type { JsonObject, JsonValue, StreamEvent } from '../types.js';
import { Channels, makeChannel } from './stream-channels.js';
import type { Channel, DeltaTransform } from './types.js';

export async function* transformChatStream(events: AsyncIterable<StreamEvent>, transform: DeltaTransform): AsyncGenerator<StreamEvent> {
  const channels = new Channels(transform);
  /**
   * Per choice and tool index, the id (a reused index with a new id is a new call) and name of the
   * call being streamed: only its first fragment names them, and every delta of the channel carries both.
   */
  const callIds = new Map<string, { id: string | undefined; name: string | undefined; serial: number }>();
  let last: JsonObject | undefined;
  for await (const ev of events) {
    const data = asObject(ev.data);
    if (!data) { yield ev; continue; }
    last = data;
    for (const ch of asArray(data['choices'])) {
      const choice = asObject(ch);
      if (!choice) continue;
      const n = typeof choice['index'] === 'number' ? choice['index'] : 0;
      const delta = asObject(choice['delta']) ?? {};
      if (typeof delta['content'] === 'string') delta['content'] = channels.delta(makeChannel('text', n, 0), delta['content']);
      for (const field of ['reasoning_content', 'reasoning'] as const) {
        if (typeof delta[field] === 'string') delta[field] = channels.delta(makeChannel('reasoning', n, 0), delta[field] as string);
      }
      const extra: JsonObject[] = [];
      for (const t of asArray(delta['tool_calls'])) {
        const call = asObject(t);
        if (!call) continue;
        const index = typeof call['index'] === 'number' ? call['index'] : 0;
        const id = asString(call['id']);
        const slot = `${n}:${index}`;
        let seen = callIds.get(slot);
        if (seen && id !== undefined && seen.id !== undefined && id !== seen.id) {
          // Same index, new id (Ollama, SGLang): the earlier call ends here.
          const held = channels.end(toolChannel(n, index, seen.serial).key);
          if (held) extra.push({ index, function: { arguments: held } });
          seen = undefined;
        }
        const fn = asObject(call['function']);
        if (!seen) callIds.set(slot, (seen = { id, name: asString(fn?.['name']), serial: (callIds.get(slot)?.serial ?? -1) + 1 }));
        seen.name ??= asString(fn?.['name']);
        if (fn && typeof fn['arguments'] === 'string') fn['arguments'] = channels.delta(toolChannel(n, index, seen.serial, seen.name, seen.id), fn['arguments']);
      }
      // Held text of an ended call goes before the new call's first fragment.
      if (extra.length) delta['tool_calls'] = [...extra, ...asArray(delta['tool_calls'])];
      if (choice['finish_reason'] !== undefined && choice['finish_reason'] !== null) flushInto(delta, channels.endAll(n));
      if (choice['delta'] === undefined && Object.keys(delta).length) choice['delta'] = delta;
    }
    yield ev;
  }
  const rest = channels.endAll().filter((h) => h.text);
  if (rest.length && last) {
    const choices = [...new Set(rest.map((h) => h.channel.choice))].map((n) => {
      const delta: JsonObject = {};
      flushInto(delta, rest.filter((h) => h.channel.choice === n));
      return { index: n, delta, finish_reason: null };
    });
    yield { data: { id: last['id'] ?? null, object: 'chat.completion.chunk', created: last['created'] ?? 0, model: last['model'] ?? '', choices } };
  }
}

function toolChannel(choice: number, index: number, serial: number, toolName?: string, callId?: string): Channel {
  // Key by serial too, so a reused index does not continue the previous call's channel.
  const ch = makeChannel('tool_arguments', choice, index, { toolName, callId });
  return serial === 0 ? ch : { ...ch, key: `${ch.key}#${serial}` };
}

function flushInto(delta: JsonObject, held: { channel: Channel; text: string }[]): void {
  for (const { channel, text } of held) {
    if (!text) continue;
    if (channel.kind === 'text') delta['content'] = (typeof delta['content'] === 'string' ? delta['content'] : '') + text;
    else if (channel.kind === 'reasoning') {
      const field = typeof delta['reasoning'] === 'string' ? 'reasoning' : 'reasoning_content';
      delta[field] = (typeof delta[field] === 'string' ? delta[field] : '') + text;
    } else {
      const calls = Array.isArray(delta['tool_calls']) ? delta['tool_calls'] : (delta['tool_calls'] = []);
      calls.push({ index: channel.index, function: { arguments: text } });
    }
  }
}

/** Responses events that carry a delta, the channel kind, and the field holding the final text on `.done`. */
const RESPONSES_DELTAS: Record<string, { kind: Channel['kind']; done: string; field: string; part: string }> = {
  'response.output_text.delta': { kind: 'text', done: 'response.output_text.done', field: 'text', part: 'content_index' },
  'response.function_call_arguments.delta': { kind: 'tool_arguments', done: 'response.function_call_arguments.done', field: 'arguments', part: '' },
  'response.custom_tool_call_input.delta': { kind: 'tool_arguments', done: 'response.custom_tool_call_input.done', field: 'input', part: '' },
  'response.reasoning_summary_text.delta': { kind: 'reasoning', done: 'response.reasoning_summary_text.done', field: 'text', part: 'summary_index' },
  'response.reasoning_text.delta': { kind: 'reasoning', done: 'response.reasoning_text.done', field: 'text', part: 'content_index' },
};
const DONE_OF = new Map(Object.entries(RESPONSES_DELTAS).map(([delta, spec]) => [spec.done, { delta, ...spec }]));

export async function* transformResponsesStream(events: AsyncIterable<StreamEvent>, transform: DeltaTransform): AsyncGenerator<StreamEvent> {
  const channels = new Channels(transform);
  /** Transformed text so far per `${item_id}:${kind}:${part}`; later full-text events are rewritten to it. */
  const texts = new Map<string, string>();
  const names = new Map<string, string>();
  let inserted = 0;
  const renumber = (data: JsonObject) => { if (inserted && typeof data['sequence_number'] === 'number') data['sequence_number'] += inserted; };
  for await (const ev of events) {
    const data = asObject(ev.data);
    if (!data) { yield ev; continue; }
    const type = asString(data['type']) ?? ev.event ?? '';
    const item = asObject(data['item']);
    if (item && typeof item['id'] === 'string' && typeof item['name'] === 'string') names.set(item['id'], item['name']);
    const spec = RESPONSES_DELTAS[type];
    const done = DONE_OF.get(type);
    if (spec && typeof data['delta'] === 'string') {
      const key = textKey(data, spec.kind, spec.part);
      const ch = responsesChannel(data, spec.kind, spec.part, key, names);
      const out = channels.delta(ch, data['delta']);
      data['delta'] = out;
      texts.set(key, (texts.get(key) ?? '') + out);
    } else if (done) {
      const key = textKey(data, done.kind, done.part);
      const held = channels.end(key);
      if (held) {
        texts.set(key, (texts.get(key) ?? '') + held);
        const flush: JsonObject = { ...data, type: done.delta, delta: held };
        delete flush[done.field];
        if (typeof data['sequence_number'] === 'number') flush['sequence_number'] = data['sequence_number'] + inserted;
        inserted++;
        yield { event: done.delta, data: flush };
      }
      if (texts.has(key)) data[done.field] = texts.get(key)!;
    } else if (type === 'response.content_part.done') {
      const part = asObject(data['part']);
      const key = `${asString(data['item_id'])}:text:${data['content_index']}`;
      if (part && texts.has(key)) part['text'] = texts.get(key)!;
    } else if (type === 'response.reasoning_summary_part.done') {
      const part = asObject(data['part']);
      const key = `${asString(data['item_id'])}:reasoning:${data['summary_index']}`;
      if (part && texts.has(key)) part['text'] = texts.get(key)!;
    } else if (type === 'response.output_item.done' && item) {
      rewriteItem(item, texts);
    } else if (asObject(data['response'])) {
      for (const it of asArray(asObject(data['response'])!['output'])) { const o = asObject(it); if (o) rewriteItem(o, texts); }
    }
    renumber(data);
    yield ev;
  }
}

function textKey(data: JsonObject, kind: Channel['kind'], part: string): string {
  return `${asString(data['item_id'])}:${kind}:${part ? data[part] ?? 0 : 0}`;
}

function responsesChannel(data: JsonObject, kind: Channel['kind'], part: string, key: string, names: Map<string, string>): Channel {
  const outputIndex = typeof data['output_index'] === 'number' ? data['output_index'] : 0;
  const itemId = asString(data['item_id']);
  return { ...makeChannel(kind, 0, outputIndex), key, ...(part ? {} : { format: kind === 'tool_arguments' && data['type'] === 'response.custom_tool_call_input.delta' ? 'text' : 'json' }), toolName: itemId ? names.get(itemId) : undefined };
}

/** A finished output item repeats its full text: make it what the client was streamed. */
function rewriteItem(item: JsonObject, texts: Map<string, string>): void {
  const id = asString(item['id']);
  const set = (owner: JsonObject, field: string, key: string) => { if (texts.has(key)) owner[field] = texts.get(key)! as JsonValue; };
  if (item['type'] === 'message') asArray(item['content']).forEach((p, k) => { const o = asObject(p); if (o) set(o, 'text', `${id}:text:${k}`); });
  else if (item['type'] === 'function_call') set(item, 'arguments', `${id}:tool_arguments:0`);
  else if (item['type'] === 'custom_tool_call') set(item, 'input', `${id}:tool_arguments:0`);
  else if (item['type'] === 'reasoning') {
    asArray(item['summary']).forEach((p, k) => { const o = asObject(p); if (o) set(o, 'text', `${id}:reasoning:${k}`); });
    asArray(item['content']).forEach((p, k) => { const o = asObject(p); if (o) set(o, 'text', `${id}:reasoning:${k}`); });
  }
}
