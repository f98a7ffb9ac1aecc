// The answer in one stream event, per protocol: its text, reasoning and tool calls (names and
// arguments) as they arrive. One reading for every plugin that must know what a stream carried —
// the ledger keeps the text for its count, the limits and the marketplace only its length, to
// estimate the output of a stream cut before the provider's final usage report.
//
// Runs on every event of an observed stream: it reads fields in place and hands strings that are
// already in the event to the sink — no array, object or string made per event (a Gemini function
// call, which arrives whole and rarely, is the one exception: its arguments are serialised).
import type { JsonObject, JsonValue, Protocol } from './types.js';
import { protocolName } from './types.js';

/** Where a reader puts what it finds. `choice` and `index` say which choice and which tool call. */
export interface StreamTextSink {
  /** Answer text (a refusal included: it is what the model said instead). */
  text(choice: number, text: string): void;
  /** Reasoning the provider showed (hidden reasoning is only in the usage figures). */
  reasoning(text: string): void;
  /** A tool call's name (once, with its start) or a piece of its arguments; `index` -1: a call that arrived whole. */
  call(choice: number, index: number, name: string | undefined, args: string | undefined): void;
}

/** Reads one event's payload (`event` is the SSE event name, when the wire gives one). */
export type StreamTextReader = (data: JsonObject, event: string | undefined, sink: StreamTextSink) => void;

/** The reader for a protocol's stream events; undefined for protocols that do not stream an answer. */
export function streamTextReader(protocol: Protocol): StreamTextReader | undefined {
  switch (protocolName(protocol)) {
    case 'openai.chat': return readChat;
    case 'openai.responses': return readResponses;
    case 'anthropic.messages': return readAnthropic;
    case 'gemini.generate': return readGemini;
    default: return undefined;
  }
}

const indexOf = (v: JsonValue | undefined, fallback: number): number => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : fallback);
const str = (v: JsonValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
/** An object member, or undefined: read in place (asObject's check, without importing json.ts's helpers for one line). */
const obj = (v: JsonValue | undefined): JsonObject | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined);

const readChat: StreamTextReader = (data, _event, sink) => {
  // Read, not asArray'd: asArray makes an empty list for an event without choices (the usage chunk).
  const choices = data['choices'];
  if (!Array.isArray(choices)) return;
  for (let i = 0; i < choices.length; i++) {
    const c = obj(choices[i]);
    const delta = obj(c?.['delta']);
    if (!delta) continue;
    const choice = indexOf(c!['index'], i);
    if (typeof delta['content'] === 'string') sink.text(choice, delta['content']);
    // A refusal is what the model said instead (the JSON answer's text counts it too).
    if (typeof delta['refusal'] === 'string') sink.text(choice, delta['refusal']);
    if (typeof delta['reasoning_content'] === 'string') sink.reasoning(delta['reasoning_content']);
    else if (typeof delta['reasoning'] === 'string') sink.reasoning(delta['reasoning']);
    // Most deltas carry no tool calls.
    const calls = delta['tool_calls'];
    if (Array.isArray(calls)) for (let j = 0; j < calls.length; j++) {
      const t = obj(calls[j]);
      const fn = obj(t?.['function']);
      if (fn) sink.call(choice, indexOf(t!['index'], j), str(fn['name']), str(fn['arguments']));
    }
  }
};

const RESPONSES_TEXT = new Set(['response.output_text.delta', 'response.refusal.delta']);
const RESPONSES_CALL_ARGS = new Set(['response.function_call_arguments.delta', 'response.custom_tool_call_input.delta']);
const RESPONSES_REASONING = new Set(['response.reasoning_summary_text.delta', 'response.reasoning_text.delta']);
const readResponses: StreamTextReader = (data, event, sink) => {
  const type = typeof data['type'] === 'string' ? data['type'] : event;
  // A tool call's name arrives with its item; its arguments as deltas of the same output index.
  if (type === 'response.output_item.added') {
    const item = obj(data['item']);
    if ((item?.['type'] === 'function_call' || item?.['type'] === 'custom_tool_call') && typeof item['name'] === 'string') {
      sink.call(0, indexOf(data['output_index'], 0), item['name'], undefined);
    }
    return;
  }
  if (typeof data['delta'] !== 'string' || !type) return;
  if (RESPONSES_TEXT.has(type)) sink.text(0, data['delta']);
  else if (RESPONSES_CALL_ARGS.has(type)) sink.call(0, indexOf(data['output_index'], 0), undefined, data['delta']);
  else if (RESPONSES_REASONING.has(type)) sink.reasoning(data['delta']);
};

const readAnthropic: StreamTextReader = (data, _event, sink) => {
  if (data['type'] === 'content_block_start') {
    // A tool call's name arrives with its block; its input as partial JSON of the same block index.
    const block = obj(data['content_block']);
    if (block?.['type'] === 'tool_use' && typeof block['name'] === 'string') sink.call(0, indexOf(data['index'], 0), block['name'], undefined);
    return;
  }
  if (data['type'] !== 'content_block_delta') return;
  const delta = obj(data['delta']);
  if (!delta) return;
  if (typeof delta['text'] === 'string') sink.text(0, delta['text']);
  else if (typeof delta['partial_json'] === 'string') sink.call(0, indexOf(data['index'], 0), undefined, delta['partial_json']);
  else if (typeof delta['thinking'] === 'string') sink.reasoning(delta['thinking']);
};

const readGemini: StreamTextReader = (data, _event, sink) => {
  const candidates = data['candidates'];
  if (!Array.isArray(candidates)) return;
  for (let i = 0; i < candidates.length; i++) {
    const c = obj(candidates[i]);
    const choice = indexOf(c?.['index'], i);
    const parts = obj(c?.['content'])?.['parts'];
    if (!Array.isArray(parts)) continue;
    for (let j = 0; j < parts.length; j++) {
      const part = obj(parts[j]);
      if (!part) continue;
      if (typeof part['text'] === 'string') {
        if (part['thought'] === true) sink.reasoning(part['text']);
        else sink.text(choice, part['text']);
      }
      // A call arrives whole, in one part: each is a call of its own.
      const call = obj(part['functionCall']);
      if (call) sink.call(choice, -1, str(call['name']) ?? '', JSON.stringify(call['args'] ?? {}));
    }
  }
};
