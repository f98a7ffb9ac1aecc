// What the model said, for the independent count and for estimates when a provider reports no
// usage. JSON answers are read after the fact (prepare.ts); a stream is observed as it passes —
// read only, so its bytes still go to the client untouched — keeping at most `maxChars` of text.
import { asArray, asObject, isObject, observeStream, protocolName, stateKey, type Exchange, type JsonObject, type Protocol, type StreamEvent } from '../../core/index.js';

export interface StreamCapture {
  /** Answer text and tool-call arguments, as they arrived. */
  text: string[];
  /** Reasoning text the provider showed (hidden reasoning is only in the usage figures). */
  reasoning: string[];
  chars: number;
  /** True once more text arrived than `maxChars`: the capture is then incomplete. */
  truncated: boolean;
  /** True when the stream ran to its end; false while running and when it was cut. */
  complete: boolean;
}

export const STREAM_CAPTURE = stateKey<StreamCapture>('ledger.streamCapture');

type Sink = (kind: 'text' | 'reasoning', text: string) => void;
type Reader = (data: JsonObject, event: string | undefined, sink: Sink) => void;

const readChat: Reader = (data, _event, sink) => {
  for (const c of asArray(data['choices'])) {
    const delta = asObject(asObject(c)?.['delta']);
    if (!delta) continue;
    if (typeof delta['content'] === 'string') sink('text', delta['content']);
    if (typeof delta['reasoning_content'] === 'string') sink('reasoning', delta['reasoning_content']);
    else if (typeof delta['reasoning'] === 'string') sink('reasoning', delta['reasoning']);
    for (const t of asArray(delta['tool_calls'])) {
      const fn = asObject(asObject(t)?.['function']);
      if (typeof fn?.['name'] === 'string') sink('text', fn['name']);
      if (typeof fn?.['arguments'] === 'string') sink('text', fn['arguments']);
    }
  }
};

const RESPONSES_TEXT = new Set(['response.output_text.delta', 'response.function_call_arguments.delta', 'response.custom_tool_call_input.delta']);
const RESPONSES_REASONING = new Set(['response.reasoning_summary_text.delta', 'response.reasoning_text.delta']);
const readResponses: Reader = (data, event, sink) => {
  const type = typeof data['type'] === 'string' ? data['type'] : event;
  // A tool call's name arrives with its item; its arguments as deltas (below).
  if (type === 'response.output_item.added') {
    const item = asObject(data['item']);
    if ((item?.['type'] === 'function_call' || item?.['type'] === 'custom_tool_call') && typeof item['name'] === 'string') sink('text', item['name']);
    return;
  }
  if (typeof data['delta'] !== 'string' || !type) return;
  if (RESPONSES_TEXT.has(type)) sink('text', data['delta']);
  else if (RESPONSES_REASONING.has(type)) sink('reasoning', data['delta']);
};

const readAnthropic: Reader = (data, _event, sink) => {
  if (data['type'] === 'content_block_start') {
    // A tool call's name arrives with its block; its input as partial JSON (below).
    const block = asObject(data['content_block']);
    if (block?.['type'] === 'tool_use' && typeof block['name'] === 'string') sink('text', block['name']);
    return;
  }
  if (data['type'] !== 'content_block_delta') return;
  const delta = asObject(data['delta']);
  if (!delta) return;
  if (typeof delta['text'] === 'string') sink('text', delta['text']);
  else if (typeof delta['partial_json'] === 'string') sink('text', delta['partial_json']);
  else if (typeof delta['thinking'] === 'string') sink('reasoning', delta['thinking']);
};

const readGemini: Reader = (data, _event, sink) => {
  for (const c of asArray(data['candidates'])) {
    for (const p of asArray(asObject(asObject(c)?.['content'])?.['parts'])) {
      const part = asObject(p);
      if (!part) continue;
      if (typeof part['text'] === 'string') sink(part['thought'] === true ? 'reasoning' : 'text', part['text']);
      const call = asObject(part['functionCall']);
      if (call) sink('text', `${typeof call['name'] === 'string' ? call['name'] : ''}${JSON.stringify(call['args'] ?? {})}`);
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
  const capture: StreamCapture = { text: [], reasoning: [], chars: 0, truncated: false, complete: false };
  const sink: Sink = (kind, text) => {
    if (capture.truncated) return;
    if (capture.chars + text.length > maxChars) { capture.truncated = true; return; }
    capture.chars += text.length;
    (kind === 'text' ? capture.text : capture.reasoning).push(text);
  };
  exchange.set(STREAM_CAPTURE, capture);
  response.events = observeStream(response.events, {
    event: (ev: StreamEvent) => { if (isObject(ev.data)) read(ev.data, ev.event, sink); },
    end: (complete) => { capture.complete = complete; },
  });
}
