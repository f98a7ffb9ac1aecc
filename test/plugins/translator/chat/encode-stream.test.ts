// Chat as the client's protocol: the chunks the encoder writes must keep OpenAI's stream
// invariants, and the openai SDK's stream parser must rebuild from them the same message that
// encodeResponse gives for the same IR.
import { expect } from 'chai';
import { GatewayError, mergeUsage, type JsonObject, type StreamEvent } from '../../../../core/index.js';
import type { EncodeContext } from '../../../../plugins/translator/codec.js';
import type { IrPart, IrResponse, IrStreamEvent } from '../../../../plugins/translator/ir.js';
import { openaiChat } from '../../../../plugins/translator/protocols/chat/index.js';
import { collect, context, emptyRequest, fromArray, sdkFinalFromStream, sseBody, usage } from './helpers.js';

/** The response an IR stream describes, built independently of both encoders. */
function responseOf(events: readonly IrStreamEvent[]): IrResponse {
  const parts: IrPart[] = [];
  const calls = new Map<number, IrPart & { type: 'tool_call' }>();
  const res: IrResponse = { id: '', model: '', parts, stopReason: 'end_turn', usage: usage({}) };
  for (const e of events) {
    const last = parts[parts.length - 1];
    switch (e.type) {
      case 'text_delta': if (last?.type === 'text') last.text += e.text; else parts.push({ type: 'text', text: e.text }); break;
      case 'thinking_delta': if (last?.type === 'thinking') last.text += e.text; else parts.push({ type: 'thinking', text: e.text }); break;
      case 'tool_call_start': {
        const c: IrPart & { type: 'tool_call' } = { type: 'tool_call', id: e.id, name: e.name, arguments: '' };
        if (e.signature !== undefined) c.signature = e.signature;
        calls.set(e.index, c); parts.push(c); break;
      }
      case 'tool_call_delta': calls.get(e.index)!.arguments += e.arguments; break;
      case 'usage': res.usage = mergeUsage(res.usage, e.usage); break;
      case 'finish': res.stopReason = e.stopReason; break;
      default: break;
    }
  }
  return res;
}

function frags(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
const argsA = JSON.stringify({ path: 'src/a.ts', lines: Array.from({ length: 80 }, (_, i) => `line ${i}: "é" \\ ok`) });
const argsB = JSON.stringify({ path: 'src/b.ts', lines: Array.from({ length: 80 }, (_, i) => `other ${i} 🌊`) });

function interleavedCalls(): IrStreamEvent[] {
  const a = frags(argsA, 7), b = frags(argsB, 5);
  const out: IrStreamEvent[] = [{ type: 'start', id: 'msg_1', model: 'claude' },
    { type: 'tool_call_start', index: 0, id: 'toolu_A', name: 'Read' }, { type: 'tool_call_start', index: 1, id: 'toolu_B', name: 'Read' }];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i < a.length) out.push({ type: 'tool_call_delta', index: 0, arguments: a[i]! });
    if (i < b.length) out.push({ type: 'tool_call_delta', index: 1, arguments: b[i]! });
  }
  out.push({ type: 'finish', stopReason: 'tool_use' }, { type: 'usage', usage: usage({ inputTokens: 900, outputTokens: 700 }) });
  return out;
}
function sequentialCalls(): IrStreamEvent[] {
  return [
    { type: 'start' },
    { type: 'tool_call_start', index: 0, id: 'call_A', name: 'Read' },
    ...frags(argsA, 3).map((arguments_): IrStreamEvent => ({ type: 'tool_call_delta', index: 0, arguments: arguments_ })),
    { type: 'tool_call_start', index: 1, id: 'call_B', name: 'Write', signature: 'gsig' },
    ...frags(argsB, 3).map((arguments_): IrStreamEvent => ({ type: 'tool_call_delta', index: 1, arguments: arguments_ })),
    { type: 'finish', stopReason: 'tool_use' },
  ];
}

