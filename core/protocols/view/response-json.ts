// JSON responses: an answer holds what a turn holds, so the request readers (request-*.ts) read it;
// its text, tool calls and reasoning are rewritten whole per channel by a DeltaTransform (the same transform a stream gets).
import { asArray, asObject, isObject } from '../json.js';
import { protocolName, type JsonObject, type JsonValue, type Protocol } from '../types.js';
import { Collector } from './collector.js';
import { readMessagesTurn } from './request-anthropic.js';
import { readGenerateContent } from './request-gemini.js';
import { readChatMessage, readResponsesItem } from './request-openai.js';
import type { ArgumentsForm, Container, RequestSink } from './sink.js';
import { makeChannel } from './stream-channels.js';
import type { BodyPath, Channel, DeltaTransform, ResponseView, Segment, SegmentKind, ToolCallInfo } from './types.js';

/** One channel's whole text in a JSON body: a string at owner[key], or an object (Anthropic input, Gemini args). */
interface Slot {
  channel: Channel;
  owner: JsonObject;
  key: string;
  form: ArgumentsForm | 'string';
}

/** Where a reader's entry sits in the answer: its choice and its channel index, from the turn and the path. */
type Place = (turn: number, at: BodyPath) => readonly [choice: number, index: number];

/**
 * An answer holds what a turn of the conversation holds (a Chat message, Responses output items, an
 * Anthropic message's blocks, a Gemini content), so the request readers read it: this sink keeps
 * each channel's slot. The readers are handed the answer's parts as turns, so the paths they build
 * are request paths: only their positions are read, for the channel indexes.
 */
class SlotSink implements RequestSink {
  readonly paths = true;
  readonly allText = true;
  readonly slots: Slot[] = [];
  constructor(private readonly place: Place) {}

  private push(kind: Channel['kind'], turn: number, at: BodyPath, owner: JsonObject, key: string, form: Slot['form'], extra?: Partial<Channel>): void {
    const [choice, index] = this.place(turn, at);
    this.slots.push({ channel: makeChannel(kind, choice, index, extra), owner, key, form });
  }

  text(_kind: SegmentKind, _role: string, turn: number, owner: Container, key: string | number, at: BodyPath): void {
    if (typeof key === 'string' && !Array.isArray(owner) && typeof owner[key] === 'string') this.push('text', turn, at, owner, key, 'string');
  }

  reasoning(_role: string, turn: number, owner: JsonObject, textKey: string | readonly string[] | undefined, _field: string | undefined, at: BodyPath): void {
    if (textKey === undefined) return;
    for (const key of typeof textKey === 'string' ? [textKey] : textKey) {
      const value = owner[key];
      if (typeof value === 'string') { this.push('reasoning', turn, at, owner, key, 'string'); continue; }
      // Lists of parts (Responses summaries): one channel a part.
      asArray(value).forEach((p, k) => { const part = asObject(p); if (typeof part?.['text'] === 'string') this.push('reasoning', turn, [...at, key, k], part, 'text', 'string'); });
    }
  }

  call(id: string | undefined, name: string, _role: string, turn: number, at: BodyPath, owner: JsonObject, key: string, _ownerAt: BodyPath, form: ArgumentsForm): void {
    if (form !== 'value' && typeof owner[key] !== 'string') return;
    // Free text (custom tools) is inserted as it is, not JSON-escaped.
    this.push('tool_arguments', turn, at, owner, key, form, { toolName: name, callId: id, ...(form === 'free_text' ? { format: 'text' as const } : {}) });
  }

  redacted(): void {}
  signature(): void {}
  result(): void {}
  other(): void {}
}

/** The number at a path position, else 0. */
const at3 = (at: BodyPath): number => (typeof at[3] === 'number' ? at[3] : 0);

function slots(protocol: Protocol, body: JsonObject): Slot[] {
  switch (protocolName(protocol)) {
    case 'openai.chat': {
      // choices[n].message is a Chat message; a call's or a part's position is its channel index.
      const sink = new SlotSink((turn, at) => [turn, at3(at)]);
      for (const choice of asArray(body['choices'])) {
        const c = asObject(choice);
        const message = asObject(c?.['message']);
        if (c && message) readChatMessage(message, typeof c['index'] === 'number' ? c['index'] : 0, sink);
      }
      return sink.slots;
    }
    case 'openai.responses': {
      // Output items are input items; part k of item i (text, summary) is channel i*1000+k.
      const sink = new SlotSink((turn, at) => [0, at.length > 3 ? turn * 1000 + at3(at) : turn]);
      asArray(body['output']).forEach((it, index) => { const item = asObject(it); if (item) readResponsesItem(item, index, sink); });
      return sink.slots;
    }
    case 'anthropic.messages': {
      // The answer is a message: its blocks' positions are the channel indexes.
      const sink = new SlotSink((_turn, at) => [0, at3(at)]);
      readMessagesTurn({ role: 'assistant', content: body['content'] ?? [] }, 0, sink);
      return sink.slots;
    }
    case 'gemini.generate': {
      const sink = new SlotSink((turn, at) => [turn, at3(at)]);
      asArray(body['candidates']).forEach((cand, ci) => {
        const c = asObject(cand);
        const content = asObject(c?.['content']);
        if (content) readGenerateContent(content, typeof c?.['index'] === 'number' ? c['index'] : ci, sink);
      });
      return sink.slots;
    }
    default:
      return [];
  }
}

/** Runs every channel of a JSON response through `transform` (the whole text as one delta, then its end). */
export function transformResponseBody(protocol: Protocol, body: JsonValue, transform: DeltaTransform): void {
  if (!isObject(body)) return;
  for (const { channel: ch, owner, key, form } of slots(protocol, body)) {
    const held = form !== 'value';
    const before = held ? owner[key] as string : JSON.stringify(owner[key] ?? {});
    const after = transform.delta(ch, before) + transform.end(ch);
    if (after !== before) owner[key] = held ? after : JSON.parse(after) as JsonValue;
  }
}

class JsonResponseView implements ResponseView {
  private collected: Collector | undefined;
  private dirty = false;
  constructor(readonly protocol: Protocol, private readonly body: JsonObject) {}
  get changed(): boolean { return this.dirty; }

  private collect(): Collector {
    if (this.collected) return this.collected;
    const c = new Collector(() => { this.dirty = true; });
    for (const { channel: ch, owner, key, form } of slots(this.protocol, this.body)) {
      const path = [ch.key];
      if (ch.kind !== 'tool_arguments' || form === 'string') { c.text(ch.kind === 'reasoning' ? 'reasoning' : 'assistant', 'assistant', 0, owner, key, path); continue; }
      c.call(ch.callId, ch.toolName ?? '', 'assistant', 0, path, owner, key, path, form, owner);
    }
    return (this.collected = c);
  }

  segments(): readonly Segment[] { return this.collect().segments; }
  toolCalls(): readonly ToolCallInfo[] { return this.collect().calls; }
}

/** A view of a JSON response body: the model's text, tool-call arguments and reasoning. */
export function createResponseView(protocol: Protocol, body: JsonValue): ResponseView {
  return new JsonResponseView(protocol, isObject(body) ? body : {});
}
