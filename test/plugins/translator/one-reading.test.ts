// The translator's request decoders and core's protocol view read conversations through the same
// per-protocol readers (core/protocols/view/request-*.ts): what one calls a tool call, a tool result,
// an error or reasoning, the other does too. Each conversation below holds the cases where the two
// once disagreed (Chat custom and legacy calls, refusals, Gemini system_instruction and error
// results, Anthropic redacted thinking).
import { expect } from 'chai';
import { createRequestView, parseProtocolName, type JsonObject, type ProtocolName } from '../../../core/index.js';
import { codecFor } from '../../../plugins/translator/codecs.js';
import type { IrPart } from '../../../plugins/translator/ir.js';

const CONVERSATIONS: Partial<Record<ProtocolName, JsonObject>> = {
  'openai.chat': { model: 'm', messages: [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: [{ type: 'text', text: 'go' }] },
    { role: 'assistant', content: null, refusal: 'no', reasoning_content: 'plan', reasoning_details: [{ type: 'reasoning.text', text: 'plan', signature: 'S' }], tool_calls: [
      { id: 'c1', type: 'function', function: { name: 'sh', arguments: '{"cmd":"ls"}' } },
      { id: 'c2', type: 'custom', custom: { name: 'apply_patch', input: '*** Begin Patch' } },
    ] },
    { role: 'tool', tool_call_id: 'c1', content: [{ type: 'text', text: 'a.txt' }] },
    { role: 'tool', tool_call_id: 'c2', content: 'done' },
    { role: 'assistant', content: null, function_call: { name: 'legacy', arguments: '{}' } },
    { role: 'function', name: 'legacy', content: 'ok' },
  ] },
  'openai.responses': { model: 'm', instructions: 'be brief', input: [
    { role: 'user', content: 'go' },
    { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'plan' }], encrypted_content: 'E' },
    { type: 'function_call', call_id: 'c1', name: 'sh', arguments: '{"cmd":"ls"}' },
    { type: 'custom_tool_call', call_id: 'c2', name: 'apply_patch', input: '*** Begin Patch' },
    { type: 'function_call_output', call_id: 'c1', output: [{ type: 'input_text', text: 'a.txt' }] },
    { type: 'custom_tool_call_output', call_id: 'c2', output: 'done' },
  ] },
  'anthropic.messages': { model: 'm', max_tokens: 10, system: [{ type: 'text', text: 'be brief' }], messages: [
    { role: 'user', content: 'go' },
    { role: 'assistant', content: [
      { type: 'thinking', thinking: 'plan', signature: 'S' }, { type: 'redacted_thinking', data: 'R' },
      { type: 'tool_use', id: 'c1', name: 'sh', input: { cmd: 'ls' } }, { type: 'tool_use', id: 'c2', name: 'sh', input: { cmd: 'rm' } },
    ] },
    { role: 'user', content: [
      { type: 'tool_result', tool_use_id: 'c1', content: [{ type: 'text', text: 'a.txt' }] },
      { type: 'tool_result', tool_use_id: 'c2', is_error: true, content: 'denied' },
    ] },
  ] },
  'gemini.generate': { system_instruction: { parts: [{ text: 'be brief' }] }, contents: [
    { role: 'user', parts: [{ text: 'go' }] },
    { role: 'model', parts: [{ text: 'plan', thought: true, thoughtSignature: 'S' }, { functionCall: { id: 'c1', name: 'sh', args: { cmd: 'ls' } } }, { functionCall: { id: 'c2', name: 'sh', args: { cmd: 'rm' } } }] },
    { role: 'user', parts: [
      { functionResponse: { id: 'c1', name: 'sh', response: { output: 'a.txt' } } },
      { functionResponse: { id: 'c2', name: 'sh', response: { error: 'denied' } } },
    ] },
  ] },
};

const irParts = (ir: { messages: { parts: IrPart[] }[] }): IrPart[] => ir.messages.flatMap((m) => m.parts);

