// Responses SSE (upstream) → IR stream events. Golden transcripts in the exact wire format are
// replayed whole and with a chunk boundary at every byte offset through core's SSE decoder.
import { expect } from 'chai';
import { GatewayError, type JsonObject, type StreamEvent } from '../../../../core/index.js';
import type { IrStreamEvent } from '../../../../plugins/translator/ir.js';
import { openaiResponses } from '../../../../plugins/translator/protocols/responses/index.js';
import { boundaries, splitPlans } from '../../../helpers/split-points.js';
import { collect, fixtureText, foldStream, iterate, sseEvents } from './helpers.js';

const RID = 'resp_0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const MODEL = 'gpt-5.5-2026-10-01';

function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

const PATCH = '*** Begin Patch\n*** Add File: hello.txt\n+say "hi" \\ bye\n*** End Patch\n';
const ARGS_1 = '{"cmd":"ls -la \\"my dir\\"","yield_time_ms":1000}';
const ARGS_2 = '{"cmd":"git status --short"}';

const GOLDEN: Record<string, IrStreamEvent[]> = {
  'reasoning-text.sse': [
    { type: 'start', id: RID, model: MODEL },
    ...['**Greetin', 'g the use', 'r**\n\nThe ', 'user said', ' hello.'].map((text): IrStreamEvent => ({ type: 'thinking_delta', text })),
    { type: 'thinking_delta', text: '\n\nI will an' },
    ...['swer brie', 'fly.'].map((text): IrStreamEvent => ({ type: 'thinking_delta', text })),
    { type: 'thinking_signature', signature: 'gAAAAABpR3kZ_encrypted_reasoning_state_1==' },
    ...['Héllo', ' 🌊 —', ' "quoted"', '\nline', ' two'].map((text): IrStreamEvent => ({ type: 'text_delta', text })),
    { type: 'usage', usage: { inputTokens: 176, outputTokens: 300, cacheReadTokens: 1024, cacheWriteTokens: 0, reasoningTokens: 256, estimated: false } },
    { type: 'finish', stopReason: 'end_turn' },
  ],
  'tools.sse': [
    { type: 'start', id: RID, model: MODEL },
    { type: 'thinking_signature', signature: 'gAAAAABpR3kZ_encrypted_reasoning_state_2==' },
    { type: 'tool_call_start', index: 0, id: 'call_Ab12', name: 'exec_command' },
    ...chunks(ARGS_1, 4).map((a): IrStreamEvent => ({ type: 'tool_call_delta', index: 0, arguments: a })),
    { type: 'tool_call_start', index: 1, id: 'call_Cd34', name: 'exec_command' },
    ...chunks(ARGS_2, 4).map((a): IrStreamEvent => ({ type: 'tool_call_delta', index: 1, arguments: a })),
    { type: 'tool_call_start', index: 2, id: 'call_Ef56', name: 'apply_patch' },
    { type: 'tool_call_delta', index: 2, arguments: '{"input":"' },
    ...chunks(PATCH, 7).map((a): IrStreamEvent => ({ type: 'tool_call_delta', index: 2, arguments: JSON.stringify(a).slice(1, -1) })),
    { type: 'tool_call_delta', index: 2, arguments: '"}' },
    { type: 'usage', usage: { inputTokens: 5000, outputTokens: 120, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 64, estimated: false } },
    { type: 'finish', stopReason: 'tool_use' },
  ],
  'incomplete.sse': [
    { type: 'start', id: RID, model: MODEL },
    { type: 'text_delta', text: 'Once upon' },
    { type: 'text_delta', text: ' a time' },
    { type: 'usage', usage: { inputTokens: 20, outputTokens: 16, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, estimated: false } },
    { type: 'finish', stopReason: 'max_tokens' },
  ],
};

async function decodeBytes(parts: Uint8Array[]): Promise<IrStreamEvent[]> {
  return collect(openaiResponses.decodeStream(sseEvents(parts)));
}

