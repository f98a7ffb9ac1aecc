// Tool definitions: a value redacted elsewhere in the request is replaced inside tool and parameter
// descriptions too, in every protocol; a value only a description holds is neither reported nor
// changed (descriptions are the application's text), and monitor sends the client's bytes.
import { expect } from 'chai';
import { runPlugin, type RunResult } from '../../../core/testing/index.js';
import type { JsonObject } from '../../../core/index.js';
import firewall from '../../../plugins/firewall/index.js';

const OPS = 'ops@acme-corp.io';
const EXAMPLE = 'noreply@example-vendor.io';

const schema = { type: 'object', properties: { to: { type: 'string', description: `defaults to ${OPS}` }, cc: { type: 'array', items: { type: 'string', description: `e.g. ${OPS}` } } } };

const CASES: { name: string; path: string; headers?: Record<string, string>; body: JsonObject; answer: JsonObject }[] = [
  {
    name: 'Chat',
    path: '/v1/chat/completions',
    body: { model: 'm', messages: [{ role: 'system', content: `Escalate to ${OPS}` }, { role: 'user', content: 'hi' }], tools: [{ type: 'function', function: { name: 'page', description: `Pages ${OPS}; commits as ${EXAMPLE}`, parameters: schema } }] },
    answer: { id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] },
  },
  {
    name: 'Responses',
    path: '/v1/responses',
    body: { model: 'm', instructions: `Escalate to ${OPS}`, input: 'hi', tools: [{ type: 'function', name: 'page', description: `Pages ${OPS}; commits as ${EXAMPLE}`, parameters: schema }] },
    answer: { id: 'r', object: 'response', created_at: 1, status: 'completed', model: 'm', output: [] },
  },
  {
    name: 'Anthropic',
    path: '/v1/messages',
    headers: { 'anthropic-version': '2023-06-01' },
    body: { model: 'm', max_tokens: 10, system: `Escalate to ${OPS}`, messages: [{ role: 'user', content: 'hi' }], tools: [{ name: 'page', description: `Pages ${OPS}; commits as ${EXAMPLE}`, input_schema: schema }] },
    answer: { id: 'msg', type: 'message', role: 'assistant', model: 'm', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } },
  },
  {
    name: 'Gemini',
    path: '/v1beta/models/m:generateContent',
    body: { systemInstruction: { parts: [{ text: `Escalate to ${OPS}` }] }, contents: [{ role: 'user', parts: [{ text: 'hi' }] }], tools: [{ functionDeclarations: [{ name: 'page', description: `Pages ${OPS}; commits as ${EXAMPLE}`, parameters: schema }] }] },
    answer: { candidates: [{ content: { role: 'model', parts: [{ text: 'ok' }] }, finishReason: 'STOP', index: 0 }] },
  },
  // countTokens wrapping a generate request, in both spellings the Gemini API accepts.
  ...(['generateContentRequest', 'generate_content_request'] as const).map((key) => ({
    name: `Gemini countTokens (${key})`,
    path: '/v1beta/models/m:countTokens',
    body: { [key]: { model: 'models/m', systemInstruction: { parts: [{ text: `Escalate to ${OPS}` }] }, contents: [{ role: 'user', parts: [{ text: 'hi' }] }], tools: [{ functionDeclarations: [{ name: 'page', description: `Pages ${OPS}; commits as ${EXAMPLE}`, parameters: schema }] }] } },
    answer: { totalTokens: 5 },
  })),
];

async function run(c: (typeof CASES)[number], options: unknown): Promise<RunResult> {
  return runPlugin(firewall, { path: c.path, headers: c.headers, body: structuredClone(c.body), options, upstream: { json: c.answer } });
}

