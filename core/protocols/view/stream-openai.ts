// OpenAI streams. Chat: text, reasoning and tool-argument channels per choice; what one holds goes
// out in a chunk of its own before the choice's next delta of another kind (text after reasoning,
// the next call, reasoning_details carrying the reasoning's signature), or in the finishing chunk.
// Responses: a channel per output text / arguments / summary part, flushed as one more delta before
// its `.done` event (items are sequential, so that keeps the order), and every later event that
// repeats the full text (`.done`, `content_part.done`, `output_item.done`, the terminal response)
// rewritten to match.
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
  /** Per choice, what its last delta carried (deltaKind): held text is flushed when that changes. */
  const lastKind = new Map<number, number>();
  let last: JsonObject | undefined;
  /** What the open channels hold, as one chunk (the stream ended, or failed, without finishing them). */
  const heldChunk = (held: { channel: Channel; text: string }[]): StreamEvent | undefined => {
    const rest = held.filter((h) => h.text);
    if (!rest.length || !last) return undefined;
    const choices = [...new Set(rest.map((h) => h.channel.choice))].map((n) => {
      const delta: JsonObject = {};
      flushInto(delta, rest.filter((h) => h.channel.choice === n));
      return { index: n, delta, finish_reason: null };
    });
    return { data: { id: last['id'] ?? null, object: 'chat.completion.chunk', created: last['created'] ?? 0, model: last['model'] ?? '', choices } };
  };
  /** The choice being read had a piece of text the transform held back whole. */
  let heldBack = false;
  const pass = (ch: Channel, text: string): string => {
    const out = channels.delta(ch, text);
    if (out === '' && text !== '') heldBack = true;
    return out;
  };
  try {
    for await (const ev of events) {
      const data = asObject(ev.data);
      if (!data) { yield ev; continue; }
      if (data['error'] !== undefined && data['choices'] === undefined) {
        // The upstream's own error chunk ends the answer: what was held goes before it.
        const chunk = heldChunk(channels.endAllOnFailure());
        if (chunk) yield chunk;
        yield ev;
        continue;
      }
      last = data;
      let before: JsonValue[] | undefined;
      /** Choices whose every piece of text the transform held back, and that carry nothing else. */
      let emptied: Set<JsonValue> | undefined;
      for (const ch of asArray(data['choices'])) {
        const choice = asObject(ch);
        if (!choice) continue;
        heldBack = false;
        const n = typeof choice['index'] === 'number' ? choice['index'] : 0;
        const delta = asObject(choice['delta']) ?? {};
        const kind = deltaKind(delta);
        if (kind !== NO_KIND) {
          const previous = lastKind.get(n);
          lastKind.set(n, kind);
          if (previous !== undefined && previous !== kind) {
            // Held text goes out before the next kind starts, in a chunk of its own: clients and
            // decoders that build blocks in order (reasoning, its signature, text, each call) see it in its block.
            const held = channels.endAll(n).filter((h) => h.text);
            if (held.length) {
              const flush: JsonObject = {};
              flushInto(flush, held);
              (before ??= []).push({ index: n, delta: flush, finish_reason: null });
            }
          }
        }
        if (typeof delta['content'] === 'string') delta['content'] = pass(makeChannel('text', n, 0), delta['content']);
        for (const field of ['reasoning_content', 'reasoning'] as const) {
          if (typeof delta[field] === 'string') delta[field] = pass(makeChannel('reasoning', n, 0), delta[field] as string);
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
          if (fn && typeof fn['arguments'] === 'string') fn['arguments'] = pass(toolChannel(n, index, seen.serial, seen.name, seen.id), fn['arguments']);
        }
        // Held text of an ended call goes before the new call's first fragment.
        if (extra.length) delta['tool_calls'] = [...extra, ...asArray(delta['tool_calls'])];
        if (choice['finish_reason'] !== undefined && choice['finish_reason'] !== null) flushInto(delta, channels.endAll(n));
        if (choice['delta'] === undefined && Object.keys(delta).length) choice['delta'] = delta;
        if (heldBack && onlyHeldText(choice, delta)) (emptied ??= new Set()).add(ch);
      }
      if (before) yield { data: { id: data['id'] ?? null, object: 'chat.completion.chunk', created: data['created'] ?? 0, model: data['model'] ?? '', choices: before } };
      if (emptied) {
        // A chunk that would carry nothing but empty strings (its text held back) is not sent: a
        // client would see a delta with nothing in it. Its usage, if any, keeps it.
        const kept = asArray(data['choices']).filter((c) => !emptied!.has(c));
        if (kept.length === 0 && (data['usage'] === undefined || data['usage'] === null)) continue;
        data['choices'] = kept;
      }
      yield ev;
    }
  } catch (err) {
    const chunk = heldChunk(channels.endAllOnFailure());
    if (chunk) yield chunk;
    throw err;
  }
  const chunk = heldChunk(channels.endAll());
  if (chunk) yield chunk;
}

