// IR stream → Responses SSE for Responses clients. Every transcript is checked against the protocol's
// invariants and replayed through the openai SDK's ResponseStream, whose final response must equal
// what encodeResponse gives for the same answer.
import { expect } from 'chai';
import { accumulateResponse } from 'openai/lib/responses/ResponseAccumulator';
import type { Response as SdkResponse, ResponseStreamEvent } from 'openai/resources/responses/responses';
import type { JsonObject, JsonValue, StreamEvent } from '../../../../core/index.js';
import type { EncodeContext } from '../../../../plugins/translator/codec.js';
import type { IrStreamEvent, IrTool } from '../../../../plugins/translator/ir.js';
import { openaiResponses } from '../../../../plugins/translator/protocols/responses/index.js';
import { asJson, collect, context, fixtureText, foldStream, irRequest, iterate, sdkReplay, sseEvents, toSse, withoutSdkExtras } from './helpers.js';

const EXEC: IrTool = { name: 'exec_command', parameters: { type: 'object', properties: { cmd: { type: 'string' } } }, strict: false };
const WRITE: IrTool = { name: 'write', parameters: { type: 'object' } };
const APPLY_PATCH: IrTool = {
  name: 'apply_patch', description: 'Edit files.', parameters: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] },
  freeform: { format: { type: 'grammar', syntax: 'lark', definition: 'start: x' } },
};
const CTX = context(irRequest({ tools: [EXEC, WRITE, APPLY_PATCH], reasoning: { enabled: true, effort: 'medium', includeThoughts: true } }));
const USAGE = { inputTokens: 100, outputTokens: 50, cacheReadTokens: 900, cacheWriteTokens: 0, reasoningTokens: 20, estimated: false };
const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
const text = (t: string): IrStreamEvent => ({ type: 'text_delta', text: t });
const thinking = (t: string): IrStreamEvent => ({ type: 'thinking_delta', text: t });
const start = (index: number, id: string, name: string): IrStreamEvent => ({ type: 'tool_call_start', index, id, name });
const args = (index: number, a: string): IrStreamEvent => ({ type: 'tool_call_delta', index, arguments: a });
const END: IrStreamEvent[] = [{ type: 'finish', stopReason: 'end_turn' }, { type: 'usage', usage: USAGE }];

interface ItemTrack { id: string; type: string; done: boolean; text: string }

/** Asserts the stream rules Codex and the SDK rely on; returns the terminal response. */
function checkInvariants(events: StreamEvent[]): JsonObject {
  const items: ItemTrack[] = [];
  const doneItems: JsonValue[] = [];
  events.forEach((ev, i) => {
    const d = ev.data as JsonObject;
    expect(ev.event, `event name #${i}`).to.equal(d['type']);
    expect(d['sequence_number'], `sequence #${i}`).to.equal(i);
  });
  const types = events.map((e) => (e.data as JsonObject)['type'] as string);
  expect(types.slice(0, 2)).to.deep.equal(['response.created', 'response.in_progress']);
  expect(types.filter((t) => TERMINAL.has(t)), 'exactly one terminal event').to.have.length(1);
  expect(TERMINAL.has(types[types.length - 1] ?? ''), 'terminal event last').to.equal(true);
  for (const ev of events.slice(2, -1)) {
    const d = ev.data as JsonObject;
    const type = d['type'] as string;
    const index = d['output_index'] as number;
    if (type === 'response.output_item.added') {
      expect(index, 'output_index is contiguous').to.equal(items.length);
      const item = d['item'] as JsonObject;
      items.push({ id: item['id'] as string, type: item['type'] as string, done: false, text: '' });
      continue;
    }
    const track = items[index];
    expect(track, `${type} refers to an added item`).to.not.equal(undefined);
    if (!track) continue;
    expect(track.done, `${type} after its item was done`).to.equal(false);
    if (type === 'response.output_item.done') {
      const item = d['item'] as JsonObject;
      expect(item['id']).to.equal(track.id);
      track.done = true;
      doneItems[index] = item;
      const full = item['type'] === 'message' ? ((item['content'] as JsonObject[])[0]?.['text'] ?? '')
        : item['type'] === 'function_call' ? item['arguments']
          : item['type'] === 'custom_tool_call' ? item['input']
            : ((item['summary'] as JsonObject[])[0]?.['text'] ?? '');
      expect(track.text, `deltas of ${track.id} add up to the done item`).to.equal(full);
      continue;
    }
    expect(d['item_id'], `${type} item_id`).to.equal(track.id);
    if (type.endsWith('.delta')) track.text += d['delta'] as string;
    if (type === 'response.output_text.done') expect(d['text']).to.equal(track.text);
    if (type === 'response.function_call_arguments.done') expect(d['arguments']).to.equal(track.text);
    if (type === 'response.custom_tool_call_input.done') expect(d['input']).to.equal(track.text);
    if (type === 'response.reasoning_summary_text.done') expect(d['text']).to.equal(track.text);
  }
  expect(items.every((t) => t.done), 'every item is done before the terminal event').to.equal(true);
  const response = (events[events.length - 1]?.data as JsonObject)['response'] as JsonObject;
  expect(response['output'], 'terminal output = the done items').to.deep.equal(doneItems);
  return response;
}

