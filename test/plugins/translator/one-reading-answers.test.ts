// The translator's response decoders and core's response view read an answer through the same
// per-protocol readers (core/protocols/view/request-*.ts): an answer holds what a turn holds. Each
// answer below holds the cases where the two once disagreed (Chat refusals, `reasoning` and custom
// calls; Responses refusal parts, raw reasoning text and custom calls).
import { expect } from 'chai';
import { canonicalArguments, createResponseView, parseProtocolName, type JsonObject, type ProtocolName, type StreamEvent } from '../../../core/index.js';
import { codecFor } from '../../../plugins/translator/codecs.js';
import type { IrStreamEvent } from '../../../plugins/translator/ir.js';

const ANSWERS: Partial<Record<ProtocolName, JsonObject>> = {
  'openai.chat': { id: 'r', model: 'm', choices: [{ index: 0, finish_reason: 'tool_calls', message: {
    role: 'assistant', content: 'hi', refusal: 'no', reasoning: 'plan', tool_calls: [
      { id: 'c1', type: 'function', function: { name: 'sh', arguments: '{"cmd": "ls"}' } },
      { id: 'c2', type: 'custom', custom: { name: 'apply_patch', input: '*** Begin Patch' } },
    ],
  } }] },
  'openai.responses': { id: 'r', model: 'm', status: 'completed', output: [
    { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'plan' }, { type: 'summary_text', text: 'more' }], encrypted_content: 'E' },
    { type: 'reasoning', id: 'rs_2', summary: [], content: [{ type: 'reasoning_text', text: 'raw' }] },
    { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'hi' }, { type: 'refusal', refusal: 'no' }] },
    { type: 'function_call', call_id: 'c1', name: 'sh', arguments: '{"cmd": "ls"}' },
    { type: 'custom_tool_call', call_id: 'c2', name: 'apply_patch', input: '*** Begin Patch' },
    { type: 'web_search_call', id: 'ws', status: 'completed' },
  ] },
  'anthropic.messages': { id: 'r', type: 'message', role: 'assistant', model: 'm', stop_reason: 'tool_use', content: [
    { type: 'thinking', thinking: 'plan', signature: 'S' }, { type: 'redacted_thinking', data: 'R' },
    { type: 'text', text: 'hi' }, { type: 'server_tool_use', id: 'st', name: 'web_search', input: { query: 'q' } },
    { type: 'tool_use', id: 'c1', name: 'sh', input: { cmd: 'ls' } },
  ] },
  'gemini.generate': { responseId: 'r', modelVersion: 'm', candidates: [{ index: 0, finishReason: 'STOP', content: { role: 'model', parts: [
    { text: 'plan', thought: true }, { text: 'hi', thoughtSignature: 'S' }, { functionCall: { id: 'c1', name: 'sh', args: { cmd: 'ls' } } },
  ] } }] },
};

describe('translator and protocol view: one reading of each answer', () => {
  for (const [name, body] of Object.entries(ANSWERS) as [ProtocolName, JsonObject][]) {
    it(`${name}: the same text, reasoning and tool calls`, () => {
      const ir = codecFor(name)!.decodeResponse(structuredClone(body));
      const view = createResponseView(parseProtocolName(name), structuredClone(body));
      const calls = ir.parts.filter((p) => p.type === 'tool_call');
      const viewCalls = view.toolCalls();
      expect(calls.map((c) => [c.id, c.name])).to.deep.equal(viewCalls.map((c) => [c.id, c.name]));
      // A custom (freeform) call's text rides in the IR as {"input": …}; the view gives the text itself.
      expect(calls.map((c) => (c.name === 'apply_patch' ? JSON.parse(c.arguments).input : canonicalArguments(JSON.parse(c.arguments)))))
        .to.deep.equal(viewCalls.map((c) => c.arguments));
      const segments = view.segments();
      expect(ir.parts.flatMap((p) => (p.type === 'text' ? [p.text] : []))).to.deep.equal(segments.filter((s) => s.kind === 'assistant').map((s) => s.text));
      // Summary parts are paragraphs to the IR, one segment each to the view.
      expect(ir.parts.flatMap((p) => (p.type === 'thinking' && p.text ? [p.text] : [])).join('\n\n'))
        .to.equal(segments.filter((s) => s.kind === 'reasoning').map((s) => s.text).join('\n\n'));
    });
  }

  it('Chat: a refusal, `reasoning` and a custom call are channels a transform rewrites', () => {
    const view = createResponseView(parseProtocolName('openai.chat'), structuredClone(ANSWERS['openai.chat']!));
    expect(view.segments().map((s) => [s.kind, s.text])).to.deep.equal([
      ['reasoning', 'plan'], ['assistant', 'hi'], ['assistant', 'no'], ['tool_arguments', 'ls'], ['tool_arguments', '*** Begin Patch'],
    ]);
  });

  it('the translator reads an answer leniently where it would refuse a request: a call without an id or a name is kept', () => {
    const ir = codecFor('openai.chat')!.decodeResponse({ choices: [{ message: { role: 'assistant', content: null, tool_calls: [
      { type: 'function', function: { name: 'sh', arguments: '{}' } }, { id: 'c', function: { arguments: '{}' } }, { id: 'd', custom: { name: 'p', input: 'x' } },
    ] } }] });
    expect(ir.parts).to.deep.equal([
      { type: 'tool_call', id: 'call_0', name: 'sh', arguments: '{}' },
      { type: 'tool_call', id: 'c', name: '', arguments: '{}' },
      { type: 'tool_call', id: 'd', name: 'p', arguments: '{"input":"x"}' },
    ]);
    expect(() => codecFor('openai.chat')!.decodeRequest({ messages: [{ role: 'assistant', tool_calls: [{ type: 'function', function: { name: 'sh', arguments: '{}' } }] }] }, 'm', false))
      .to.throw(/id is required/);
  });

  it('Chat streams: a delta is read as a piece of a message — details over reasoning, refusal, calls by index', async () => {
    const chunk = (delta: JsonObject, finish: string | null = null): StreamEvent => ({ data: { id: 'x', model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] } });
    async function* events(): AsyncIterable<StreamEvent> {
      yield chunk({ role: 'assistant', reasoning: 'plan', reasoning_details: [{ type: 'reasoning.text', text: 'plan', signature: 'S' }, { type: 'reasoning.encrypted', data: 'R' }] });
      yield chunk({ reasoning_content: 'more' });
      yield chunk({ content: 'hi', refusal: 'no' });
      yield chunk({ tool_calls: [{ index: 1, id: 'c1', type: 'function', function: { name: 'sh', arguments: '{"a"' } }] });
      yield chunk({ tool_calls: [{ index: 1, function: { arguments: ':1}' } }] }, 'tool_calls');
    }
    const out: IrStreamEvent[] = [];
    for await (const ev of codecFor('openai.chat')!.decodeStream(events())) out.push(ev);
    expect(out).to.deep.equal([
      { type: 'start', id: 'x', model: 'm' },
      { type: 'thinking_delta', text: 'plan' }, { type: 'thinking_signature', signature: 'S' }, { type: 'redacted_thinking', data: 'R' },
      { type: 'thinking_delta', text: 'more' },
      { type: 'text_delta', text: 'hi' }, { type: 'text_delta', text: 'no' },
      { type: 'tool_call_start', index: 0, id: 'c1', name: 'sh' }, { type: 'tool_call_delta', index: 0, arguments: '{"a"' },
      { type: 'tool_call_delta', index: 0, arguments: ':1}' },
      { type: 'finish', stopReason: 'tool_use' },
    ]);
  });
});
