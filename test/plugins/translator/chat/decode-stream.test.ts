// Golden upstream transcripts (byte-exact Chat SSE) replayed whole and cut at every byte offset (the
// two ~140 KB ones at 500+ seeded offsets) through core's SSE decoder into the Chat stream decoder:
// the IR event sequence must be exact.
import { expect } from 'chai';
import { decodeSse, GatewayError, type JsonObject, type StreamEvent } from '../../../../core/index.js';
import type { IrStreamEvent } from '../../../../plugins/translator/ir.js';
import { openaiChat } from '../../../../plugins/translator/protocols/chat/index.js';
import { boundaries, splitPlans } from '../../../helpers/split-points.js';
import { collect, context, decodeBytes, fixtureBytes, fromArray, usage } from './helpers.js';

/** The same argument texts and fragment sizes the fixture generator used. */
function bigArgs(city: string, n: number): string {
  return JSON.stringify({ city, notes: Array.from({ length: n }, (_, i) => `${city.toLowerCase()} note ${i} — "q"\\`) });
}
function fragments(json: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < json.length; i += size) out.push(json.slice(i, i + size));
  return out;
}

// A chunk's usage is yielded before its deltas and finish reason (servers that report usage on
// every chunk then give an Anthropic client the real input count in message_start).
const TEXT: IrStreamEvent[] = [
  { type: 'start', id: 'chatcmpl-C1aTextTurn0001', model: 'gpt-4o-mini-2024-07-18' },
  ...['Hello', '!', ' How', ' can', ' I', ' help', ' you', ' today', '? 🌊'].map((text): IrStreamEvent => ({ type: 'text_delta', text })),
  { type: 'finish', stopReason: 'end_turn' },
  { type: 'usage', usage: usage({ inputTokens: 176, outputTokens: 10, cacheReadTokens: 1024 }) },
];

const REASONING: IrStreamEvent[] = [
  { type: 'start', id: '5f1c3e0a-8d0b-4a44-9a51-3d5a2b7c9e10', model: 'deepseek-reasoner' },
  ...['The user', ' greets', ' me.', ' Reply', ' briefly.'].map((text): IrStreamEvent => ({ type: 'thinking_delta', text })),
  ...['Hi', ' there', '!'].map((text): IrStreamEvent => ({ type: 'text_delta', text })),
  { type: 'usage', usage: usage({ inputTokens: 12, outputTokens: 32, cacheReadTokens: 128, reasoningTokens: 24 }) },
  { type: 'finish', stopReason: 'end_turn' },
];

const QUIRKS: IrStreamEvent[] = [
  { type: 'start', id: 'chatcmpl-quirk01', model: 'gemini-2.5-flash' },
  { type: 'text_delta', text: 'Checking ' },
  { type: 'text_delta', text: 'both.' },
  { type: 'tool_call_start', index: 0, id: 'call_q1', name: 'lookup', signature: 'c2lnLTE=' },
  { type: 'tool_call_delta', index: 0, arguments: '{"q":' },
  { type: 'tool_call_delta', index: 0, arguments: '"a"}' },
  { type: 'tool_call_start', index: 1, id: 'call_q2', name: 'lookup' },
  { type: 'tool_call_delta', index: 1, arguments: '{"q":"b"}' },
  { type: 'text_delta', text: ' Done.' },
  { type: 'usage', usage: usage({ inputTokens: 50, outputTokens: 20 }) },
  { type: 'finish', stopReason: 'tool_use' },
];

const SIGNATURE: IrStreamEvent[] = [
  { type: 'start', id: 'gen-1752700400-sig', model: 'anthropic/claude-sonnet-4' },
  { type: 'thinking_delta', text: 'Two plus' },
  { type: 'thinking_delta', text: ' two.' },
  { type: 'thinking_signature', signature: 'EqoBCkgIBxABGAIiQL' },
  { type: 'text_delta', text: '4' },
  { type: 'finish', stopReason: 'end_turn' },
  { type: 'usage', usage: usage({ inputTokens: 20, outputTokens: 15, reasoningTokens: 9 }) },
];