/** Rebuilds the response from everything but the terminal event, as the SDK's accumulator does. */
function accumulateWithoutTerminal(events: StreamEvent[]): JsonValue {
  let snapshot: SdkResponse | undefined;
  for (const ev of events.slice(0, -1)) snapshot = accumulateResponse(ev.data as unknown as ResponseStreamEvent, snapshot);
  return asJson(snapshot?.output ?? null);
}

async function judge(ir: IrStreamEvent[], ctx: EncodeContext = CTX): Promise<{ events: StreamEvent[]; expected: JsonObject }> {
  const events = await collect(openaiResponses.encodeStream(iterate(ir), ctx));
  const terminal = checkInvariants(events);
  const expected = openaiResponses.encodeResponse(foldStream(ir), ctx);
  expect(terminal).to.deep.equal(expected);
  expect(accumulateWithoutTerminal(events), 'deltas alone rebuild the output').to.deep.equal(expected['output']);
  const sdk = await sdkReplay(toSse(events));
  expect(withoutSdkExtras(sdk.final)).to.deep.equal(expected);
  const texts = (expected['output'] as JsonObject[]).filter((o) => o['type'] === 'message')
    .map((o) => (o['content'] as JsonObject[])[0]?.['text'] as string).join('');
  expect(sdk.final['output_text']).to.equal(texts);
  return { events, expected };
}

const typesOf = (events: StreamEvent[]): string[] => events.map((e) => (e.data as JsonObject)['type'] as string);