const scenarios: { name: string; events: IrStreamEvent[]; ctx?: Partial<EncodeContext> }[] = [
  {
    name: 'text with usage arriving after finish (Anthropic-style)',
    events: [
      { type: 'start', id: 'msg_1', model: 'claude-sonnet-4-5' },
      { type: 'usage', usage: usage({ inputTokens: 20, cacheReadTokens: 1000, cacheWriteTokens: 5 }) },
      { type: 'text_delta', text: 'Hello' }, { type: 'text_delta', text: ', wörld 🌊' },
      { type: 'finish', stopReason: 'end_turn' },
      { type: 'usage', usage: usage({ outputTokens: 9 }) },
    ],
  },
  {
    name: 'thinking then text, stopped by max_tokens',
    events: [
      { type: 'start' }, { type: 'thinking_delta', text: 'Let me ' }, { type: 'thinking_delta', text: 'think.' },
      { type: 'thinking_signature', signature: 'sig' }, { type: 'text_delta', text: 'Answer' },
      { type: 'finish', stopReason: 'max_tokens' }, { type: 'usage', usage: usage({ inputTokens: 3, outputTokens: 50, reasoningTokens: 40 }) },
    ],
  },
  {
    name: 'text → tool → text in one turn',
    events: [
      { type: 'start' }, { type: 'text_delta', text: 'Checking.' },
      { type: 'tool_call_start', index: 0, id: 'toolu_1', name: 'Bash' },
      { type: 'tool_call_delta', index: 0, arguments: '{"command":' }, { type: 'tool_call_delta', index: 0, arguments: '"ls"}' },
      { type: 'text_delta', text: ' Done.' }, { type: 'finish', stopReason: 'tool_use' },
      { type: 'usage', usage: usage({ inputTokens: 10, outputTokens: 12 }) },
    ],
  },
  { name: 'two parallel calls with hundreds of interleaved fragments', events: interleavedCalls() },
  { name: 'two calls with hundreds of sequential fragments and no usage', events: sequentialCalls(), ctx: { estimatedInputTokens: 77 } },
];