describe('responses codec: decodeStream (golden transcripts)', () => {
  for (const [file, expected] of Object.entries(GOLDEN)) {
    const bytes = Buffer.from(fixtureText(file), 'utf8');

    it(`${file}: whole`, async () => {
      expect(await decodeBytes([bytes])).to.deep.equal(expected);
    });

    it(`${file}: a chunk boundary at every byte offset`, async () => {
      // 256 passes of 256-byte chunks cover every offset (one decode per pass, not one per byte).
      const plans = splitPlans(bytes, { stride: 256 });
      expect(boundaries(plans).size).to.equal(bytes.length - 1);
      for (const { label, chunks } of plans) expect(await decodeBytes(chunks), label).to.deep.equal(expected);
    });
  }

  it('tools.sse: the freeform call accumulates to valid IR JSON holding the raw patch', async () => {
    const folded = foldStream(await decodeBytes([Buffer.from(fixtureText('tools.sse'))]));
    const calls = folded.parts.filter((p) => p.type === 'tool_call');
    expect(calls.map((c) => c.type === 'tool_call' && JSON.parse(c.arguments) as unknown)).to.deep.equal([
      { cmd: 'ls -la "my dir"', yield_time_ms: 1000 }, { cmd: 'git status --short' }, { input: PATCH },
    ]);
  });

  it('an error event mid-stream: the text so far is yielded, then a GatewayError is thrown', async () => {
    const seen: IrStreamEvent[] = [];
    let err: unknown;
    try {
      for await (const ev of openaiResponses.decodeStream(sseEvents([Buffer.from(fixtureText('error-midstream.sse'))]))) seen.push(ev);
    } catch (e) { err = e; }
    expect(seen).to.deep.equal([{ type: 'start', id: RID, model: MODEL }, { type: 'text_delta', text: 'Partial' }]);
    expect(err).to.be.instanceOf(GatewayError);
    const g = err as GatewayError;
    expect(g.code).to.equal('SLUICE_E_UPSTREAM_ERROR');
    expect(g.status).to.equal(502);
    expect(g.message).to.equal('The server had an error while processing your request. Sorry about that!');
    expect(g.upstream).to.deep.equal({ family: 'openai', body: { error: {
      message: 'The server had an error while processing your request. Sorry about that!', type: 'api_error', param: null, code: 'server_error',
    } } });
  });

  it('response.failed becomes a GatewayError with the upstream message and code, and the status the code implies', async () => {
    let err: unknown;
    try { await decodeBytes([Buffer.from(fixtureText('failed.sse'))]); } catch (e) { err = e; }
    const g = err as GatewayError;
    expect(g).to.be.instanceOf(GatewayError);
    // A rate limit stays one (an Anthropic client gets rate_limit_error, a Chat client 429's class).
    expect(g.status).to.equal(429);
    expect(g.typeFor('anthropic')).to.equal('rate_limit_error');
    expect(g.message).to.equal('Rate limit reached for gpt-5.5 on tokens per min (TPM). Please try again in 2.5s.');
    expect(g.upstream?.body).to.deep.equal({ error: {
      message: 'Rate limit reached for gpt-5.5 on tokens per min (TPM). Please try again in 2.5s.', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded',
    } });
  });

  it('an older nested error event keeps its type', async () => {
    let err: unknown;
    try { await collect(openaiResponses.decodeStream(iterate(events([{ type: 'error', error: { type: 'invalid_request_error', code: 'bad', message: 'nope' } }])))); } catch (e) { err = e; }
    expect((err as GatewayError).upstream?.body).to.deep.equal({ error: { message: 'nope', type: 'invalid_request_error', param: null, code: 'bad' } });
  });

  it('an overload mid-stream stays an overload: status 503, overloaded_error for Anthropic clients', async () => {
    let err: unknown;
    try { await collect(openaiResponses.decodeStream(iterate(events([{ type: 'error', code: 'server_is_overloaded', message: 'busy', param: null, sequence_number: 3 }])))); } catch (e) { err = e; }
    expect((err as GatewayError).status).to.equal(503);
    expect((err as GatewayError).typeFor('anthropic')).to.equal('overloaded_error');
  });
});

/** Events as the SSE decoder gives them, with the type also as the event name. */
function events(datas: JsonObject[]): StreamEvent[] {
  return datas.map((data) => ({ event: String(data['type']), data }));
}

