// The firewall on every endpoint: monitor sends the client's exact bytes upstream and adds the
// summary header; enforce and redact cover embeddings and count-tokens bodies too.
import { expect } from 'chai';
import type { TestGateway } from '../helpers/gateway.js';
import { anthropicClient, errorStatus, genaiClient, openaiClient } from '../helpers/translation-rig.js';
import { exactModel, leaked, modelFor, startFirewallRig, type FirewallRig } from './firewall-rig.js';

const EMAIL = 'ann.lee@corp-mail.io';
const AWS_KEY = 'AKIAZ3MJQX7TNVB4KWPQ';
const VALUES = [EMAIL, AWS_KEY];

/** Bodies with odd spacing, key order and \u escapes: only the client's own bytes match them. */
const RAW: { name: string; path: string; body: string; headers?: Record<string, string> }[] = [
  { name: 'chat', path: '/v1/chat/completions', body: `{ "messages" : [{"role":"system","content":"key ${AWS_KEY}"},{"role":"user","content":"mail ${EMAIL} caf\\u00e9"}],"model":"${exactModel('openai.chat')}" }` },
  { name: 'chat, streamed', path: '/v1/chat/completions', body: `{"model":"${exactModel('openai.chat')}","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"mail ${EMAIL}"}]}` },
  { name: 'responses', path: '/v1/responses', body: `{"model":"${exactModel('openai.responses')}",  "instructions":"key ${AWS_KEY}","input":[{"role":"user","content":[{"type":"input_text","text":"mail ${EMAIL}"}]}]}` },
  { name: 'responses, streamed', path: '/v1/responses', body: `{"model":"${exactModel('openai.responses')}","stream":true,"input":"mail ${EMAIL}"}` },
  { name: 'messages', path: '/v1/messages', headers: { 'anthropic-version': '2023-06-01' }, body: `{"model":"${exactModel('anthropic.messages')}","max_tokens":64,"system":[{"type":"text","text":"key ${AWS_KEY}"}],"messages":[{"role":"user","content":"mail ${EMAIL}"}]}` },
  { name: 'messages, streamed', path: '/v1/messages', headers: { 'anthropic-version': '2023-06-01' }, body: `{"stream":true,"model":"${exactModel('anthropic.messages')}","max_tokens":64,"messages":[{"role":"user","content":[{"type":"text","text":"mail ${EMAIL}"}]}]}` },
  { name: 'count_tokens', path: '/v1/messages/count_tokens', headers: { 'anthropic-version': '2023-06-01' }, body: `{"model":"${exactModel('anthropic.messages')}","messages":[{"role":"user","content":"mail ${EMAIL}"}]}` },
  { name: 'gemini generate', path: `/v1beta/models/${exactModel('gemini.generate')}:generateContent`, body: `{"systemInstruction":{"parts":[{"text":"key ${AWS_KEY}"}]},"contents":[{"role":"user","parts":[{"text":"mail ${EMAIL}"}]}]}` },
  { name: 'gemini stream', path: `/v1beta/models/${exactModel('gemini.generate')}:streamGenerateContent?alt=sse`, body: `{"contents":[{"role":"user","parts":[{"text":"mail ${EMAIL}"}]}]}` },
  { name: 'embeddings', path: '/v1/embeddings', body: `{"input":["plain","mail ${EMAIL}"],"model":"exact-embed-openai"}` },
  { name: 'gemini embedContent', path: '/v1beta/models/exact-embed-gemini:embedContent', body: `{"content":{"parts":[{"text":"mail ${EMAIL}"}]}}` },
  { name: 'gemini countTokens', path: `/v1beta/models/${exactModel('gemini.generate')}:countTokens`, body: `{"contents":[{"parts":[{"text":"mail ${EMAIL}"}]}]}` },
];

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer client-key', ...headers }, body });
}