describe('chat codec: encodeStream', () => {
  for (const s of scenarios) {
    describe(s.name, () => {
      const ctx = context(s.ctx);

      it('keeps the Chat stream invariants', async () => {
        const out = await collect(openaiChat.encodeStream(fromArray(s.events), ctx));
        const chunks = out.map((e) => e.data as JsonObject);
        expect(out.every((e) => e.event === undefined)).to.equal(true);
        for (const c of chunks) {
          expect(c['id']).to.equal('chatcmpl_req0123456789abcdef');
          expect(c['object']).to.equal('chat.completion.chunk');
          expect(c['created']).to.equal(1752700000);
          expect(c['model']).to.equal('gpt-4o-mini');
        }
        const usageChunk = chunks[chunks.length - 1]!;
        expect(usageChunk['choices']).to.deep.equal([]);
        const body = chunks.slice(0, -1);
        expect((body[0]!['choices'] as JsonObject[])[0]).to.deep.equal({ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null });
        const finishes = body.filter((c) => (c['choices'] as JsonObject[])[0]!['finish_reason'] !== null);
        expect(finishes).to.have.length(1);
        expect(finishes[0]).to.equal(body[body.length - 1]);
        expect((finishes[0]!['choices'] as JsonObject[])[0]!['delta']).to.deep.equal({});
        const started = new Set<number>();
        for (const c of body) {
          const delta = (c['choices'] as JsonObject[])[0]!['delta'] as JsonObject;
          for (const call of (delta['tool_calls'] as JsonObject[] | undefined) ?? []) {
            const index = call['index'] as number;
            if (!started.has(index)) {
              started.add(index);
              expect(Object.keys(call).filter((k) => k !== 'extra_content')).to.deep.equal(['index', 'id', 'type', 'function']);
              expect((call['function'] as JsonObject)['arguments']).to.equal('');
            } else {
              expect(Object.keys(call)).to.deep.equal(['index', 'function']);
              expect(Object.keys(call['function'] as JsonObject)).to.deep.equal(['arguments']);
            }
          }
        }
      });

      it('is rebuilt by the openai SDK into the message encodeResponse gives', async () => {
        const expected = openaiChat.encodeResponse(responseOf(s.events), ctx);
        const sse = sseBody(await collect(openaiChat.encodeStream(fromArray(s.events), ctx)));
        const { final } = await sdkFinalFromStream(sse);
        const exp = (expected['choices'] as JsonObject[])[0]!;
        const expMessage = exp['message'] as JsonObject;
        const got = final.choices[0]!;
        expect(final.id).to.equal(expected['id']);
        expect(final.model).to.equal(expected['model']);
        expect(final.created).to.equal(expected['created']);
        expect(got.finish_reason).to.equal(exp['finish_reason']);
        expect(got.message.content).to.equal(expMessage['content']);
        expect(got.message.role).to.equal('assistant');
        // The SDK keeps extra fields (Gemini's extra_content) as they came.
        expect(got.message.tool_calls ?? null).to.deep.equal(expMessage['tool_calls'] ?? null);
        const expectedUsage = s.events.some((e) => e.type === 'usage')
          ? expected['usage']
          : { prompt_tokens: 77, completion_tokens: 0, total_tokens: 77, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } };
        expect(final.usage).to.deep.equal(expectedUsage);
      });

      it('decodes back to the same IR (Chat → Chat)', async () => {
        const out = await collect(openaiChat.encodeStream(fromArray(s.events), ctx));
        const back = await collect(openaiChat.decodeStream(fromArray(out)));
        const strip = (events: readonly IrStreamEvent[]) => events.filter((e) => e.type !== 'start' && e.type !== 'usage');
        expect(strip(back)).to.deep.equal(strip(s.events).sort((a, b) => Number(a.type === 'finish') - Number(b.type === 'finish')));
      });
    });
  }

  it('gives a call that streamed no arguments `{}`, as the non-streamed answer does (Anthropic tool_use with input {})', async () => {
    const events: IrStreamEvent[] = [
      { type: 'start' },
      { type: 'tool_call_start', index: 0, id: 'toolu_now', name: 'get_time' },
      { type: 'tool_call_start', index: 1, id: 'toolu_ws', name: 'get_date' },
      { type: 'tool_call_delta', index: 1, arguments: ' ' },
      { type: 'tool_call_start', index: 2, id: 'toolu_w', name: 'get_weather' },
      { type: 'tool_call_delta', index: 2, arguments: '{"city":' },
      { type: 'tool_call_delta', index: 2, arguments: '"Oslo"}' },
      { type: 'finish', stopReason: 'tool_use' },
    ];
    const ctx = context();
    const { final } = await sdkFinalFromStream(sseBody(await collect(openaiChat.encodeStream(fromArray(events), ctx))));
    const calls = final.choices[0]!.message.tool_calls!.map((c) => (c.type === 'function' ? c.function.arguments : ''));
    expect(calls.map((a) => JSON.parse(a) as unknown)).to.deep.equal([{}, {}, { city: 'Oslo' }]);
    const json = openaiChat.encodeResponse(responseOf(events), ctx);
    const jsonCalls = (((json['choices'] as JsonObject[])[0]!['message'] as JsonObject)['tool_calls'] as JsonObject[]);
    expect(jsonCalls.map((c) => (c['function'] as JsonObject)['arguments'])).to.deep.equal(['{}', '{}', '{"city":"Oslo"}']);
    expect(calls[0]).to.equal('{}');
  });

  it('reports usage exactly as encodeResponse (cached tokens inside prompt_tokens)', async () => {
    const out = await collect(openaiChat.encodeStream(fromArray(scenarios[0]!.events), context()));
    expect(out[out.length - 1]!.data).to.deep.equal({
      id: 'chatcmpl_req0123456789abcdef', object: 'chat.completion.chunk', created: 1752700000, model: 'gpt-4o-mini', choices: [],
      usage: { prompt_tokens: 1025, completion_tokens: 9, total_tokens: 1034, prompt_tokens_details: { cached_tokens: 1000 }, completion_tokens_details: { reasoning_tokens: 0 } },
    });
  });

  it('streams thinking as reasoning_content deltas, then the signed block whole in reasoning_details', async () => {
    const out = await collect(openaiChat.encodeStream(fromArray(scenarios[1]!.events), context({ includeUsage: false })));
    const deltas = out.map((e) => ((e.data as JsonObject)['choices'] as JsonObject[])[0]!['delta']);
    expect(deltas).to.deep.equal([
      { role: 'assistant', content: '' },
      { reasoning_content: 'Let me ' }, { reasoning_content: 'think.' },
      { reasoning_details: [{ type: 'reasoning.text', text: 'Let me think.', signature: 'sig', index: 0 }] },
      { content: 'Answer' }, {},
    ]);
    expect(((out[out.length - 1]!.data as JsonObject)['choices'] as JsonObject[])[0]!['finish_reason']).to.equal('length');
  });

  describe('signed reasoning survives the client rebuilding the streamed message and sending it back', () => {
    const call: IrStreamEvent[] = [
      { type: 'tool_call_start', index: 0, id: 'toolu_1', name: 'shell' }, { type: 'tool_call_delta', index: 0, arguments: '{"cmd":"ls"}' },
      { type: 'finish', stopReason: 'tool_use' },
    ];
    const cases: { name: string; events: IrStreamEvent[]; reasoning: IrPart[] }[] = [
      {
        name: 'one signed block in pieces',
        events: [{ type: 'thinking_delta', text: 'List ' }, { type: 'thinking_delta', text: 'the files ' }, { type: 'thinking_delta', text: 'first.' }, { type: 'thinking_signature', signature: 'sigA' }, ...call],
        reasoning: [{ type: 'thinking', text: 'List the files first.', signature: 'sigA' }],
      },
      {
        name: 'a signed block, a redacted one and another signed block',
        events: [
          { type: 'thinking_delta', text: 'One, ' }, { type: 'thinking_delta', text: 'two.' }, { type: 'thinking_signature', signature: 'sigA' },
          { type: 'redacted_thinking', data: 'R' },
          { type: 'thinking_delta', text: 'Three.' }, { type: 'thinking_signature', signature: 'sigB' }, ...call,
        ],
        reasoning: [{ type: 'thinking', text: 'One, two.', signature: 'sigA' }, { type: 'redacted_thinking', data: 'R' }, { type: 'thinking', text: 'Three.', signature: 'sigB' }],
      },
      {
        name: 'a signature with no text (encrypted reasoning only)',
        events: [{ type: 'thinking_signature', signature: 'enc' }, ...call],
        reasoning: [{ type: 'thinking', text: '', signature: 'enc' }],
      },
    ];
    const nextTurn = (assistant: JsonObject): IrPart[] => openaiChat.decodeRequest({
      model: 'x', messages: [{ role: 'user', content: 'go' }, assistant, { role: 'tool', tool_call_id: 'toolu_1', content: 'a.txt' }],
    }, 'm', false).messages[1]!.parts.filter((p) => p.type !== 'tool_call');

    for (const c of cases) {
      it(`${c.name}: the openai SDK's stream helper (Object.assign of unknown delta fields)`, async () => {
        const { final } = await sdkFinalFromStream(sseBody(await collect(openaiChat.encodeStream(fromArray(c.events), context()))));
        expect(nextTurn(final.choices[0]!.message as unknown as JsonObject)).to.deep.equal(c.reasoning);
      });

      it(`${c.name}: a client that concatenates deltas by hand`, async () => {
        const out = await collect(openaiChat.encodeStream(fromArray(c.events), context()));
        const message: JsonObject = { role: 'assistant', content: null };
        let reasoning = '';
        const details: JsonObject[] = [];
        for (const e of out) {
          const delta = (((e.data as JsonObject)['choices'] as JsonObject[])[0]?.['delta'] ?? {}) as JsonObject;
          if (typeof delta['reasoning_content'] === 'string') reasoning += delta['reasoning_content'];
          if (Array.isArray(delta['reasoning_details'])) details.push(...(delta['reasoning_details'] as JsonObject[]));
        }
        if (reasoning) message['reasoning_content'] = reasoning;
        if (details.length) message['reasoning_details'] = details;
        message['tool_calls'] = [{ id: 'toolu_1', type: 'function', function: { name: 'shell', arguments: '{"cmd":"ls"}' } }];
        expect(nextTurn(message)).to.deep.equal(c.reasoning);
      });
    }
  });

  it('sends no usage chunk when the client did not ask for one', async () => {
    const out = await collect(openaiChat.encodeStream(fromArray(scenarios[0]!.events), context({ includeUsage: false })));
    expect(out.some((e) => (e.data as JsonObject)['usage'] !== undefined)).to.equal(false);
    expect(out).to.have.length(4);
  });

  it('lets an upstream failure propagate without a finish chunk', async () => {
    const boom = new GatewayError('SLUICE_E_UPSTREAM_ERROR', 'overloaded', { status: 529 });
    async function* failing(): AsyncGenerator<IrStreamEvent> {
      yield { type: 'start' };
      yield { type: 'text_delta', text: 'Part' };
      throw boom;
    }
    const seen: StreamEvent[] = [];
    let err: unknown;
    try { for await (const e of openaiChat.encodeStream(failing(), context())) seen.push(e); } catch (e) { err = e; }
    expect(err).to.equal(boom);
    expect(seen.map((e) => ((e.data as JsonObject)['choices'] as JsonObject[])[0]!['delta'])).to.deep.equal([{ role: 'assistant', content: '' }, { content: 'Part' }]);
  });

  it('writes nothing before the upstream produced its first event', async () => {
    async function* failsAtOnce(): AsyncGenerator<IrStreamEvent> { throw new Error('connect failed'); }
    const seen: StreamEvent[] = [];
    try { for await (const e of openaiChat.encodeStream(failsAtOnce(), context())) seen.push(e); } catch { /* expected */ }
    expect(seen).to.deep.equal([]);
  });
});