/**
 * A choice whose delta holds only text fields left empty and tool-call fragments with empty
 * arguments (no id, name or type): nothing a client could use, once its text is held back.
 */
function onlyHeldText(choice: JsonObject, delta: JsonObject): boolean {
  if ((choice['finish_reason'] ?? null) !== null || (choice['logprobs'] ?? null) !== null) return false;
  for (const key in delta) {
    const value = delta[key];
    if (key === 'content' || key === 'reasoning_content' || key === 'reasoning') { if (value !== '') return false; }
    else if (key === 'tool_calls') { if (!asArray(value).every(emptyFragment)) return false; }
    else if (key !== 'refusal' || value !== null) return false;
  }
  return true;
}

function emptyFragment(call: JsonValue): boolean {
  const c = asObject(call);
  if (!c) return false;
  for (const key in c) {
    if (key === 'index') continue;
    if (key !== 'function') return false;
    const fn = asObject(c[key]);
    if (!fn || Object.keys(fn).some((k) => k !== 'arguments' || fn[k] !== '')) return false;
  }
  return true;
}

const NO_KIND = -4;
const REASONING = -3;
const TEXT = -2;
const DETAILS = -1;

/**
 * What a delta carries first, as one number so the per-event comparison allocates nothing:
 * reasoning, text, the call at that tool index (>= 0), reasoning_details alone (a signature or
 * redacted reasoning, which ends the reasoning before it), or nothing (role, finish, usage).
 */
