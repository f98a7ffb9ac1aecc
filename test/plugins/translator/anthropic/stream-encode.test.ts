// IR stream → Anthropic SSE for Anthropic clients: protocol invariants, and the official SDK's
// MessageStream as the judge (it must rebuild exactly what encodeResponse gives for the same IR).
import { expect } from 'chai';
import { GatewayError, decodeSse, type JsonObject, type StreamEvent } from '../../../../core/index.js';
import type { IrStreamEvent } from '../../../../plugins/translator/ir.js';
import { anthropicMessages } from '../../../../plugins/translator/protocols/anthropic/index.js';
import { geminiGenerate } from '../../../../plugins/translator/protocols/gemini/index.js';
import { fixtureBytes as geminiFixture } from '../gemini/helpers.js';
import { collect, ctx, fixtureBytes, from, responseFromStream, sdkReplay, usage } from './helpers.js';

const encode = (events: IrStreamEvent[]): Promise<StreamEvent[]> => collect(anthropicMessages.encodeStream(from(events), ctx()));
const data = (ev: StreamEvent): JsonObject => ev.data as JsonObject;
const DELTA_FOR: Record<string, string[]> = {
  text: ['text_delta'], thinking: ['thinking_delta', 'signature_delta'], tool_use: ['input_json_delta'], redacted_thinking: [],
};

/** Anthropic stream invariants Claude Code relies on; returns the blocks' types in order. */
function checkInvariants(events: StreamEvent[]): string[] {
  const names = events.map((e) => e.event);
  expect(names[0]).to.equal('message_start');
  expect(names[1]).to.equal('ping');
  expect(names.slice(-2)).to.deep.equal(['message_delta', 'message_stop']);
  expect(names.filter((n) => n === 'message_start' || n === 'message_delta' || n === 'message_stop')).to.have.length(3);
  const types: string[] = [];
  let open: { index: number; type: string } | undefined;
  for (const ev of events.slice(2, -2)) {
    const d = data(ev);
    expect(d['type'], 'data.type matches the SSE event name').to.equal(ev.event);
    if (ev.event === 'content_block_start') {
      expect(open, 'a block starts only after the previous one stopped').to.equal(undefined);
      expect(d['index']).to.equal(types.length);
      const type = String((d['content_block'] as JsonObject)['type']);
      open = { index: types.length, type };
      types.push(type);
    } else if (ev.event === 'content_block_delta') {
      expect(open, 'a delta belongs to an open block').to.not.equal(undefined);
      expect(d['index']).to.equal(open!.index);
      expect(DELTA_FOR[open!.type]).to.include(String((d['delta'] as JsonObject)['type']));
    } else if (ev.event === 'content_block_stop') {
      expect(d['index']).to.equal(open?.index);
      open = undefined;
    } else expect.fail(`unexpected event ${ev.event}`);
  }
  expect(open, 'every block is closed').to.equal(undefined);
  return types;
}

/** The judge: SDK's final message from the stream equals the non-streaming encoding of the same IR. */
async function judge(ir: IrStreamEvent[]): Promise<{ events: StreamEvent[]; message: JsonObject }> {
  const events = await encode(ir);
  checkInvariants(events);
  const { message } = await sdkReplay(events);
  const expected = responseFromStream(ir);
  // An upstream that never reports usage leaves the client with Sluice's estimate of the input.
  if (!ir.some((e) => e.type === 'usage')) expected.usage = usage({ inputTokens: ctx().estimatedInputTokens });
  expect(message).to.deep.equal(anthropicMessages.encodeResponse(expected, ctx()));
  return { events, message };
}

