// Core's reading of answer text in each protocol's stream events, the meter built on it, and the
// usage a cut stream is charged (cutStreamUsage): what the limits and the marketplace go by when a
// stream ends before its provider's usage report.
import { expect } from 'chai';
import type { Exchange } from '../../core/exchange.js';
import { takeObservers } from '../../core/protocols/observe-stream.js';
import { cutStreamUsage, meterStreamText, streamTextMeter } from '../../core/protocols/stream-meter.js';
import { streamTextReader, type StreamTextSink } from '../../core/protocols/stream-text.js';
import type { JsonObject, Protocol, StreamEvent, Usage } from '../../core/protocols/types.js';

const CHAT: Protocol = { family: 'openai', operation: 'chat' };
const RESPONSES: Protocol = { family: 'openai', operation: 'responses' };
const ANTHROPIC: Protocol = { family: 'anthropic', operation: 'messages' };
const GEMINI: Protocol = { family: 'gemini', operation: 'generate' };

/** What a reader hands its sink, in order, as readable lines. */
function read(protocol: Protocol, events: StreamEvent[]): string[] {
  const out: string[] = [];
  const sink: StreamTextSink = {
    text: (choice, text) => out.push(`text ${choice} ${text}`),
    reasoning: (text) => out.push(`reasoning ${text}`),
    call: (choice, index, name, args) => out.push(`call ${choice} ${index} ${name ?? '-'} ${args ?? '-'}`),
  };
  const reader = streamTextReader(protocol)!;
  for (const ev of events) reader(ev.data as JsonObject, ev.event, sink);
  return out;
}