// Ollama sends every call whole at index 0, each with its own id: three calls, not one.
const OLLAMA_INDEX_REUSE: IrStreamEvent[] = [
  { type: 'start', id: 'chatcmpl-842', model: 'qwen3:8b' },
  { type: 'text_delta', text: 'Checking both.' },
  { type: 'tool_call_start', index: 0, id: 'call_k2x8a1', name: 'get_weather' },
  { type: 'tool_call_delta', index: 0, arguments: '{"city":"Paris"}' },
  { type: 'tool_call_start', index: 1, id: 'call_p9q3zz', name: 'get_weather' },
  { type: 'tool_call_delta', index: 1, arguments: '{"city":"Tokyo"}' },
  { type: 'tool_call_start', index: 2, id: 'call_n0args', name: 'get_time' },
  { type: 'tool_call_delta', index: 2, arguments: '{}' },
  { type: 'finish', stopReason: 'tool_use' },
  { type: 'usage', usage: usage({ inputTokens: 88, outputTokens: 41 }) },
];

// SGLang streams fragments: a new id at index 0 is a new call, fragments with the index only
// continue the call open there, and an id repeated on every fragment stays one call.
const SGLANG_INDEX_REUSE: IrStreamEvent[] = [
  { type: 'start', id: '5b1f0e7c9a2d4c41', model: 'Qwen/Qwen3-Coder-30B-A3B-Instruct' },
  { type: 'tool_call_start', index: 0, id: 'call_5d0c8f1e', name: 'read_file' },
  { type: 'tool_call_delta', index: 0, arguments: '{"path": ' },
  { type: 'tool_call_delta', index: 0, arguments: '"a.ts"}' },
  { type: 'tool_call_start', index: 1, id: 'call_9e47b2a0', name: 'read_file' },
  { type: 'tool_call_delta', index: 1, arguments: '{"path": ' },
  { type: 'tool_call_delta', index: 1, arguments: '"b.ts"}' },
  { type: 'tool_call_start', index: 2, id: 'call_77aa01f3', name: 'list_dir' },
  { type: 'tool_call_delta', index: 2, arguments: '{"path": ' },
  { type: 'tool_call_delta', index: 2, arguments: '"src"}' },
  { type: 'usage', usage: usage({ inputTokens: 301, outputTokens: 57 }) },
  { type: 'finish', stopReason: 'tool_use' },
];

function sequential(): IrStreamEvent[] {
  const paris = fragments(bigArgs('Paris', 30), 4);
  const tokyo = fragments(bigArgs('Tokyo', 30), 4);
  return [
    { type: 'start', id: 'chatcmpl-C1bParallelSeq01', model: 'gpt-4.1-2025-04-14' },
    { type: 'tool_call_start', index: 0, id: 'call_Paris0001', name: 'get_weather' },
    ...paris.map((a): IrStreamEvent => ({ type: 'tool_call_delta', index: 0, arguments: a })),
    { type: 'tool_call_start', index: 1, id: 'call_Tokyo0002', name: 'get_weather' },
    ...tokyo.map((a): IrStreamEvent => ({ type: 'tool_call_delta', index: 1, arguments: a })),
    { type: 'finish', stopReason: 'tool_use' },
    { type: 'usage', usage: usage({ inputTokens: 310, outputTokens: 1400 }) },
  ];
}

function interleaved(): IrStreamEvent[] {
  const a = fragments(bigArgs('Oslo', 30), 3);
  const b = fragments(bigArgs('Lima', 30), 5);
  // Upstream indexes 3 and 7 become IR indexes 0 and 1, in order of first appearance.
  const out: IrStreamEvent[] = [
    { type: 'start', id: 'chatcmpl-C1cParallelMix01', model: 'qwen3-coder' },
    { type: 'tool_call_start', index: 0, id: 'call_oslo', name: 'get_weather' },
    { type: 'tool_call_delta', index: 0, arguments: a[0]! },
    { type: 'tool_call_start', index: 1, id: 'call_lima', name: 'get_time' },
    { type: 'tool_call_delta', index: 1, arguments: b[0]! },
  ];
  for (let i = 1; i < Math.max(a.length, b.length); i++) {
    if (i < a.length) out.push({ type: 'tool_call_delta', index: 0, arguments: a[i]! });
    if (i < b.length) out.push({ type: 'tool_call_delta', index: 1, arguments: b[i]! });
  }
  out.push({ type: 'finish', stopReason: 'tool_use' }, { type: 'usage', usage: usage({ inputTokens: 90, outputTokens: 900 }) });
  return out;
}

