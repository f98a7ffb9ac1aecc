// The view's unreadable(): content-bearing fields holding a type the protocol does not allow there,
// which the view skips (so nothing in them is a segment). Absent and null fields, and the types each
// protocol does allow (null content beside tool calls, token ids for embeddings), are not listed.
import { expect } from 'chai';
import { createRequestView } from '../../core/protocols/view/index.js';
import { parseProtocolName, type JsonObject, type ProtocolName } from '../../core/protocols/types.js';

const S = 'my key is sk-proj-abc';

function unreadable(protocol: ProtocolName, body: JsonObject): unknown[] {
  return createRequestView(parseProtocolName(protocol), body).unreadable().map((f) => f.path);
}

const CASES: { protocol: ProtocolName; body: JsonObject; paths: unknown[] }[] = [
  { protocol: 'openai.chat', body: { messages: S }, paths: [['messages']] },
  {
    protocol: 'openai.chat',
    body: { messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: { k: S } } }] }, { role: 'user', content: { text: S } }, S, { role: 'user', content: [S, { type: 'text', text: 7 }] }] },
    paths: [['messages', 1, 'tool_calls', 0, 'function', 'arguments'], ['messages', 2, 'content'], ['messages', 3], ['messages', 4, 'content', 0], ['messages', 4, 'content', 1, 'text']],
  },
  { protocol: 'openai.chat', body: { messages: [{ role: 'assistant', content: 'x', refusal: 1, tool_calls: { id: 'a' } }], prediction: { type: 'content', content: { S } } }, paths: [['messages', 0, 'refusal'], ['messages', 0, 'tool_calls'], ['prediction', 'content']] },
  { protocol: 'openai.responses', body: { instructions: [S], input: { role: 'user', content: S } }, paths: [['instructions'], ['input']] },
  {
    protocol: 'openai.responses',
    body: { input: [{ role: 'user', content: { text: S } }, 5, { type: 'function_call_output', call_id: 'x', output: { o: S } }, { type: 'function_call', call_id: 'y', name: 'f', arguments: { a: S } }] },
    paths: [['input', 0, 'content'], ['input', 1], ['input', 2, 'output'], ['input', 3, 'arguments']],
  },
  { protocol: 'openai.embeddings', body: { input: [[1, 2], 3, 'ok', [S], { t: S }] }, paths: [['input', 3], ['input', 4]] },
  { protocol: 'openai.embeddings', body: { input: { t: S } }, paths: [['input']] },
  { protocol: 'anthropic.messages', body: { system: { text: S }, messages: { role: 'user', content: S } }, paths: [['system'], ['messages']] },
  {
    protocol: 'anthropic.messages',
    body: { messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: S }, { type: 'text', text: 7 }, { type: 'thinking', thinking: { S }, signature: 's' }] }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: { k: S } }] }, { role: 'user', content: 42 }] },
    paths: [['messages', 0, 'content', 0, 'input'], ['messages', 0, 'content', 1, 'text'], ['messages', 0, 'content', 2, 'thinking'], ['messages', 1, 'content', 0, 'content'], ['messages', 2, 'content']],
  },
  { protocol: 'anthropic.count_tokens', body: { system: [S], messages: [S] }, paths: [['system', 0], ['messages', 0]] },
  { protocol: 'gemini.generate', body: { systemInstruction: { parts: S }, contents: { parts: [{ text: S }] } }, paths: [['systemInstruction', 'parts'], ['contents']] },
  {
    protocol: 'gemini.generate',
    body: { contents: [{ parts: S }, { parts: [{ text: { k: S } }, { functionCall: { name: 'f', args: S } }, { functionResponse: { name: 'f', response: S } }, S, { function_call: S }] }] },
    paths: [['contents', 0, 'parts'], ['contents', 1, 'parts', 0, 'text'], ['contents', 1, 'parts', 1, 'functionCall', 'args'], ['contents', 1, 'parts', 2, 'functionResponse', 'response'], ['contents', 1, 'parts', 3], ['contents', 1, 'parts', 4, 'function_call']],
  },
  { protocol: 'gemini.count_tokens', body: { generateContentRequest: S }, paths: [['generateContentRequest']] },
  { protocol: 'gemini.count_tokens', body: { generateContentRequest: { contents: [{ parts: [S] }] } }, paths: [['generateContentRequest', 'contents', 0, 'parts', 0]] },
  { protocol: 'gemini.embed', body: { content: S, title: 5 }, paths: [['content'], ['title']] },
  { protocol: 'gemini.embed', body: { requests: { content: { parts: [{ text: S }] } } }, paths: [['requests']] },
  { protocol: 'gemini.embed', body: { requests: [{ content: { parts: { text: S } } }, S] }, paths: [['requests', 0, 'content', 'parts'], ['requests', 1]] },
];