function deltaKind(delta: JsonObject): number {
  if (typeof delta['reasoning_content'] === 'string' || typeof delta['reasoning'] === 'string') return REASONING;
  if (typeof delta['content'] === 'string') return TEXT;
  const calls = delta['tool_calls'];
  if (Array.isArray(calls) && calls.length) {
    const index = asObject(calls[0])?.['index'];
    return typeof index === 'number' && index >= 0 ? index : 0;
  }
  if (delta['reasoning_details'] !== undefined) return DETAILS;
  return NO_KIND;
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

/**
 * A Responses event that carries a piece of text (`delta`): the channel kind, the event that ends the
 * text (`done`) and the field where that event repeats it whole, and the index naming the part
 * (content_index, summary_index; none for tool arguments). Shared with the translator's stream decoder.
 */
export interface ResponsesDelta {
  readonly type: string;
  readonly kind: Channel['kind'];
  readonly done: string;
  readonly field: string;
  readonly part: '' | 'content_index' | 'summary_index';
}

const deltaEvent = (type: string, kind: Channel['kind'], done: string, field: string, part: ResponsesDelta['part']): ResponsesDelta => ({ type, kind, done, field, part });
const OUTPUT_TEXT = deltaEvent('response.output_text.delta', 'text', 'response.output_text.done', 'text', 'content_index');
const REFUSAL = deltaEvent('response.refusal.delta', 'text', 'response.refusal.done', 'refusal', 'content_index');
const ARGUMENTS = deltaEvent('response.function_call_arguments.delta', 'tool_arguments', 'response.function_call_arguments.done', 'arguments', '');
const CUSTOM_INPUT = deltaEvent('response.custom_tool_call_input.delta', 'tool_arguments', 'response.custom_tool_call_input.done', 'input', '');
const SUMMARY = deltaEvent('response.reasoning_summary_text.delta', 'reasoning', 'response.reasoning_summary_text.done', 'text', 'summary_index');
const REASONING_TEXT = deltaEvent('response.reasoning_text.delta', 'reasoning', 'response.reasoning_text.done', 'text', 'content_index');

/** The delta event of that type (a switch: it runs per event). */
export function responsesDelta(type: string): ResponsesDelta | undefined {
  switch (type) {
    case 'response.output_text.delta': return OUTPUT_TEXT;
    case 'response.refusal.delta': return REFUSAL;
    case 'response.function_call_arguments.delta': return ARGUMENTS;
    case 'response.custom_tool_call_input.delta': return CUSTOM_INPUT;
    case 'response.reasoning_summary_text.delta': return SUMMARY;
    case 'response.reasoning_text.delta': return REASONING_TEXT;
    default: return undefined;
  }
}

/** The delta whose text a `.done` event of that type repeats whole. */
export function responsesDone(type: string): ResponsesDelta | undefined {
  switch (type) {
    case 'response.output_text.done': return OUTPUT_TEXT;
    case 'response.refusal.done': return REFUSAL;
    case 'response.function_call_arguments.done': return ARGUMENTS;
    case 'response.custom_tool_call_input.done': return CUSTOM_INPUT;
    case 'response.reasoning_summary_text.done': return SUMMARY;
    case 'response.reasoning_text.done': return REASONING_TEXT;
    default: return undefined;
  }
}

/** A content part's text field: a refusal part holds it in `refusal`. */
const partField = (part: JsonObject): string => (part['type'] === 'refusal' ? 'refusal' : 'text');

export async function* transformResponsesStream(events: AsyncIterable<StreamEvent>, transform: DeltaTransform): AsyncGenerator<StreamEvent> {
  const channels = new Channels(transform);
  /** Transformed text so far per `${item_id}:${kind}:${part}`; later full-text events are rewritten to it. */
  const texts = new Map<string, string>();
  const names = new Map<string, string>();
  let inserted = 0;
  const renumber = (data: JsonObject) => { if (inserted && typeof data['sequence_number'] === 'number') data['sequence_number'] += inserted; };
  /** Per channel, its last delta event: the shape of one more, should the stream fail while text is held. */
  const deltas = new Map<string, JsonObject>();
  let lastSequence = -1;
  /** What the open channels hold, as one more delta each, numbered after the last event sent. */
  const held = function* (rest: { channel: Channel; text: string }[]): Generator<StreamEvent> {
    for (const { channel, text } of rest) {
      const base = deltas.get(channel.key);
      if (!text || !base) continue;
      texts.set(channel.key, (texts.get(channel.key) ?? '') + text);
      const flush: JsonObject = { ...base, delta: text };
      if (typeof base['sequence_number'] === 'number') {
        flush['sequence_number'] = ++lastSequence;
        inserted++;
      }
      yield { event: asString(base['type']), data: flush };
    }
  };
  try {
    for await (const ev of events) {
      const data = asObject(ev.data);
      if (!data) { yield ev; continue; }
      const type = asString(data['type']) ?? ev.event ?? '';
      const item = asObject(data['item']);
      if (item && typeof item['id'] === 'string' && typeof item['name'] === 'string') names.set(item['id'], item['name']);
      // The upstream's own error ends the answer: what was held goes before it.
      if (type === 'error' || type === 'response.failed') yield* held(channels.endAllOnFailure());
      const spec = responsesDelta(type);
      const done = spec ? undefined : responsesDone(type);
      if (spec && typeof data['delta'] === 'string') {
        const key = textKey(data, spec.kind, spec.part);
        const ch = responsesChannel(data, spec.kind, spec.part, key, names);
        const piece = data['delta'];
        const out = channels.delta(ch, piece);
        data['delta'] = out;
        deltas.set(key, data);
        texts.set(key, (texts.get(key) ?? '') + out);
        // Held back whole: an empty delta is not sent (a client would see nothing in it), and the
        // events after it are numbered on without a gap.
        if (out === '' && piece !== '') { inserted--; continue; }
      } else if (done) {
        const key = textKey(data, done.kind, done.part);
        const held = channels.end(key);
        if (held) {
          texts.set(key, (texts.get(key) ?? '') + held);
          const flush: JsonObject = { ...data, type: done.type, delta: held };
          delete flush[done.field];
          if (typeof data['sequence_number'] === 'number') flush['sequence_number'] = data['sequence_number'] + inserted;
          inserted++;
          yield { event: done.type, data: flush };
        }
        if (texts.has(key)) data[done.field] = texts.get(key)!;
      } else if (type === 'response.content_part.done') {
        const part = asObject(data['part']);
        const key = `${asString(data['item_id'])}:text:${data['content_index']}`;
        if (part && texts.has(key)) part[partField(part)] = texts.get(key)!;
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
      if (typeof data['sequence_number'] === 'number') lastSequence = data['sequence_number'];
      yield ev;
    }
  } catch (err) {
    yield* held(channels.endAllOnFailure());
    throw err;
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
  if (item['type'] === 'message') asArray(item['content']).forEach((p, k) => { const o = asObject(p); if (o) set(o, partField(o), `${id}:text:${k}`); });
  else if (item['type'] === 'function_call') set(item, 'arguments', `${id}:tool_arguments:0`);
  else if (item['type'] === 'custom_tool_call') set(item, 'input', `${id}:tool_arguments:0`);
  else if (item['type'] === 'reasoning') {
    asArray(item['summary']).forEach((p, k) => { const o = asObject(p); if (o) set(o, 'text', `${id}:reasoning:${k}`); });
    asArray(item['content']).forEach((p, k) => { const o = asObject(p); if (o) set(o, 'text', `${id}:reasoning:${k}`); });
  }
}