const transcripts: { file: string; expected: () => IrStreamEvent[]; big: boolean }[] = [
  { file: 'text.sse', expected: () => TEXT, big: false },
  { file: 'reasoning.sse', expected: () => REASONING, big: false },
  { file: 'quirks.sse', expected: () => QUIRKS, big: false },
  { file: 'reasoning-signature.sse', expected: () => SIGNATURE, big: false },
  { file: 'ollama-index-reuse.sse', expected: () => OLLAMA_INDEX_REUSE, big: false },
  { file: 'sglang-index-reuse.sse', expected: () => SGLANG_INDEX_REUSE, big: false },
  { file: 'parallel-tools-sequential.sse', expected: sequential, big: true },
  { file: 'parallel-tools-interleaved.sse', expected: interleaved, big: true },
];

describe('chat codec: decodeStream golden transcripts', () => {
  for (const t of transcripts) {
    describe(t.file, () => {
      const bytes = fixtureBytes(t.file);
      const expected = t.expected();

      it('decodes the whole transcript into the exact IR sequence', async () => {
        expect(await decodeBytes([bytes])).to.deep.equal(expected);
      });

      it(t.big ? 'gives the same events cut at over 500 seeded byte offsets' : 'gives the same events with a chunk boundary at every byte offset', async function () {
        this.timeout(60000);
        // Small transcripts: 256 passes of 256-byte chunks put a boundary at every offset, one
        // decode per pass. The ~140 KB ones (a whole decode each, and every offset is covered on
        // the small ones): 16 seeded passes cut every 4 KB, and 16 seeded two-piece splits.
        const plans = t.big ? splitPlans(bytes, { stride: 4096, passes: 16, singles: 16 }) : splitPlans(bytes, { stride: 256 });
        expect(boundaries(plans).size).to.be.at.least(t.big ? 500 : bytes.length - 1);
        for (const { label, chunks } of plans) expect(await decodeBytes(chunks), label).to.deep.equal(expected);
      });

      it('gives the same events in small uneven chunks', async () => {
        const chunks: Uint8Array[] = [];
        for (let i = 0, n = 1; i < bytes.length; i += n, n = (n * 7) % 13 + 1) chunks.push(bytes.subarray(i, i + n));
        expect(await decodeBytes(chunks)).to.deep.equal(expected);
      });
    });
  }

  it('rebuilds both big argument texts exactly', async () => {
    const events = await decodeBytes([fixtureBytes('parallel-tools-interleaved.sse')]);
    const args = ['', ''];
    for (const e of events) if (e.type === 'tool_call_delta') args[e.index] += e.arguments;
    expect(args).to.deep.equal([bigArgs('Oslo', 30), bigArgs('Lima', 30)]);
    expect(events.filter((e) => e.type === 'tool_call_delta' && e.index === 0)).to.have.length(fragments(bigArgs('Oslo', 30), 3).length);
    expect(fragments(bigArgs('Oslo', 30), 3).length).to.be.greaterThan(200);
  });
});

