// Restore into an answer the client asked to be JSON (JSON mode, structured output): the answer's
// text is JSON, so a restored value with a quote, a backslash or a line break must be escaped there,
// as in tool arguments — or the client's JSON.parse of the answer fails. Through the real gateway,
// redact mode, the loopback model answering the schema's `enum` value, which the firewall replaced by
// the placeholder of the private key the prompt holds; every protocol, JSON and streamed.
import { expect } from 'chai';
import type { JsonObject } from '../../../core/index.js';
import { config, startGateway, type TestGateway } from '../../helpers/gateway.js';
import { parseSse, streamedText, type GenProtocol } from './chain-helpers.js';

const BODY = 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0\nRKb3cQeA8lQ0Ye0S3vRmL4jT5t2zDxqZ8kG0p7n3wqE5b9xR6yNwHf2mKc1uJ4sLdV8tPzAeGh9iQ';
const PEM = `-----BEGIN RSA PRIVATE KEY-----\n${BODY}\n-----END RSA PRIVATE KEY-----`;
const SCHEMA = { type: 'object', properties: { key: { type: 'string', enum: [PEM] } }, required: ['key'], additionalProperties: false };
const PROMPT = `Which key is this?\n${PEM}`;

function request(p: GenProtocol, stream: boolean, mode: 'schema' | 'json_object' = 'schema'): { path: string; body: JsonObject; headers: Record<string, string> } {
  switch (p) {
    case 'openai.chat': return {
      path: '/v1/chat/completions', headers: {},
      body: { model: 'loopback', stream, messages: [{ role: 'user', content: PROMPT }], response_format: mode === 'schema' ? { type: 'json_schema', json_schema: { name: 'k', strict: true, schema: SCHEMA } } : { type: 'json_object' } },
    };
    case 'openai.responses': return {
      path: '/v1/responses', headers: {},
      body: { model: 'loopback', stream, input: PROMPT, text: { format: mode === 'schema' ? { type: 'json_schema', name: 'k', strict: true, schema: SCHEMA } : { type: 'json_object' } } },
    };
    case 'anthropic.messages': return {
      path: '/v1/messages', headers: { 'anthropic-version': '2023-06-01' },
      body: { model: 'loopback', stream, max_tokens: 512, messages: [{ role: 'user', content: PROMPT }], output_config: { format: { type: 'json_schema', schema: SCHEMA } } },
    };
    case 'gemini.generate': return {
      path: `/v1beta/models/loopback:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`, headers: {},
      body: { contents: [{ role: 'user', parts: [{ text: PROMPT }] }], generationConfig: { responseMimeType: 'application/json', responseJsonSchema: SCHEMA } },
    };
  }
}

/** The answer's text, from a JSON body of each protocol. */
function answerText(p: GenProtocol, body: JsonObject): string {
  const b = body as Record<string, never>;
  switch (p) {
    case 'openai.chat': return (b['choices'] as { message: { content: string } }[])[0]!.message.content;
    case 'openai.responses': return (b['output'] as { type: string; content?: { text: string }[] }[]).find((i) => i.type === 'message')!.content![0]!.text;
    case 'anthropic.messages': return (b['content'] as { type: string; text: string }[]).find((c) => c.type === 'text')!.text;
    case 'gemini.generate': return (b['candidates'] as { content: { parts: { text: string }[] } }[])[0]!.content.parts.map((x) => x.text).join('');
  }
}

describe('firewall restore into JSON answers (JSON mode, structured output)', () => {
  let g: TestGateway;
  before(async () => {
    g = await startGateway(config({ chain: '  - use: firewall\n    with: { mode: redact }\n  - use: router\n    with: { default: local }\n  - use: translator' }));
  });
  after(async () => { await g.close(); });

  async function send(p: GenProtocol, stream: boolean, mode: 'schema' | 'json_object' = 'schema'): Promise<string> {
    const { path, body, headers } = request(p, stream, mode);
    const res = await fetch(`${g.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const text = await res.text();
    expect(res.status, text).to.equal(200);
    expect(res.headers.get('x-sluice-firewall')).to.contain('PRIVATE_KEY');
    return stream ? streamedText(p, await parseSse(text)) : answerText(p, JSON.parse(text) as JsonObject);
  }

  for (const p of ['openai.chat', 'openai.responses', 'anthropic.messages', 'gemini.generate'] as GenProtocol[]) {
    for (const stream of [false, true]) {
      it(`${p}${stream ? ', streamed' : ''}: the answer parses, with the key in it`, async () => {
        const answer = await send(p, stream);
        expect(JSON.parse(answer)).to.deep.equal({ key: PEM });
      });
    }
  }

  it('an answer not asked to be JSON gets the value as it is', async () => {
    const res = await fetch(`${g.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: PROMPT }] }),
    });
    const body = await res.json() as JsonObject;
    expect(answerText('openai.chat', body)).to.contain(PEM);
  });
});