describe('responses codec: encodeStream (SDK-judged)', () => {
  it('text only: exact event sequence', async () => {
    const { events } = await judge([{ type: 'start', id: 'chatcmpl-1', model: 'gpt-x' }, text('Hel'), text('lo'), ...END]);
    expect(typesOf(events)).to.deep.equal([
      'response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added',
      'response.output_text.delta', 'response.output_text.delta', 'response.output_text.done', 'response.content_part.done',
      'response.output_item.done', 'response.completed',
    ]);
    expect(events[4]?.data).to.deep.equal({
      type: 'response.output_text.delta', item_id: 'msg_req01J9ZK3Q7X_0', output_index: 0, content_index: 0, delta: 'Hel', logprobs: [], sequence_number: 4,
    });
    const created = (events[0]?.data as JsonObject)['response'] as JsonObject;
    expect(created['status']).to.equal('in_progress');
    expect(created['output']).to.deep.equal([]);
    expect(created['usage']).to.equal(null);
    const completed = (events[9]?.data as JsonObject)['response'] as JsonObject;
    expect(completed['usage']).to.deep.equal({
      input_tokens: 1000, input_tokens_details: { cached_tokens: 900 }, output_tokens: 50, output_tokens_details: { reasoning_tokens: 20 }, total_tokens: 1050,
    });
  });

  it('reasoning with its signature, then text', async () => {
    const { events, expected } = await judge([thinking('Let me '), thinking('think.'), { type: 'thinking_signature', signature: 'enc-1' }, text('Answer'), ...END]);
    expect(typesOf(events).slice(2, 9)).to.deep.equal([
      'response.output_item.added', 'response.reasoning_summary_part.added', 'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta', 'response.reasoning_summary_text.done', 'response.reasoning_summary_part.done', 'response.output_item.done',
    ]);
    expect((expected['output'] as JsonObject[])[0]).to.deep.equal({
      id: 'rs_req01J9ZK3Q7X_0', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Let me think.' }], encrypted_content: 'enc-1',
    });
  });

  it('two signed thinking blocks become two reasoning items; redacted thinking a third', async () => {
    const { expected } = await judge([
      thinking('one'), { type: 'thinking_signature', signature: 's1' }, thinking('two'), { type: 'thinking_signature', signature: 's2' },
      { type: 'redacted_thinking', data: 'opaque' }, text('ok'), ...END,
    ]);
    expect((expected['output'] as JsonObject[]).map((o) => o['encrypted_content'] ?? o['type'])).to.deep.equal(['s1', 's2', 'sluice-redacted:opaque', 'message']);
  });

  it('text → tool → text in one turn', async () => {
    const { expected } = await judge([
      text('Checking.'), start(0, 'call_1', 'exec_command'), args(0, '{"cmd":'), args(0, '"ls"}'), text('Done.'),
      { type: 'finish', stopReason: 'tool_use' }, { type: 'usage', usage: USAGE },
    ]);
    expect((expected['output'] as JsonObject[]).map((o) => o['type'])).to.deep.equal(['message', 'function_call', 'message']);
  });

  it('text and a tool call mixed in one chunk, the text resuming before the arguments finish', async () => {
    const { events } = await judge([
      text('a'), start(0, 'call_1', 'write'), args(0, '{"x":'), text('b'), args(0, '1}'), ...END,
    ]);
    const argDeltas = events.filter((e) => (e.data as JsonObject)['type'] === 'response.function_call_arguments.delta');
    expect(argDeltas.map((e) => (e.data as JsonObject)['output_index'])).to.deep.equal([1, 1]);
  });

  it('two parallel calls with hundreds of fragments each, interleaved', async () => {
    const a = JSON.stringify({ path: 'a.ts', content: 'α'.repeat(300) });
    const b = JSON.stringify({ path: 'b.ts', content: 'β"'.repeat(150) });
    const fa = chunks(a, 1);
    const fb = chunks(b, 1);
    const ir: IrStreamEvent[] = [start(0, 'call_a', 'write'), start(1, 'call_b', 'write')];
    for (let i = 0; i < Math.max(fa.length, fb.length); i++) {
      if (fa[i] !== undefined) ir.push(args(0, fa[i] ?? ''));
      if (fb[i] !== undefined) ir.push(args(1, fb[i] ?? ''));
    }
    expect(fa.length).to.be.greaterThan(300);
    const { expected } = await judge([...ir, { type: 'finish', stopReason: 'tool_use' }, { type: 'usage', usage: USAGE }]);
    expect((expected['output'] as JsonObject[]).map((o) => o['arguments'])).to.deep.equal([a, b]);
  });

  it('two parallel calls with hundreds of fragments each, sequential', async () => {
    const a = JSON.stringify({ cmd: 'x'.repeat(500) });
    const b = JSON.stringify({ cmd: 'y'.repeat(500) });
    await judge([
      start(0, 'call_a', 'exec_command'), ...chunks(a, 2).map((f) => args(0, f)),
      start(1, 'call_b', 'exec_command'), ...chunks(b, 2).map((f) => args(1, f)),
      { type: 'finish', stopReason: 'tool_use' }, { type: 'usage', usage: USAGE },
    ]);
  });

  it('a freeform tool streams as a custom_tool_call carrying the raw input', async () => {
    const patch = '*** Begin Patch\n*** Add File: a.txt\n+"hi" \\ ü\n*** End Patch\n';
    const json = JSON.stringify({ input: patch });
    const { events, expected } = await judge([start(0, 'call_p', 'apply_patch'), ...chunks(json, 3).map((f) => args(0, f)), ...END]);
    expect((expected['output'] as JsonObject[])[0]).to.deep.equal({
      id: 'ctc_req01J9ZK3Q7X_0', type: 'custom_tool_call', status: 'completed', call_id: 'call_p', name: 'apply_patch', input: patch,
    });
    expect(typesOf(events).slice(2, -1)).to.deep.equal([
      'response.output_item.added', 'response.custom_tool_call_input.delta', 'response.custom_tool_call_input.done', 'response.output_item.done',
    ]);
  });

  it('max_tokens ends with response.incomplete', async () => {
    const { events } = await judge([text('cut'), { type: 'usage', usage: USAGE }, { type: 'finish', stopReason: 'max_tokens' }]);
    const last = events[events.length - 1]?.data as JsonObject;
    expect(last['type']).to.equal('response.incomplete');
    expect((last['response'] as JsonObject)['incomplete_details']).to.deep.equal({ reason: 'max_output_tokens' });
  });

  it('a repeated tool_call_start for the same call opens nothing new', async () => {
    const { expected } = await judge([start(0, 'call_1', 'exec_command'), args(0, '{"cmd":"ls"'), start(0, 'call_1', 'exec_command'), args(0, '}'), ...END]);
    expect(expected['output']).to.have.length(1);
  });

  it('a call with no arguments at all is completed as {}', async () => {
    const { expected } = await judge([start(0, 'call_1', 'exec_command'), ...END]);
    expect((expected['output'] as JsonObject[])[0]?.['arguments']).to.equal('{}');
  });
});

