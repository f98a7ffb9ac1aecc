// What the model said, for the independent count and for estimates when a provider reports no
// usage. JSON answers are read after the fact (prepare.ts); a stream is observed as it passes —
// read only, so its bytes still go to the client untouched — keeping at most `maxChars` of text.
import { asArray, asObject, isObject, observeStream, protocolName, stateKey, type Exchange, type JsonObject, type JsonValue, type Protocol, type StreamEvent } from '../../core/index.js';

export interface StreamCapture {
  /** Answer text by choice (Chat `n`, Gemini candidates; one for the others), as it arrived. */
  text: string[][];
  /** Tool calls, each its name and arguments as they arrived, found by choice and the call's index. */
  calls: CapturedCall[];
  /** Reasoning text the provider showed (hidden reasoning is only in the usage figures). */
  reasoning: string[];
  /** Characters of text seen, kept or not (past `maxChars` they are counted, not kept). */
  chars: number;
  /** True once more text arrived than `maxChars`: the capture is then incomplete. */
  truncated: boolean;
  /** True when the stream ran to its end; false while running and when it was cut. */
  complete: boolean;
}

export interface CapturedCall { choice: number; index: number; name: string; args: string[] }

/**
 * The answer's text as its JSON form reads (texts.ts): every choice's text in choice order, then
 * each tool call's name and whole arguments, by choice and index. Parallel calls stream their
 * arguments interleaved, and choices their deltas: joined as they arrived, the text (and so its
 * token count) would differ from the same answer sent whole.
 */
export function capturedText(c: StreamCapture): string {
  let out = '';
  for (const parts of c.text) if (parts) out += parts.join('');
  const calls = c.calls.length > 1 ? [...c.calls].sort((a, b) => a.choice - b.choice || a.index - b.index) : c.calls;
  for (const call of calls) out += call.name + call.args.join('');
  return out;
}

export const STREAM_CAPTURE = stateKey<StreamCapture>('ledger.streamCapture');

/** Where a reader puts what it finds. `choice` and `index` say which choice and which tool call. */
interface Sink {
  text(choice: number, text: string): void;
  reasoning(text: string): void;
  call(choice: number, index: number, name: string | undefined, args: string | undefined): void;
}
type Reader = (data: JsonObject, event: string | undefined, sink: Sink) => void;