describe('responses codec: decodeStream (edge cases)', () => {
  const added = (i: number, call: string, name: string, type = 'function_call'): JsonObject =>
    ({ type: 'response.output_item.added', output_index: i, item: { id: `fc_${i}`, type, status: 'in_progress', arguments: '', call_id: call, name } });
  const argDelta = (i: number, delta: string): JsonObject => ({ type: 'response.function_call_arguments.delta', item_id: `fc_${i}`, output_index: i, delta });
  const completed: JsonObject = { type: 'response.completed', response: { id: 'r', status: 'completed', output: [], usage: null } };

  it('two parallel calls with hundreds of interleaved fragments each keep their own indices and arguments', async () => {
    const a = JSON.stringify({ path: 'src/a.ts', content: 'x'.repeat(400) + '"quoted"' });
    const b = JSON.stringify({ path: 'src/b.ts', content: 'y'.repeat(400) });
    const fa = chunks(a, 2);
    const fb = chunks(b, 2);
    const wire: JsonObject[] = [{ type: 'response.created', response: { id: 'r', model: 'm' } }, added(0, 'call_a', 'write'), added(1, 'call_b', 'write')];
    for (let i = 0; i < Math.max(fa.length, fb.length); i++) {
      if (fa[i] !== undefined) wire.push(argDelta(0, fa[i] ?? ''));
      if (fb[i] !== undefined) wire.push(argDelta(1, fb[i] ?? ''));
    }
    wire.push(completed);
    const out = await collect(openaiResponses.decodeStream(iterate(events(wire))));
    expect(fa.length).to.be.greaterThan(200);
    expect(out.filter((e) => e.type === 'tool_call_delta' && e.index === 0).map((e) => e.type === 'tool_call_delta' ? e.arguments : '')).to.deep.equal(fa);
    expect(out.filter((e) => e.type === 'tool_call_delta' && e.index === 1).map((e) => e.type === 'tool_call_delta' ? e.arguments : '')).to.deep.equal(fb);
    const folded = foldStream(out);
    expect(folded.parts).to.deep.equal([
      { type: 'tool_call', id: 'call_a', name: 'write', arguments: a },
      { type: 'tool_call', id: 'call_b', name: 'write', arguments: b },
    ]);
    expect(folded.stopReason).to.equal('tool_use');
  });

  it('arguments sent only on the done events are still delivered, once; the repeated name starts nothing new', async () => {
    const wire: JsonObject[] = [
      added(0, 'call_1', 'f'),
      { type: 'response.function_call_arguments.done', item_id: 'fc_0', output_index: 0, name: 'f', arguments: '{"a":1}' },
      { type: 'response.output_item.done', output_index: 0, item: { id: 'fc_0', type: 'function_call', status: 'completed', arguments: '{"a":1}', call_id: 'call_1', name: 'f' } },
      completed,
    ];
    expect(await collect(openaiResponses.decodeStream(iterate(events(wire))))).to.deep.equal([
      { type: 'tool_call_start', index: 0, id: 'call_1', name: 'f' },
      { type: 'tool_call_delta', index: 0, arguments: '{"a":1}' },
      { type: 'start' },
      { type: 'finish', stopReason: 'tool_use' }, // no usage reported: none invented
    ]);
  });

  it('deltas that name their item only by output_index still find it', async () => {
    const wire: JsonObject[] = [added(0, 'call_1', 'f'), { type: 'response.function_call_arguments.delta', output_index: 0, delta: '{}' }, completed];
    const folded = foldStream(await collect(openaiResponses.decodeStream(iterate(events(wire)))));
    expect(folded.parts).to.deep.equal([{ type: 'tool_call', id: 'call_1', name: 'f', arguments: '{}' }]);
  });

  it('a custom call cut off before its done event is closed into valid JSON at completion', async () => {
    const wire: JsonObject[] = [
      { type: 'response.output_item.added', output_index: 0, item: { id: 'ctc_0', type: 'custom_tool_call', call_id: 'c', name: 'apply_patch', input: '' } },
      { type: 'response.custom_tool_call_input.delta', item_id: 'ctc_0', output_index: 0, delta: 'line1\n"x"' },
      { type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } },
    ];
    const out = await collect(openaiResponses.decodeStream(iterate(events(wire))));
    const folded = foldStream(out);
    expect(folded.parts).to.deep.equal([{ type: 'tool_call', id: 'c', name: 'apply_patch', arguments: JSON.stringify({ input: 'line1\n"x"' }) }]);
    expect(folded.stopReason).to.equal('max_tokens');
  });

  it('ignores unknown events, hosted-tool progress, keep-alives and non-JSON data', async () => {
    const wire: StreamEvent[] = [
      { data: 'not json' },
      { event: 'keepalive', data: { type: 'keepalive' } },
      { event: 'response.web_search_call.searching', data: { type: 'response.web_search_call.searching', output_index: 0, item_id: 'ws_1' } },
      { event: 'response.output_text.annotation.added', data: { type: 'response.output_text.annotation.added', annotation: {} } },
      { event: 'response.output_text.delta', data: { type: 'response.output_text.delta', delta: 'ok', item_id: 'm', output_index: 1, content_index: 0 } },
    ];
    expect(await collect(openaiResponses.decodeStream(iterate(wire)))).to.deep.equal([{ type: 'text_delta', text: 'ok' }]);
  });

  it('yields each event as soon as it arrives (no buffering)', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => { release = r; });
    async function* source(): AsyncIterable<StreamEvent> {
      yield { event: 'response.output_text.delta', data: { type: 'response.output_text.delta', delta: 'first' } };
      await gate;
      yield { event: 'response.completed', data: completed };
    }
    const it = openaiResponses.decodeStream(source())[Symbol.asyncIterator]();
    expect((await it.next()).value).to.deep.equal({ type: 'text_delta', text: 'first' });
    release();
    expect((await it.next()).value).to.deep.equal({ type: 'start' });
  });
});