describe('firewall on every endpoint', () => {
  let rig: FirewallRig;
  const gateways: TestGateway[] = [];
  before(async () => { rig = await startFirewallRig(); });
  after(async () => {
    for (const gw of gateways) for (const line of gw.logs) expect(leaked(line, VALUES), line.slice(0, 200)).to.deep.equal([]);
    await rig.close();
  });

  describe('monitor changes no byte', () => {
    let gw: TestGateway;
    before(async () => { gw = await rig.gateway('{ mode: monitor, output: { mode: monitor } }'); gateways.push(gw); });
    for (const raw of RAW) {
      it(`${raw.name}: the provider receives the client's exact bytes; the answer carries the summary header`, async () => {
        const from = rig.proxy.requests.length;
        const res = await post(`${gw.url}${raw.path}`, raw.body, raw.headers);
        const text = await res.text();
        expect(res.status, text).to.equal(200);
        const seen = rig.proxy.requests.slice(from);
        expect(seen).to.have.length(1);
        expect(seen[0]!.body).to.equal(raw.body);
        const expected = raw.body.includes(AWS_KEY) ? 'AWS_ACCESS_KEY_ID=1,EMAIL_ADDRESS=1' : 'EMAIL_ADDRESS=1';
        expect(res.headers.get('x-sluice-firewall')).to.equal(expected);
      });
    }
    it('a request without findings gets no header', async () => {
      const res = await post(`${gw.url}/v1/chat/completions`, JSON.stringify({ model: exactModel('openai.chat'), messages: [{ role: 'user', content: 'hello' }] }));
      expect(res.status).to.equal(200);
      expect(res.headers.get('x-sluice-firewall')).to.equal(null);
    });
  });

  describe('redact covers embeddings and count-tokens bodies', () => {
    let gw: TestGateway;
    before(async () => { gw = await rig.gateway('{ mode: redact }'); gateways.push(gw); });

    it('OpenAI embeddings (string and list input)', async () => {
      const from = rig.proxy.requests.length;
      const client = openaiClient(gw.url);
      const one = await client.embeddings.create({ model: 'embed-via-openai', input: `mail ${EMAIL}` });
      const many = await client.embeddings.create({ model: 'embed-via-openai', input: ['plain', `key ${AWS_KEY}`, `mail ${EMAIL}`] });
      expect(one.data).to.have.length(1);
      expect(many.data).to.have.length(3);
      const seen = rig.proxy.requests.slice(from);
      expect(seen).to.have.length(2);
      for (const r of seen) expect(leaked(r.body, VALUES)).to.deep.equal([]);
      expect(JSON.parse(seen[1]!.body).input).to.deep.equal(['plain', 'key [AWS_ACCESS_KEY_ID_1]', 'mail [EMAIL_ADDRESS_1]']);
    });

    it('Gemini embedContent and batchEmbedContents', async () => {
      const from = rig.proxy.requests.length;
      const ai = genaiClient(gw.url);
      const one = await ai.models.embedContent({ model: 'embed-via-gemini', contents: `mail ${EMAIL}` });
      const many = await ai.models.embedContent({ model: 'embed-via-gemini', contents: [`key ${AWS_KEY}`, `mail ${EMAIL}`] });
      expect(one.embeddings).to.have.length(1);
      expect(many.embeddings).to.have.length(2);
      const seen = rig.proxy.requests.slice(from);
      expect(seen.length).to.be.greaterThan(1);
      for (const r of seen) expect(leaked(r.body, VALUES), r.body).to.deep.equal([]);
    });

    it('Anthropic count_tokens with a system prompt, tool use and tool result', async () => {
      const from = rig.proxy.requests.length;
      const client = anthropicClient(gw.url);
      const count = await client.messages.countTokens({
        model: modelFor('anthropic.messages'),
        system: `key ${AWS_KEY}`,
        messages: [
          { role: 'user', content: `mail ${EMAIL}` },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { who: EMAIL } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: `found ${EMAIL}` }] }] },
        ],
        tools: [{ name: 'lookup', input_schema: { type: 'object', properties: { who: { type: 'string' } } } }],
      });
      expect(count.input_tokens).to.be.greaterThan(0);
      const seen = rig.proxy.requests.slice(from);
      expect(seen).to.have.length(1);
      expect(leaked(seen[0]!.body, VALUES)).to.deep.equal([]);
      expect(seen[0]!.body).to.contain('"who":"[EMAIL_ADDRESS_1]"').and.contain('found [EMAIL_ADDRESS_1]');
    });

    it('Gemini countTokens', async () => {
      const from = rig.proxy.requests.length;
      const ai = genaiClient(gw.url);
      const count = await ai.models.countTokens({ model: modelFor('gemini.generate'), contents: `mail ${EMAIL} key ${AWS_KEY}` });
      expect(count.totalTokens).to.be.greaterThan(0);
      const seen = rig.proxy.requests.slice(from);
      expect(seen).to.have.length(1);
      expect(leaked(seen[0]!.body, VALUES)).to.deep.equal([]);
    });
  });

  describe('enforce refuses embeddings and count-tokens bodies too', () => {
    let gw: TestGateway;
    before(async () => { gw = await rig.gateway('{ mode: enforce }'); gateways.push(gw); });
    const refusals: [string, (url: string) => Promise<unknown>][] = [
      ['OpenAI embeddings', (url) => openaiClient(url).embeddings.create({ model: 'embed-via-openai', input: ['ok', `mail ${EMAIL}`] })],
      ['Gemini embedContent', (url) => genaiClient(url).models.embedContent({ model: 'embed-via-gemini', contents: `mail ${EMAIL}` })],
      ['Anthropic count_tokens', (url) => anthropicClient(url).messages.countTokens({ model: modelFor('anthropic.messages'), messages: [{ role: 'user', content: `mail ${EMAIL}` }] })],
      ['Gemini countTokens', (url) => genaiClient(url).models.countTokens({ model: modelFor('gemini.generate'), contents: `mail ${EMAIL}` })],
    ];
    for (const [name, call] of refusals) {
      it(name, async () => {
        const from = rig.proxy.requests.length;
        let error: unknown;
        try { await call(gw.url); } catch (err) { error = err; }
        expect(errorStatus(error), String(error)).to.equal(400);
        expect(String((error as Error).message)).to.contain('found EMAIL_ADDRESS');
        expect(rig.proxy.requests.length).to.equal(from);
      });
    }

    it('the refusal is each family\'s envelope and carries the summary header', async () => {
      const chat = await post(`${gw.url}/v1/chat/completions`, JSON.stringify({ model: modelFor('openai.chat'), messages: [{ role: 'user', content: `mail ${EMAIL}` }] }));
      expect(chat.status).to.equal(400);
      expect(chat.headers.get('x-sluice-firewall')).to.equal('EMAIL_ADDRESS=1');
      expect(await chat.json()).to.deep.equal({ error: { message: 'request blocked by the prompt firewall: found EMAIL_ADDRESS', type: 'invalid_request_error', param: 'messages[0].content', code: 'SLUICE_E_FIREWALL_BLOCKED' } });
      const messages = await post(`${gw.url}/v1/messages`, JSON.stringify({ model: modelFor('anthropic.messages'), max_tokens: 10, messages: [{ role: 'user', content: `mail ${EMAIL}` }] }), { 'anthropic-version': '2023-06-01' });
      expect(await messages.json()).to.deep.equal({ type: 'error', error: { type: 'invalid_request_error', message: 'request blocked by the prompt firewall: found EMAIL_ADDRESS' } });
      const gemini = await post(`${gw.url}/v1beta/models/${modelFor('gemini.generate')}:generateContent`, JSON.stringify({ contents: [{ parts: [{ text: `mail ${EMAIL}` }] }] }));
      expect(await gemini.json()).to.deep.equal({ error: { code: 400, message: 'request blocked by the prompt firewall: found EMAIL_ADDRESS', status: 'INVALID_ARGUMENT' } });
    });
  });
});
