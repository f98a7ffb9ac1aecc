// JSON responses: where each family keeps the model's text, tool calls and reasoning, read as
// segments and rewritten whole per channel by a DeltaTransform (the same transform a stream gets).
import { asArray, asObject, asString, isObject } from '../json.js';
import { protocolName, type JsonObject, type JsonValue, type Protocol } from '../types.js';
import { Collector } from './collector.js';
import { makeChannel } from './stream-channels.js';
import type { Channel, DeltaTransform, ResponseView, Segment, ToolCallInfo } from './types.js';

/** One channel's whole text in a JSON body: a string at owner[key], or an object (Anthropic input, Gemini args). */
interface Slot {
  channel: Channel;
  owner: JsonObject;
  key: string;
  held: 'string' | 'object';
}

const channel = makeChannel;

function stringSlot(ch: Channel, owner: JsonObject, key: string): Slot | undefined {
  return typeof owner[key] === 'string' ? { channel: ch, owner, key, held: 'string' } : undefined;
}

function objectSlot(ch: Channel, owner: JsonObject, key: string): Slot {
  return { channel: ch, owner, key, held: 'object' };
}

function slots(protocol: Protocol, body: JsonObject): Slot[] {
  const out: Slot[] = [];
  const push = (s: Slot | undefined) => { if (s) out.push(s); };
  switch (protocolName(protocol)) {
    case 'openai.chat':
      for (const choice of asArray(body['choices'])) {
        const c = asObject(choice);
        const message = asObject(c?.['message']);
        if (!c || !message) continue;
        const n = typeof c['index'] === 'number' ? c['index'] : 0;
        push(stringSlot(channel('text', n, 0), message, 'content'));
        push(stringSlot(channel('reasoning', n, 0), message, 'reasoning_content'));
        asArray(message['tool_calls']).forEach((tc, i) => {
          const call = asObject(tc);
          const fn = asObject(call?.['function']);
          if (fn) push(stringSlot(channel('tool_arguments', n, i, { toolName: asString(fn['name']), callId: asString(call?.['id']) }), fn, 'arguments'));
        });
      }
      break;
    case 'openai.responses':
      asArray(body['output']).forEach((it, index) => {
        const item = asObject(it);
        if (!item) return;
        if (item['type'] === 'message') {
          asArray(item['content']).forEach((p, k) => { const part = asObject(p); if (part) push(stringSlot(channel('text', 0, index * 1000 + k), part, 'text')); });
        } else if (item['type'] === 'function_call') {
          push(stringSlot(channel('tool_arguments', 0, index, { toolName: asString(item['name']), callId: asString(item['call_id']) }), item, 'arguments'));
        } else if (item['type'] === 'reasoning') {
          asArray(item['summary']).forEach((p, k) => { const part = asObject(p); if (part) push(stringSlot(channel('reasoning', 0, index * 1000 + k), part, 'text')); });
        }
      });
      break;
    case 'anthropic.messages':
      asArray(body['content']).forEach((b, index) => {
        const block = asObject(b);
        if (!block) return;
        if (block['type'] === 'text') push(stringSlot(channel('text', 0, index), block, 'text'));
        else if (block['type'] === 'thinking') push(stringSlot(channel('reasoning', 0, index), block, 'thinking'));
        else if (block['type'] === 'tool_use') out.push(objectSlot(channel('tool_arguments', 0, index, { toolName: asString(block['name']), callId: asString(block['id']) }), block, 'input'));
      });
      break;
    case 'gemini.generate':
      asArray(body['candidates']).forEach((cand, ci) => {
        const c = asObject(cand);
        const n = typeof c?.['index'] === 'number' ? c['index'] : ci;
        asArray(asObject(c?.['content'])?.['parts']).forEach((p, index) => {
          const part = asObject(p);
          if (!part) return;
          if (typeof part['text'] === 'string') push(stringSlot(channel(part['thought'] === true ? 'reasoning' : 'text', n, index), part, 'text'));
          const call = asObject(part['functionCall']);
          if (call) out.push(objectSlot(channel('tool_arguments', n, index, { toolName: asString(call['name']), callId: asString(call['id']) }), call, 'args'));
        });
      });
      break;
    default:
      break;
  }
  return out;
}

/** Runs every channel of a JSON response through `transform` (the whole text as one delta, then its end). */
export function transformResponseBody(protocol: Protocol, body: JsonValue, transform: DeltaTransform): void {
  if (!isObject(body)) return;
  for (const { channel: ch, owner, key, held } of slots(protocol, body)) {
    const before = held === 'string' ? owner[key] as string : JSON.stringify(owner[key] ?? {});
    const after = transform.delta(ch, before) + transform.end(ch);
    if (after !== before) owner[key] = held === 'string' ? after : JSON.parse(after) as JsonValue;
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
    for (const { channel: ch, owner, key, held } of slots(this.protocol, this.body)) {
      const path = [ch.key];
      if (ch.kind !== 'tool_arguments') { c.text(ch.kind === 'reasoning' ? 'reasoning' : 'assistant', 'assistant', 0, owner, key, path); continue; }
      c.call(ch.callId, ch.toolName ?? '', 'assistant', 0, path, owner, key, path, held === 'string' ? 'json_text' : 'value', owner);
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