describe('translator and protocol view: one reading of each request shape', () => {
  for (const [name, body] of Object.entries(CONVERSATIONS) as [ProtocolName, JsonObject][]) {
    it(`${name}: the same tool calls, results, error flags and signed reasoning`, () => {
      const ir = codecFor(name)!.decodeRequest(structuredClone(body), 'm', false);
      const view = createRequestView(parseProtocolName(name), structuredClone(body));
      const parts = irParts(ir);
      const calls = parts.filter((p) => p.type === 'tool_call');
      const results = parts.filter((p) => p.type === 'tool_result');
      expect(calls.map((c) => c.name)).to.deep.equal(view.toolCalls().map((c) => c.name));
      // Legacy Chat calls have no id on the wire: the translator mints one, the view says none.
      expect(calls.map((c) => (c.id.startsWith('call_legacy_') ? undefined : c.id))).to.deep.equal(view.toolCalls().map((c) => c.id));
      expect(results.map((r) => r.isError)).to.deep.equal(view.toolResults().map((r) => r.isError));
      expect(results.filter((r) => !r.callId.startsWith('call_legacy_')).map((r) => r.callId))
        .to.deep.equal(view.toolResults().map((r) => r.callId).filter((id) => id !== undefined));
      const signed = parts.flatMap((p) => (p.type === 'thinking' && p.signature !== undefined ? [p.signature] : p.type === 'redacted_thinking' ? [p.data] : []));
      expect(signed)
        .to.deep.equal(view.signatures().filter((s) => s.signs === 'reasoning').map((s) => s.value));
      expect(ir.system.map((s) => s.text)).to.deep.equal(view.segments().filter((s) => s.kind === 'system').map((s) => s.text));
    });
  }

  it('Chat: custom and legacy calls and refusals are tool calls and text to the view too', () => {
    const view = createRequestView(parseProtocolName('openai.chat'), structuredClone(CONVERSATIONS['openai.chat']!));
    expect(view.toolCalls().map((c) => [c.id, c.name, c.arguments])).to.deep.equal([
      ['c1', 'sh', '{"cmd":"ls"}'], ['c2', 'apply_patch', '*** Begin Patch'], [undefined, 'legacy', '{}'],
    ]);
    expect(view.segments().filter((s) => s.kind === 'assistant').map((s) => s.text)).to.deep.equal(['no']);
    expect(view.toolResults().map((r) => [r.callId, r.name, r.text])).to.deep.equal([['c1', undefined, 'a.txt'], ['c2', undefined, 'done'], [undefined, 'legacy', 'ok']]);
  });

  it('Gemini: a signature on a function response or media is listed by the view, and opens no thinking in the IR', () => {
    const body: JsonObject = { contents: [
      { role: 'model', parts: [{ text: 'a', thought: true }, { functionCall: { id: 'c', name: 'f', args: {} } }] },
      { role: 'user', parts: [{ functionResponse: { id: 'c', name: 'f', response: { output: 'x', error: 'e' } }, thoughtSignature: 'S' }, { inlineData: { mimeType: 'image/png', data: 'AA' }, thoughtSignature: 'T' }] },
    ] };
    const ir = codecFor('gemini.generate')!.decodeRequest(structuredClone(body), 'm', false);
    expect(ir.messages[1]!.parts.map((p) => p.type)).to.deep.equal(['tool_result', 'image']);
    const view = createRequestView(parseProtocolName('gemini.generate'), body);
    expect(view.signatures().map((s) => [s.signs, s.value])).to.deep.equal([['text', 'S'], ['text', 'T']]);
    // An error beside an output is an error, to both.
    expect(view.toolResults()[0]!.isError).to.equal(true);
    expect(ir.messages[1]!.parts[0]).to.deep.include({ isError: true, content: [{ type: 'text', text: 'e' }] });
  });

  it('Gemini: the translator reads system_instruction as the view does, and a response\'s output or error as its text', () => {
    const ir = codecFor('gemini.generate')!.decodeRequest(structuredClone(CONVERSATIONS['gemini.generate']!), 'm', false);
    expect(ir.system).to.deep.equal([{ type: 'text', text: 'be brief' }]);
    expect(ir.dropped).to.deep.equal([]);
    expect(irParts(ir).filter((p) => p.type === 'tool_result').map((r) => r.content)).to.deep.equal([
      [{ type: 'text', text: 'a.txt' }], [{ type: 'text', text: 'denied' }],
    ]);
  });
});