describe('firewall and tool definitions', () => {
  for (const c of CASES) {
    it(`${c.name}: a value redacted in the prompt is replaced in tool and parameter descriptions`, async () => {
      const r = await run(c, { mode: 'redact' });
      expect(r.status).to.equal(200);
      const sent = JSON.stringify(r.upstreamRequests[0]!.body);
      expect(sent).not.to.contain(OPS);
      expect(sent).to.contain('Pages [EMAIL_ADDRESS_1]; commits as').and.contain('defaults to [EMAIL_ADDRESS_1]').and.contain('e.g. [EMAIL_ADDRESS_1]');
      // Only in a description: the application's own example, not looked for.
      expect(sent).to.contain(EXAMPLE);
      expect(r.exchange.findings.map((f) => [f.type, f.count])).to.deep.equal([['EMAIL_ADDRESS', 1]]);
    });
  }

  it('a value redacted in the prompt is replaced in schema enum, const, default and examples; the model\'s call with the placeholder comes back as the value', async () => {
    const recipients = { type: 'object', properties: {
      to: { type: 'string', enum: [OPS, 'desk@acme-corp.io'], default: OPS },
      cc: { type: 'array', items: { type: 'string', const: OPS }, examples: [[OPS]] },
      meta: { type: 'object', examples: [{ owner: OPS }] },
      default: { type: 'string', description: 'a property named like a keyword' },
    } };
    const answer = { id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'send', arguments: '{"to":"[EMAIL_ADDRESS_1]"}' } }] }, finish_reason: 'tool_calls' }] };
    const r = await runPlugin(firewall, {
      path: '/v1/chat/completions', options: { mode: 'redact' }, upstream: { json: answer },
      body: { model: 'm', messages: [{ role: 'user', content: `Write to ${OPS}` }], tools: [{ type: 'function', function: { name: 'send', parameters: recipients } }] },
    });
    const sent = JSON.stringify(r.upstreamRequests[0]!.body);
    expect(sent).not.to.contain(OPS);
    expect(sent).to.contain('"enum":["[EMAIL_ADDRESS_1]","desk@acme-corp.io"],"default":"[EMAIL_ADDRESS_1]"')
      .and.contain('"const":"[EMAIL_ADDRESS_1]"').and.contain('"examples":[["[EMAIL_ADDRESS_1]"]]').and.contain('{"owner":"[EMAIL_ADDRESS_1]"}')
      .and.contain('"default":{"type":"string","description":"a property named like a keyword"}');
    const call = (r.json as { choices: { message: { tool_calls: { function: { arguments: string } }[] } }[] }).choices[0]!.message.tool_calls[0]!;
    expect(JSON.parse(call.function.arguments)).to.deep.equal({ to: OPS });
  });

  it('a value redacted in the prompt is replaced in the structured-output schema of every protocol', async () => {
    const answerSchema = { type: 'object', properties: { owner: { type: 'string', enum: [OPS, 'desk@acme-corp.io'], description: `usually ${OPS}` } } };
    const cases: { path: string; headers?: Record<string, string>; body: JsonObject }[] = [
      { path: '/v1/chat/completions', body: { model: 'm', messages: [{ role: 'user', content: `Who is ${OPS}?` }], response_format: { type: 'json_schema', json_schema: { name: 'owner', schema: answerSchema } } } },
      { path: '/v1/responses', body: { model: 'm', input: `Who is ${OPS}?`, text: { format: { type: 'json_schema', name: 'owner', schema: answerSchema } } } },
      { path: '/v1/messages', headers: { 'anthropic-version': '2023-06-01' }, body: { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: `Who is ${OPS}?` }], output_config: { format: { type: 'json_schema', schema: answerSchema } } } },
      { path: '/v1beta/models/m:generateContent', body: { contents: [{ role: 'user', parts: [{ text: `Who is ${OPS}?` }] }], generationConfig: { responseMimeType: 'application/json', responseJsonSchema: answerSchema } } },
      { path: '/v1beta/models/m:generateContent', body: { contents: [{ role: 'user', parts: [{ text: `Who is ${OPS}?` }] }], generation_config: { response_mime_type: 'application/json', response_schema: answerSchema } } },
    ];
    for (const c of cases) {
      const r = await runPlugin(firewall, { path: c.path, headers: c.headers, body: c.body, options: { mode: 'redact' }, upstream: { json: {} } });
      const sent = JSON.stringify(r.upstreamRequests[0]!.body);
      expect(sent, c.path).not.to.contain(OPS);
      expect(sent, c.path).to.contain('"enum":["[EMAIL_ADDRESS_1]","desk@acme-corp.io"]').and.contain('usually [EMAIL_ADDRESS_1]');
    }
  });

  it('enforce does not block on a value only a tool description holds; monitor sends the bytes as they came', async () => {
    const chat = CASES[0]!;
    const body = structuredClone(chat.body);
    (body['messages'] as JsonObject[])[0]!['content'] = 'Be brief.';
    const enforced = await runPlugin(firewall, { path: chat.path, body, options: { mode: 'enforce' }, upstream: { json: chat.answer } });
    expect(enforced.status).to.equal(200);
    expect(enforced.exchange.findings).to.deep.equal([]);
    const monitored = await run(chat, { mode: 'monitor' });
    expect(monitored.upstreamRequests[0]!.bytes?.toString()).to.equal(JSON.stringify(chat.body));
  });
});