/** Deterministic fragments of 1–4 characters, like a model's token stream. */
function fragments(text: string, seed: number): string[] {
  const out: string[] = [];
  let s = seed;
  for (let i = 0; i < text.length;) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const n = 1 + (s % 4);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

const bigArgs = (tag: string): string => JSON.stringify({
  path: `/src/${tag}.ts`, lines: Array.from({ length: 40 }, (_, i) => `line ${i} of ${tag} — “quoted” \\ \n`), flag: true,
});

describe('anthropic codec: encodeStream', () => {
  it('text with usage before content: message_start carries the real input and cache counts', async () => {
    const ir: IrStreamEvent[] = [
      { type: 'start', id: 'upstream-id', model: 'gpt-x' },
      { type: 'usage', usage: usage({ inputTokens: 120, cacheReadTokens: 900, cacheWriteTokens: 30, outputTokens: 1 }) },
      { type: 'text_delta', text: 'Hel' }, { type: 'text_delta', text: 'lo 🌊' },
      { type: 'finish', stopReason: 'end_turn' },
      { type: 'usage', usage: usage({ outputTokens: 12 }) },
    ];
    const { events, message } = await judge(ir);
    expect(data(events[0]!)).to.deep.equal({ type: 'message_start', message: {
      id: 'msg_req0123456789abcdef', type: 'message', role: 'assistant', model: 'claude-client-model', content: [],
      stop_reason: null, stop_sequence: null, stop_details: null,
      usage: { input_tokens: 120, output_tokens: 1, cache_creation_input_tokens: 30, cache_read_input_tokens: 900 },
    } });
    expect(data(events.at(-2)!)).to.deep.equal({ type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null, stop_details: null },
      usage: { input_tokens: 120, output_tokens: 12, cache_creation_input_tokens: 30, cache_read_input_tokens: 900 } });
    expect(message['content']).to.deep.equal([{ type: 'text', text: 'Hello 🌊' }]);
  });

  it('usage only at the end (OpenAI-style): message_start has the estimate, message_delta the real counts the SDK applies', async () => {
    const ir: IrStreamEvent[] = [
      { type: 'start' }, { type: 'text_delta', text: 'ok' }, { type: 'finish', stopReason: 'max_tokens' },
      { type: 'usage', usage: usage({ inputTokens: 500, cacheReadTokens: 1024, outputTokens: 7 }) },
    ];
    const { events, message } = await judge(ir);
    expect((data(events[0]!)['message'] as JsonObject)['usage']).to.deep.equal({ input_tokens: 42, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    expect(message['usage']).to.deep.equal({ input_tokens: 500, output_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 1024 });
    expect(message['stop_reason']).to.equal('max_tokens');
  });

  it('text → tool → text in one turn: three sequential blocks, tool arguments streamed as they arrive', async () => {
    const ir: IrStreamEvent[] = [
      { type: 'text_delta', text: 'Let me look.' },
      { type: 'tool_call_start', index: 0, id: 'call_a', name: 'read' },
      { type: 'tool_call_delta', index: 0, arguments: '{"path":' }, { type: 'tool_call_delta', index: 0, arguments: '"a.ts"}' },
      { type: 'text_delta', text: 'Done.' },
      { type: 'finish', stopReason: 'tool_use' },
    ];
    const { events } = await judge(ir);
    expect(checkInvariants(events)).to.deep.equal(['text', 'tool_use', 'text']);
    const toolStart = events.find((e) => e.event === 'content_block_start' && data(e)['index'] === 1)!;
    expect(data(toolStart)['content_block']).to.deep.equal({ type: 'tool_use', id: 'call_a', name: 'read', input: {} });
    expect(events.filter((e) => data(e)['index'] === 1 && e.event === 'content_block_delta').map((e) => (data(e)['delta'] as JsonObject)['partial_json']))
      .to.deep.equal(['{"path":', '"a.ts"}']);
  });

  for (const mode of ['sequential', 'interleaved'] as const) {
    it(`two parallel tool calls with hundreds of argument fragments each (${mode})`, async () => {
      const a = fragments(bigArgs('alpha'), 7);
      const b = fragments(bigArgs('beta'), 11);
      expect(a.length).to.be.greaterThan(300);
      const ir: IrStreamEvent[] = [{ type: 'start' }, { type: 'tool_call_start', index: 0, id: 'call_A', name: 'write' }];
      if (mode === 'sequential') {
        ir.push(...a.map((f) => ({ type: 'tool_call_delta' as const, index: 0, arguments: f })));
        ir.push({ type: 'tool_call_start', index: 1, id: 'call_B', name: 'write' });
        ir.push(...b.map((f) => ({ type: 'tool_call_delta' as const, index: 1, arguments: f })));
      } else {
        ir.push({ type: 'tool_call_start', index: 1, id: 'call_B', name: 'write' });
        for (let i = 0; i < Math.max(a.length, b.length); i++) {
          if (i < a.length) ir.push({ type: 'tool_call_delta', index: 0, arguments: a[i]! });
          if (i < b.length) ir.push({ type: 'tool_call_delta', index: 1, arguments: b[i]! });
        }
      }
      ir.push({ type: 'finish', stopReason: 'end_turn' }, { type: 'usage', usage: usage({ inputTokens: 10, outputTokens: 900 }) });
      const { events, message } = await judge(ir);
      expect(checkInvariants(events)).to.deep.equal(['tool_use', 'tool_use']);
      // finish said end_turn but the turn ends in tool calls
      expect(message['stop_reason']).to.equal('tool_use');
      const content = message['content'] as JsonObject[];
      expect(content.map((c) => c['id'])).to.deep.equal(['call_A', 'call_B']);
      expect(content[0]!['input']).to.deep.equal(JSON.parse(bigArgs('alpha')));
      expect(content[1]!['input']).to.deep.equal(JSON.parse(bigArgs('beta')));
      // The first call streams live fragment by fragment in both modes.
      const deltasA = events.filter((e) => e.event === 'content_block_delta' && data(e)['index'] === 0);
      expect(deltasA).to.have.length(a.length);
      const deltasB = events.filter((e) => e.event === 'content_block_delta' && data(e)['index'] === 1);
      if (mode === 'sequential') expect(deltasB).to.have.length(b.length);
      else {
        // B waited while A was incomplete, then its backlog went out at once and the rest live
        expect(deltasB.length).to.be.lessThan(b.length);
        expect(deltasB.map((e) => (data(e)['delta'] as JsonObject)['partial_json']).join('')).to.equal(bigArgs('beta'));
      }
    });
  }

  it('text arriving in the same chunk as an unfinished tool call waits for the call to complete', async () => {
    const ir: IrStreamEvent[] = [
      { type: 'tool_call_start', index: 0, id: 'call_1', name: 'f' },
      { type: 'tool_call_delta', index: 0, arguments: '{"q":' },
      { type: 'text_delta', text: 'meanwhile ' },
      { type: 'tool_call_delta', index: 0, arguments: '"x"}' },
      { type: 'text_delta', text: 'text' },
      { type: 'finish', stopReason: 'tool_use' },
    ];
    const events = await encode(ir);
    expect(checkInvariants(events)).to.deep.equal(['tool_use', 'text']);
    const { message } = await sdkReplay(events);
    expect(message['content']).to.deep.equal([
      { type: 'tool_use', id: 'call_1', name: 'f', input: { q: 'x' } },
      { type: 'text', text: 'meanwhile text' },
    ]);
  });

  it('a tool call that never completes still gets its block closed, buffered calls flushed after it', async () => {
    const ir: IrStreamEvent[] = [
      { type: 'tool_call_start', index: 0, id: 'c0', name: 'f' }, { type: 'tool_call_delta', index: 0, arguments: '{"a":' },
      { type: 'tool_call_start', index: 1, id: 'c1', name: 'g' }, { type: 'tool_call_delta', index: 1, arguments: '{"b":2}' },
      { type: 'finish', stopReason: 'max_tokens' },
    ];
    const events = await encode(ir);
    expect(checkInvariants(events)).to.deep.equal(['tool_use', 'tool_use']);
    const { message } = await sdkReplay(events);
    expect((message['content'] as JsonObject[]).map((c) => c['id'])).to.deep.equal(['c0', 'c1']);
    expect((message['content'] as JsonObject[])[1]!['input']).to.deep.equal({ b: 2 });
    expect(message['stop_reason']).to.equal('max_tokens');
  });

  it('a tool call started twice (name repeated on later deltas) is one block', async () => {
    const ir: IrStreamEvent[] = [
      { type: 'tool_call_start', index: 0, id: 'call_1', name: 'get_weather' },
      { type: 'tool_call_delta', index: 0, arguments: '{"city":' },
      { type: 'tool_call_start', index: 0, id: 'call_1', name: 'get_weather' },
      { type: 'tool_call_delta', index: 0, arguments: '"Oslo"}' },
      { type: 'finish', stopReason: 'tool_use' },
    ];
    const { events, message } = await judge(ir);
    expect(checkInvariants(events)).to.deep.equal(['tool_use']);
    expect(message['content']).to.deep.equal([{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Oslo' } }]);
  });

  it('thinking with its signature, redacted thinking, then text', async () => {
    const ir: IrStreamEvent[] = [
      { type: 'thinking_delta', text: 'Hmm, ' }, { type: 'thinking_delta', text: 'yes.' },
      { type: 'thinking_signature', signature: 'sig-XYZ==' },
      { type: 'redacted_thinking', data: 'REDACTED' },
      { type: 'text_delta', text: 'Answer' },
      { type: 'finish', stopReason: 'end_turn' },
    ];
    const { events, message } = await judge(ir);
    expect(checkInvariants(events)).to.deep.equal(['thinking', 'redacted_thinking', 'text']);
    expect(message['content']).to.deep.equal([
      { type: 'thinking', thinking: 'Hmm, yes.', signature: 'sig-XYZ==' },
      { type: 'redacted_thinking', data: 'REDACTED' },
      { type: 'text', text: 'Answer' },
    ]);
  });

  it('a stream with no content still yields a well-formed empty message', async () => {
    const ir: IrStreamEvent[] = [{ type: 'finish', stopReason: 'end_turn' }, { type: 'usage', usage: usage({ inputTokens: 3, outputTokens: 0 }) }];
    const { events, message } = await judge(ir);
    expect(events.map((e) => e.event)).to.deep.equal(['message_start', 'ping', 'message_delta', 'message_stop']);
    expect(message['content']).to.deep.equal([]);
  });

  it('a stop sequence is carried in message_delta', async () => {
    const { message } = await judge([{ type: 'text_delta', text: '1 2 3' }, { type: 'finish', stopReason: 'stop_sequence', stopSequence: '4' }]);
    expect([message['stop_reason'], message['stop_sequence']]).to.deep.equal(['stop_sequence', '4']);
  });

  it('an upstream failure propagates after the events already encoded (egress renders it)', async () => {
    async function* failing(): AsyncGenerator<IrStreamEvent> {
      yield { type: 'text_delta', text: 'partial' };
      throw new GatewayError('SLUICE_E_UPSTREAM_ERROR', 'boom', { status: 529 });
    }
    const seen: StreamEvent[] = [];
    let caught: unknown;
    try { for await (const ev of anthropicMessages.encodeStream(failing(), ctx())) seen.push(ev); } catch (err) { caught = err; }
    expect(seen.map((e) => e.event)).to.deep.equal(['message_start', 'ping', 'content_block_start', 'content_block_delta']);
    expect((caught as GatewayError).status).to.equal(529);
  });

  it('emits each delta as soon as its IR event arrives', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    async function* slow(): AsyncGenerator<IrStreamEvent> {
      yield { type: 'text_delta', text: 'now' };
      await gate;
      yield { type: 'finish', stopReason: 'end_turn' };
    }
    const it = anthropicMessages.encodeStream(slow(), ctx())[Symbol.asyncIterator]();
    const first: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) first.push((await it.next()).value?.event);
    expect(first).to.deep.equal(['message_start', 'ping', 'content_block_start', 'content_block_delta']);
    release();
    const rest: (string | undefined)[] = [];
    for (let r = await it.next(); !r.done; r = await it.next()) rest.push(r.value.event);
    expect(rest).to.deep.equal(['content_block_stop', 'message_delta', 'message_stop']);
  });

  it('Anthropic → Anthropic: the golden thinking+tools transcript decodes and re-encodes into the same message', async () => {
    const ir = await collect(anthropicMessages.decodeStream(decodeSse((async function* () { yield fixtureBytes('thinking-tools.sse'); })())));
    const { message } = await judge(ir);
    expect(message['content']).to.deep.equal([
      { type: 'thinking', thinking: 'The user wants the weather in Paris and Tokyo; two calls.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds+signature==' },
      { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB9URj2pLmN3kO' },
      { type: 'text', text: 'Checking both cities.' },
      { type: 'tool_use', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', input: { city: 'Paris', unit: 'celsius' } },
      { type: 'tool_use', id: 'toolu_01NRLabsLyVHZPKxbKvkfSMn', name: 'get_weather', input: { city: 'Tōkyō' } },
    ]);
    expect(message['usage']).to.deep.equal({ input_tokens: 472, output_tokens: 187, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    expect(message['stop_reason']).to.equal('tool_use');
  });

  it('reasoning that arrives after the answer has begun is dropped: never a thinking block after text or tool_use', async () => {
    const ir: IrStreamEvent[] = [
      { type: 'start' },
      { type: 'thinking_delta', text: 'Plan.' },
      { type: 'text_delta', text: 'Answer.' },
      { type: 'thinking_delta', text: 'late thought' },
      { type: 'thinking_signature', signature: 'late-sig' }, // Gemini's signature on a final empty text part
      { type: 'redacted_thinking', data: 'late-redacted' },
      { type: 'tool_call_start', index: 0, id: 'toolu_1', name: 'Bash' },
      { type: 'tool_call_delta', index: 0, arguments: '{"command":"ls"}' },
      { type: 'thinking_signature', signature: 'after-tool' },
      { type: 'finish', stopReason: 'tool_use' },
    ];
    const { events, message } = await judge(ir);
    expect(checkInvariants(events)).to.deep.equal(['thinking', 'text', 'tool_use']);
    expect(JSON.stringify(message)).to.not.include('late').and.not.include('after-tool');
    expect((message['content'] as JsonObject[])[0]).to.deep.equal({ type: 'thinking', thinking: 'Plan.', signature: '' });
  });

  it('Gemini → Anthropic: the final-part signature is dropped and message_start has Gemini\'s input count', async () => {
    const gemini = geminiGenerate.decodeStream(decodeSse(from([geminiFixture('streams/thinking-text.sse')])));
    const events = await collect(anthropicMessages.encodeStream(gemini, ctx()));
    expect(checkInvariants(events)).to.deep.equal(['thinking', 'text']);
    expect(((data(events[0]!)['message'] as JsonObject)['usage'] as JsonObject)['input_tokens']).to.equal(12);
    const { message } = await sdkReplay(events);
    expect((message['content'] as JsonObject[]).map((b) => b['type'])).to.deep.equal(['thinking', 'text']);
  });
});