const WELL_FORMED: { protocol: ProtocolName; body: JsonObject }[] = [
  { protocol: 'openai.chat', body: { messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } }] }, { role: 'tool', tool_call_id: 'a', content: [{ type: 'text', text: 'r' }, { type: 'image_url', image_url: { url: 'data:x' } }] }] } },
  { protocol: 'openai.chat', body: { model: 'm' } },
  { protocol: 'openai.responses', body: { instructions: null, input: [{ role: 'user', content: [{ type: 'input_text', text: 'x' }] }, { type: 'reasoning', summary: [], encrypted_content: 'e' }, { type: 'item_reference', id: 'i' }] } },
  { protocol: 'openai.embeddings', body: { input: [[1, 2], [3]] } },
  { protocol: 'openai.embeddings', body: { input: [1, 2, 3] } },
  { protocol: 'anthropic.messages', body: { system: [{ type: 'text', text: 's' }], messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't' }, { type: 'image', source: { type: 'base64', data: 'x', media_type: 'image/png' } }] }] } },
  { protocol: 'gemini.generate', body: { systemInstruction: 'be brief', contents: [{ role: 'model', parts: [{ functionCall: { name: 'f', args: {} }, thoughtSignature: 's' }] }, { role: 'user', parts: [{ functionResponse: { name: 'f', response: { output: 'x' } } }, { inlineData: { mimeType: 'image/png', data: 'x' } }] }] } },
  { protocol: 'gemini.embed', body: { requests: [{ content: { parts: [{ text: 'a' }] }, title: 't' }] } },
];

describe('protocol view: fields it cannot read', () => {
  for (const c of CASES) {
    it(`${c.protocol}: ${c.paths.map((p) => (p as unknown[]).join('.')).join(', ')}`, () => {
      expect(unreadable(c.protocol, structuredClone(c.body))).to.deep.equal(c.paths);
    });
  }

  it('hands over what each field holds (for the caller to measure), and none of it is a segment', () => {
    const view = createRequestView(parseProtocolName('openai.chat'), { messages: [{ role: 'user', content: { text: S } }] });
    expect(view.unreadable()).to.deep.equal([{ path: ['messages', 0, 'content'], value: { text: S } }]);
    expect(view.segments()).to.have.length(0);
  });

  for (const c of WELL_FORMED) {
    it(`${c.protocol}: a well-formed body lists none (${JSON.stringify(c.body).slice(0, 60)}…)`, () => {
      expect(unreadable(c.protocol, structuredClone(c.body))).to.deep.equal([]);
    });
  }

  it('the tool history alone (no segments asked for) is read as before', () => {
    const view = createRequestView(parseProtocolName('anthropic.messages'), { messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: S }] }] });
    expect(view.toolCalls().map((c) => c.name)).to.deep.equal(['f']);
    expect(view.unreadable().map((f) => f.path)).to.deep.equal([['messages', 0, 'content', 0, 'input']]);
  });
});