describe('chat codec: decodeStream behaviour', () => {
  it('throws a GatewayError carrying the status and message of a mid-stream error event', async () => {
    const bytes = fixtureBytes('error-midstream.sse');
    for (const chunks of [[bytes], [bytes.subarray(0, 200), bytes.subarray(200)]]) {
      const seen: IrStreamEvent[] = [];
      let err: unknown;
      try {
        for await (const e of openaiChat.decodeStream(decodeSseOf(chunks))) seen.push(e);
      } catch (e) { err = e; }
      expect(seen).to.deep.equal([
        { type: 'start', id: 'gen-1752700300-abc', model: 'anthropic/claude-sonnet-4' },
        { type: 'text_delta', text: 'Partial' },
      ]);
      expect(err).to.be.instanceOf(GatewayError);
      const g = err as GatewayError;
      expect(g.code).to.equal('SLUICE_E_UPSTREAM_ERROR');
      expect(g.status).to.equal(429);
      expect(g.message).to.equal('Rate limit exceeded: anthropic/claude-sonnet-4');
      expect(g.upstream?.family).to.equal('openai');
    }
  });

  it('uses 502 when the error has no numeric code', async () => {
    let err: unknown;
    try {
      for await (const _ of openaiChat.decodeStream(events([{ data: { error: { message: 'boom', type: 'server_error', code: 'overloaded' } } }]))) { /* drain */ }
    } catch (e) { err = e; }
    expect((err as GatewayError).status).to.equal(502);
    expect((err as GatewayError).message).to.equal('boom');
  });

  it('never starts a call twice when an upstream repeats id and name on every delta, and ignores role-only chunks', async () => {
    const chunk = (delta: JsonObject): StreamEvent => ({ data: { id: 'c', model: 'm', choices: [{ index: 0, delta, finish_reason: null }] } });
    const out = await collectIr([
      chunk({ role: 'assistant' }),
      chunk({}),
      chunk({ tool_calls: [{ index: 0, id: 'call_x', type: 'function', function: { name: 'f', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, id: 'call_x', type: 'function', function: { name: 'f', arguments: '{"a"' } }] }),
      chunk({ tool_calls: [{ index: 0, id: 'call_x', type: 'function', function: { name: 'f', arguments: ':1}' } }] }),
      { data: '[DONE]' },
    ]);
    expect(out).to.deep.equal([
      { type: 'start', id: 'c', model: 'm' },
      { type: 'tool_call_start', index: 0, id: 'call_x', name: 'f' },
      { type: 'tool_call_delta', index: 0, arguments: '{"a"' },
      { type: 'tool_call_delta', index: 0, arguments: ':1}' },
    ]);
  });

  it('yields each event as soon as its chunk arrives (no buffering)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    async function* upstream(): AsyncGenerator<StreamEvent> {
      yield { data: { id: 'c', model: 'm', choices: [{ index: 0, delta: { content: 'first' }, finish_reason: null }] } };
      await gate;
      yield { data: { id: 'c', model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] } };
    }
    const it = openaiChat.decodeStream(upstream())[Symbol.asyncIterator]();
    expect((await it.next()).value).to.deep.equal({ type: 'start', id: 'c', model: 'm' });
    expect((await it.next()).value).to.deep.equal({ type: 'text_delta', text: 'first' });
    release();
    expect((await it.next()).value).to.deep.equal({ type: 'finish', stopReason: 'end_turn' });
    expect((await it.next()).done).to.equal(true);
  });

  it('reads a stream Sluice wrote (reasoning_content pieces, then the signed text whole in reasoning_details) with the text once', async () => {
    const events: IrStreamEvent[] = [
      { type: 'thinking_delta', text: 'List ' }, { type: 'thinking_delta', text: 'files.' }, { type: 'thinking_signature', signature: 'sigA' },
      { type: 'text_delta', text: 'Ok' }, { type: 'finish', stopReason: 'end_turn' },
    ];
    const chunks = await collect(openaiChat.encodeStream(fromArray(events), context({ includeUsage: false })));
    const decoded = (await collect(openaiChat.decodeStream(fromArray(chunks)))).filter((e) => e.type !== 'start');
    expect(decoded).to.deep.equal([
      { type: 'thinking_delta', text: 'List ' }, { type: 'thinking_delta', text: 'files.' },
      { type: 'thinking_signature', signature: 'sigA' }, { type: 'text_delta', text: 'Ok' }, { type: 'finish', stopReason: 'end_turn' },
    ]);
  });
});

async function* events(list: StreamEvent[]): AsyncGenerator<StreamEvent> {
  yield* list;
}
async function collectIr(list: StreamEvent[]): Promise<IrStreamEvent[]> {
  const out: IrStreamEvent[] = [];
  for await (const e of openaiChat.decodeStream(events(list))) out.push(e);
  return out;
}
function decodeSseOf(chunks: Uint8Array[]): AsyncGenerator<StreamEvent> {
  return decodeSse((async function* () { yield* chunks; })());
}