describe('core: answer text in stream events (stream-text.ts)', () => {
  it('Chat: text and refusals by choice, reasoning, tool-call names and arguments; nothing from the usage chunk', () => {
    expect(read(CHAT, [
      { data: { choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' } }, { index: 1, delta: { refusal: 'No' } }] } },
      { data: { choices: [{ index: 0, delta: { reasoning_content: 'hmm' } }] } },
      { data: { choices: [{ index: 0, delta: { tool_calls: [{ index: 2, function: { name: 'get', arguments: '{"a"' } }] } }] } },
      { data: { choices: [], usage: { prompt_tokens: 1, completion_tokens: 2 } } },
    ])).to.deep.equal(['text 0 Hel', 'text 1 No', 'reasoning hmm', 'call 0 2 get {"a"']);
  });

  it('Responses: text deltas, a function call by its item then its argument deltas, reasoning summaries', () => {
    expect(read(RESPONSES, [
      { event: 'response.output_text.delta', data: { type: 'response.output_text.delta', delta: 'Hi' } },
      { data: { type: 'response.output_item.added', output_index: 1, item: { type: 'function_call', name: 'f' } } },
      { data: { type: 'response.function_call_arguments.delta', output_index: 1, delta: '{}' } },
      { data: { type: 'response.reasoning_summary_text.delta', delta: 'why' } },
      { data: { type: 'response.completed', response: { usage: { input_tokens: 1 } } } },
    ])).to.deep.equal(['text 0 Hi', 'call 0 1 f -', 'call 0 1 - {}', 'reasoning why']);
  });

  it('Anthropic: text, a tool_use block\'s name and partial JSON, thinking', () => {
    expect(read(ANTHROPIC, [
      { event: 'message_start', data: { type: 'message_start', message: { usage: { input_tokens: 5 } } } },
      { data: { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'mull' } } },
      { data: { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Yes' } } },
      { data: { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', name: 't' } } },
      { data: { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"x":1}' } } },
    ])).to.deep.equal(['reasoning mull', 'text 0 Yes', 'call 0 2 t -', 'call 0 2 - {"x":1}']);
  });

  it('Gemini: text by candidate, thoughts, a whole function call per part', () => {
    expect(read(GEMINI, [
      { data: { candidates: [{ index: 0, content: { parts: [{ text: 'think', thought: true }, { text: 'A' }] } }, { index: 1, content: { parts: [{ text: 'B' }] } }] } },
      { data: { candidates: [{ content: { parts: [{ functionCall: { name: 'f', args: { q: 1 } } }] } }], usageMetadata: { promptTokenCount: 3 } } },
      { data: { usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 4 } } },
    ])).to.deep.equal(['reasoning think', 'text 0 A', 'text 1 B', 'call 0 -1 f {"q":1}']);
  });

  it('no reader for protocols without a streamed answer', () => {
    expect(streamTextReader({ family: 'openai', operation: 'embeddings' })).to.equal(undefined);
  });
});

/** Just enough of an exchange for the meter: a stream response, state, and a request view. */
function fakeExchange(protocol: Protocol, events: StreamEvent[], promptChars = 40): Exchange {
  const state = new Map<string, unknown>();
  const response = { kind: 'stream' as const, status: 200, headers: {}, protocol, events: (async function* () { yield* events; })() as AsyncIterable<StreamEvent> };
  return {
    response,
    get: (key: { name: string }) => state.get(key.name),
    set: (key: { name: string }, value: unknown) => { state.set(key.name, value); },
    view: () => ({ protocol, body: {}, segments: () => [{ text: 'x'.repeat(promptChars) }], turns: () => 1 }),
  } as unknown as Exchange;
}

/** Reads the stream as egress does, stopping after `take` events (a client gone), or to its end. */
async function drain(exchange: Exchange, take = Infinity): Promise<void> {
  const response = exchange.response as { events: AsyncIterable<StreamEvent> };
  const taken = takeObservers(response.events)!;
  let n = 0;
  let left = false;
  for await (const ev of taken.source) {
    if (n++ === take) { left = true; break; }
    taken.observer.event(ev);
  }
  taken.observer.end(!left);
}

const chatDelta = (content: string): StreamEvent => ({ data: { choices: [{ index: 0, delta: { content } }] } });

describe('core: the stream meter and a cut stream\'s usage (stream-meter.ts)', () => {
  it('one meter per exchange, however many plugins ask; characters of everything the answer carried', async () => {
    const ex = fakeExchange(ANTHROPIC, [
      { data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'abcd' } } },
      { data: { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', name: 'tool' } } },
      { data: { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{}' } } },
    ]);
    const meter = meterStreamText(ex)!;
    expect(meterStreamText(ex)).to.equal(meter);
    expect(streamTextMeter(ex)).to.equal(meter);
    await drain(ex);
    expect(meter).to.include({ chars: 10, complete: true });
    expect(cutStreamUsage(ex, undefined), 'a stream that ran to its end: its report stands').to.equal(undefined);
  });

  it('a cut stream with no report: the request\'s input estimate and the text that went out', async () => {
    const ex = fakeExchange(CHAT, [chatDelta('x'.repeat(9)), chatDelta('y'.repeat(9)), chatDelta('z')]);
    meterStreamText(ex);
    await drain(ex, 2);
    // 40 characters of prompt: 10 tokens, 3 for the turn; 18 characters of answer: 5 tokens.
    expect(cutStreamUsage(ex, undefined)).to.deep.include({ inputTokens: 13, outputTokens: 5, estimated: true });
    expect(cutStreamUsage(ex, undefined, 99)!.inputTokens, 'the caller\'s own estimate of the request').to.equal(99);
  });

  it('a cut stream keeps what was reported: input as given, output the larger of the report and the text', async () => {
    const ex = fakeExchange(GEMINI, [
      { data: { candidates: [{ content: { parts: [{ text: 'x'.repeat(40) }] } }] } },
      { data: { candidates: [{ content: { parts: [{ text: 'more' }] } }] } },
    ]);
    meterStreamText(ex);
    await drain(ex, 1);
    const reported: Usage = { inputTokens: 7, outputTokens: 3, cacheReadTokens: 2, cacheWriteTokens: 0, reasoningTokens: 0, estimated: false };
    expect(cutStreamUsage(ex, reported)).to.deep.include({ inputTokens: 7, cacheReadTokens: 2, outputTokens: 10 });
    expect(cutStreamUsage(ex, { ...reported, outputTokens: 25 })!.outputTokens).to.equal(25);
    expect(reported.outputTokens, 'the report itself is not changed').to.equal(3);
  });

  it('nothing metered: no cut usage (a JSON answer, or a stream no plugin asked to meter)', () => {
    const ex = fakeExchange(CHAT, []);
    expect(cutStreamUsage(ex, undefined)).to.equal(undefined);
  });
});