const indexOf = (v: JsonValue | undefined, fallback: number): number => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : fallback);
const str = (v: JsonValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

const readChat: Reader = (data, _event, sink) => {
  const choices = asArray(data['choices']);
  for (let i = 0; i < choices.length; i++) {
    const c = asObject(choices[i]);
    const delta = asObject(c?.['delta']);
    if (!delta) continue;
    const choice = indexOf(c!['index'], i);
    if (typeof delta['content'] === 'string') sink.text(choice, delta['content']);
    // A refusal is what the model said instead (the JSON answer's text counts it too).
    if (typeof delta['refusal'] === 'string') sink.text(choice, delta['refusal']);
    if (typeof delta['reasoning_content'] === 'string') sink.reasoning(delta['reasoning_content']);
    else if (typeof delta['reasoning'] === 'string') sink.reasoning(delta['reasoning']);
    // Read, not asArray'd: most deltas carry no tool calls, and asArray makes an empty list for each.
    const calls = delta['tool_calls'];
    if (Array.isArray(calls)) for (let j = 0; j < calls.length; j++) {
      const t = asObject(calls[j]);
      const fn = asObject(t?.['function']);
      if (fn) sink.call(choice, indexOf(t!['index'], j), str(fn['name']), str(fn['arguments']));
    }
  }
};

const RESPONSES_TEXT = new Set(['response.output_text.delta', 'response.refusal.delta']);
const RESPONSES_CALL_ARGS = new Set(['response.function_call_arguments.delta', 'response.custom_tool_call_input.delta']);
const RESPONSES_REASONING = new Set(['response.reasoning_summary_text.delta', 'response.reasoning_text.delta']);
const readResponses: Reader = (data, event, sink) => {
  const type = typeof data['type'] === 'string' ? data['type'] : event;
  // A tool call's name arrives with its item; its arguments as deltas of the same output index.
  if (type === 'response.output_item.added') {
    const item = asObject(data['item']);
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

const readAnthropic: Reader = (data, _event, sink) => {
  if (data['type'] === 'content_block_start') {
    // A tool call's name arrives with its block; its input as partial JSON of the same block index.
    const block = asObject(data['content_block']);
    if (block?.['type'] === 'tool_use' && typeof block['name'] === 'string') sink.call(0, indexOf(data['index'], 0), block['name'], undefined);
    return;
  }
  if (data['type'] !== 'content_block_delta') return;
  const delta = asObject(data['delta']);
  if (!delta) return;
  if (typeof delta['text'] === 'string') sink.text(0, delta['text']);
  else if (typeof delta['partial_json'] === 'string') sink.call(0, indexOf(data['index'], 0), undefined, delta['partial_json']);
  else if (typeof delta['thinking'] === 'string') sink.reasoning(delta['thinking']);
};

const readGemini: Reader = (data, _event, sink) => {
  const candidates = asArray(data['candidates']);
  for (let i = 0; i < candidates.length; i++) {
    const c = asObject(candidates[i]);
    const choice = indexOf(c?.['index'], i);
    for (const p of asArray(asObject(c?.['content'])?.['parts'])) {
      const part = asObject(p);
      if (!part) continue;
      if (typeof part['text'] === 'string') {
        if (part['thought'] === true) sink.reasoning(part['text']);
        else sink.text(choice, part['text']);
      }
      // A call arrives whole, in one part: each is a call of its own.
      const call = asObject(part['functionCall']);
      if (call) sink.call(choice, -1, str(call['name']) ?? '', JSON.stringify(call['args'] ?? {}));
    }
  }
};

function readerFor(protocol: Protocol): Reader | undefined {
  switch (protocolName(protocol)) {
    case 'openai.chat': return readChat;
    case 'openai.responses': return readResponses;
    case 'anthropic.messages': return readAnthropic;
    case 'gemini.generate': return readGemini;
    default: return undefined;
  }
}

/** Wraps a streamed answer so its text lands in a StreamCapture on the exchange. */
export function captureStream(exchange: Exchange, maxChars: number): void {
  const response = exchange.response;
  if (!response || response.kind !== 'stream') return;
  const read = readerFor(response.protocol);
  if (!read) return;
  const capture: StreamCapture = { text: [[]], calls: [], reasoning: [], chars: 0, truncated: false, complete: false };
  /** Counts `text` against maxChars: false once the capture is over it (and so incomplete); its length is counted either way, for an estimate. */
  const fits = (text: string): boolean => {
    capture.chars += text.length;
    if (capture.chars > maxChars) capture.truncated = true;
    return !capture.truncated;
  };
  const sink: Sink = {
    text(choice, text) {
      if (fits(text)) (capture.text[choice] ??= []).push(text);
    },
    reasoning(text) {
      if (fits(text)) capture.reasoning.push(text);
    },
    call(choice, index, name, args) {
      if (!fits((name ?? '') + (args ?? ''))) return;
      // A Gemini call (index -1) is whole: always a new one. Others: the call of that choice and index.
      let call = index < 0 ? undefined : capture.calls.find((c) => c.index === index && c.choice === choice);
      if (!call) capture.calls.push(call = { choice, index: index < 0 ? capture.calls.length : index, name: '', args: [] });
      if (name) call.name += name;
      if (args) call.args.push(args);
    },
  };
  exchange.set(STREAM_CAPTURE, capture);
  response.events = observeStream(response.events, {
    event: (ev: StreamEvent) => { if (isObject(ev.data)) read(ev.data, ev.event, sink); },
    end: (complete) => { capture.complete = complete; },
  });
}