describe('chat codec: custom (freeform) tools for Chat clients', () => {
  const request = emptyRequest({ tools: [{ name: 'apply_patch', parameters: { type: 'object' }, freeform: {} }] });
  const ctx = context({ request, includeUsage: false });
  const patch = '*** Begin Patch\n*** Update File: a.ts\n+"x"\n*** End Patch';

  it('answers a declared custom tool with a custom call (JSON response)', () => {
    const out = openaiChat.encodeResponse({
      id: 'r', model: 'm', stopReason: 'tool_use', usage: usage({}),
      parts: [{ type: 'tool_call', id: 'call_p', name: 'apply_patch', arguments: JSON.stringify({ input: patch }) }],
    }, ctx);
    expect(((out['choices'] as JsonObject[])[0]!['message'] as JsonObject)['tool_calls'])
      .to.deep.equal([{ id: 'call_p', type: 'custom', custom: { name: 'apply_patch', input: patch } }]);
  });

  it('streams a custom call as one delta once its input is complete', async () => {
    const json = JSON.stringify({ input: patch });
    const events: IrStreamEvent[] = [
      { type: 'start' }, { type: 'tool_call_start', index: 0, id: 'call_p', name: 'apply_patch' },
      ...frags(json, 4).map((a): IrStreamEvent => ({ type: 'tool_call_delta', index: 0, arguments: a })),
      { type: 'text_delta', text: 'Applied.' }, { type: 'finish', stopReason: 'tool_use' },
    ];
    const out = await collect(openaiChat.encodeStream(fromArray(events), ctx));
    expect(out.map((e) => ((e.data as JsonObject)['choices'] as JsonObject[])[0]!['delta'])).to.deep.equal([
      { role: 'assistant', content: '' },
      { tool_calls: [{ index: 0, id: 'call_p', type: 'custom', custom: { name: 'apply_patch', input: patch } }] },
      { content: 'Applied.' },
      {},
    ]);
  });
});