describe('responses codec: encodeStream (edges)', () => {
  it('an empty answer still opens and closes the response, with the estimated input as usage', async () => {
    const events = await collect(openaiResponses.encodeStream(iterate<IrStreamEvent>([]), CTX));
    const terminal = checkInvariants(events);
    expect(typesOf(events)).to.deep.equal(['response.created', 'response.in_progress', 'response.completed']);
    expect(terminal['output']).to.deep.equal([]);
    expect(terminal['usage']).to.deep.equal({
      input_tokens: 42, input_tokens_details: { cached_tokens: 0 }, output_tokens: 0, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 42,
    });
  });

  it('an upstream failure propagates: no terminal event is invented', async () => {
    async function* failing(): AsyncIterable<IrStreamEvent> {
      yield text('partial');
      throw new Error('upstream died');
    }
    const seen: StreamEvent[] = [];
    let err: unknown;
    try { for await (const ev of openaiResponses.encodeStream(failing(), CTX)) seen.push(ev); } catch (e) { err = e; }
    expect((err as Error).message).to.equal('upstream died');
    expect(typesOf(seen)).to.not.include('response.completed');
    expect(typesOf(seen).slice(-1)).to.deep.equal(['response.output_text.delta']);
  });

  it('nothing is sent before the first upstream event (a failing upstream can still get an HTTP error)', async () => {
    async function* failsAtOnce(): AsyncIterable<IrStreamEvent> { throw new Error('refused'); }
    const seen: StreamEvent[] = [];
    try { for await (const ev of openaiResponses.encodeStream(failsAtOnce(), CTX)) seen.push(ev); } catch { /* expected */ }
    expect(seen).to.deep.equal([]);
  });
});

describe('responses codec: upstream SSE → IR → client SSE (SDK-judged)', () => {
  for (const file of ['reasoning-text.sse', 'tools.sse', 'incomplete.sse']) {
    it(`${file}: the client rebuilds what the JSON path would return`, async () => {
      const raw = fixtureText(file);
      const ir = await collect(openaiResponses.decodeStream(sseEvents([Buffer.from(raw)])));
      const events = await collect(openaiResponses.encodeStream(iterate(ir), CTX));
      checkInvariants(events);
      const upstreamEvents = await collect(sseEvents([Buffer.from(raw)]));
      const upstreamFinal = (upstreamEvents[upstreamEvents.length - 1]?.data as JsonObject)['response'] as JsonObject;
      const expected = openaiResponses.encodeResponse(openaiResponses.decodeResponse(upstreamFinal), CTX);
      const sdk = await sdkReplay(toSse(events));
      expect(withoutSdkExtras(sdk.final)).to.deep.equal(expected);
    });
  }
});
