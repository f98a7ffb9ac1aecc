// Bodies whose protocol containers have the wrong JSON type (`"messages": "…"`, a number for a
// content, an object for Gemini `contents`): the view cannot read them, so the firewall cannot scan
// them. Enforce and redact refuse them before any upstream call, in the client's envelope, naming the
// field; monitor sends them on as the client's bytes and says they went unscanned. The recording
// proxy is the judge of what the provider saw.
import { expect } from 'chai';
import type { TestGateway } from '../helpers/gateway.js';
import { exactModel, leaked, settle, startFirewallRig, type FirewallRig } from './firewall-rig.js';

const EMAIL = 'ann.lee@corp-mail.io';
const AWS_KEY = 'AKIAZ3MJQX7TNVB4KWPQ';
const VALUES = [EMAIL, AWS_KEY];
const SECRET = `my key is ${AWS_KEY}, mail ${EMAIL}`;

type Family = 'openai' | 'anthropic' | 'gemini';
interface Case { name: string; family: Family; path: string; body: object; param: string }

const ANTHROPIC = { 'anthropic-version': '2023-06-01' };
const chat = '/v1/chat/completions';
const responses = '/v1/responses';
const messages = '/v1/messages';
const countTokens = '/v1/messages/count_tokens';
const generate = `/v1beta/models/${exactModel('gemini.generate')}:generateContent`;
const streamGenerate = `/v1beta/models/${exactModel('gemini.generate')}:streamGenerateContent?alt=sse`;
const geminiCount = `/v1beta/models/${exactModel('gemini.generate')}:countTokens`;
const embedContent = '/v1beta/models/exact-embed-gemini:embedContent';
const batchEmbed = '/v1beta/models/exact-embed-gemini:batchEmbedContents';

const chatModel = exactModel('openai.chat');
const responsesModel = exactModel('openai.responses');
const messagesModel = exactModel('anthropic.messages');

const MALFORMED: Case[] = [
  { name: 'chat: messages a string', family: 'openai', path: chat, body: { model: chatModel, messages: SECRET }, param: 'messages' },
  { name: 'chat: a content that is an object', family: 'openai', path: chat, body: { model: chatModel, messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }, { role: 'user', content: { text: SECRET } }] }, param: 'messages[2].content' },
  { name: 'chat: a content that is a number', family: 'openai', path: chat, body: { model: chatModel, stream: true, messages: [{ role: 'user', content: 4111111111111111 }, { role: 'user', content: [{ type: 'text', text: { t: SECRET } }] }] }, param: 'messages[0].content' },
  { name: 'chat: a message that is a string', family: 'openai', path: chat, body: { model: chatModel, messages: [{ role: 'user', content: 'hi' }, SECRET] }, param: 'messages[1]' },
  { name: 'chat: tool arguments that are an object', family: 'openai', path: chat, body: { model: chatModel, messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: { note: SECRET } } }] }] }, param: 'messages[0].tool_calls[0].function.arguments' },
  { name: 'responses: input an object', family: 'openai', path: responses, body: { model: responsesModel, input: { role: 'user', content: SECRET } }, param: 'input' },
  { name: 'responses: a message content that is an object', family: 'openai', path: responses, body: { model: responsesModel, stream: true, input: [{ role: 'user', content: { text: SECRET } }] }, param: 'input[0].content' },
  { name: 'responses: instructions a list', family: 'openai', path: responses, body: { model: responsesModel, instructions: [SECRET], input: 'hi' }, param: 'instructions' },
  { name: 'embeddings: input an object', family: 'openai', path: '/v1/embeddings', body: { model: 'exact-embed-openai', input: { text: SECRET } }, param: 'input' },
  { name: 'embeddings: an item that is a list of strings', family: 'openai', path: '/v1/embeddings', body: { model: 'exact-embed-openai', input: ['plain', [SECRET]] }, param: 'input[1]' },
  { name: 'messages: messages an object', family: 'anthropic', path: messages, body: { model: messagesModel, max_tokens: 64, messages: { role: 'user', content: SECRET } }, param: 'messages' },
  { name: 'messages: a content that is an object', family: 'anthropic', path: messages, body: { model: messagesModel, max_tokens: 64, stream: true, messages: [{ role: 'user', content: { type: 'text', text: SECRET } }] }, param: 'messages[0].content' },
  { name: 'messages: system an object', family: 'anthropic', path: messages, body: { model: messagesModel, max_tokens: 64, system: { text: SECRET }, messages: [{ role: 'user', content: 'hi' }] }, param: 'system' },
  { name: 'messages: a tool result content that is an object', family: 'anthropic', path: messages, body: { model: messagesModel, max_tokens: 64, messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: {} }] }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: { out: SECRET } }] }] }, param: 'messages[1].content[0].content' },
  { name: 'messages: tool_use input a string', family: 'anthropic', path: messages, body: { model: messagesModel, max_tokens: 64, messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: SECRET }] }] }, param: 'messages[0].content[0].input' },
  { name: 'count_tokens: a content that is a number', family: 'anthropic', path: countTokens, body: { model: messagesModel, messages: [{ role: 'user', content: 4111111111111111 }, { role: 'user', content: SECRET }] }, param: 'messages[0].content' },
  { name: 'count_tokens: messages a string', family: 'anthropic', path: countTokens, body: { model: messagesModel, messages: SECRET }, param: 'messages' },
  { name: 'gemini generate: contents an object', family: 'gemini', path: generate, body: { contents: { role: 'user', parts: [{ text: SECRET }] } }, param: 'contents' },
  { name: 'gemini generate: parts a string', family: 'gemini', path: generate, body: { contents: [{ role: 'user', parts: SECRET }] }, param: 'contents[0].parts' },
  { name: 'gemini stream: a part text that is an object', family: 'gemini', path: streamGenerate, body: { contents: [{ role: 'user', parts: [{ text: { t: SECRET } }] }] }, param: 'contents[0].parts[0].text' },
  { name: 'gemini generate: systemInstruction parts a string', family: 'gemini', path: generate, body: { systemInstruction: { parts: SECRET }, contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }, param: 'systemInstruction.parts' },
  { name: 'gemini generate: functionCall args a string', family: 'gemini', path: generate, body: { contents: [{ role: 'model', parts: [{ functionCall: { name: 'f', args: SECRET } }] }] }, param: 'contents[0].parts[0].functionCall.args' },
  { name: 'gemini countTokens: contents a string', family: 'gemini', path: geminiCount, body: { contents: SECRET }, param: 'contents' },
  { name: 'gemini embedContent: content a string', family: 'gemini', path: embedContent, body: { content: SECRET }, param: 'content' },
  { name: 'gemini batchEmbedContents: parts an object', family: 'gemini', path: batchEmbed, body: { requests: [{ model: 'models/exact-embed-gemini', content: { parts: { text: SECRET } } }] }, param: 'requests[0].content.parts' },
];

/** Well-formed bodies, some with types a careless check would refuse (null content, token ids, no tool result content). */
const WELL_FORMED: { name: string; path: string; body: object }[] = [
  { name: 'chat with a null content beside tool calls', path: chat, body: { model: chatModel, messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] }, { role: 'tool', tool_call_id: 'c1', content: [{ type: 'text', text: 'done' }] }] } },
  { name: 'responses with null instructions', path: responses, body: { model: responsesModel, instructions: null, input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }] } },
  { name: 'embeddings of token ids', path: '/v1/embeddings', body: { model: 'exact-embed-openai', input: [[1, 2, 3], [4]] } },
  { name: 'messages with a tool result without content', path: messages, body: { model: messagesModel, max_tokens: 64, messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: {} }] }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1' }] }] } },
  { name: 'gemini with a function call and response', path: generate, body: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }, { role: 'model', parts: [{ functionCall: { name: 'f', args: {} } }] }, { role: 'user', parts: [{ functionResponse: { name: 'f', response: { output: 'ok' } } }] }] } },
];

async function post(url: string, c: { path: string; body: object }): Promise<{ res: Response; text: string }> {
  const res = await fetch(`${url}${c.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer client-key', ...(c.path.startsWith('/v1/messages') ? ANTHROPIC : {}) },
    body: JSON.stringify(c.body),
  });
  return { res, text: await res.text() };
}

/** The refusal in the client's envelope, naming the field (never the value). */
function expectRefusal(c: Case, res: Response, text: string): void {
  expect(res.status, text).to.equal(400);
  expect(res.headers.get('x-sluice-error-code')).to.equal('SLUICE_E_FIREWALL_UNREADABLE');
  expect(leaked(text, VALUES)).to.deep.equal([]);
  const body = JSON.parse(text) as Record<string, Record<string, unknown>>;
  switch (c.family) {
    case 'openai':
      expect(body['error']).to.include({ type: 'invalid_request_error', param: c.param, code: 'SLUICE_E_FIREWALL_UNREADABLE' });
      break;
    case 'anthropic':
      expect(body['type']).to.equal('error');
      expect(body['error']).to.include({ type: 'invalid_request_error' });
      break;
    case 'gemini':
      expect(body['error']).to.include({ code: 400, status: 'INVALID_ARGUMENT' });
      break;
  }
  expect(body['error']!['message']).to.be.a('string').and.contain(`cannot read ${c.param} (`);
}

describe('firewall: bodies of a shape the view cannot read', () => {
  let rig: FirewallRig;
  const gateways: TestGateway[] = [];
  before(async () => { rig = await startFirewallRig(); });
  after(async () => {
    for (const gw of gateways) for (const line of gw.logs) expect(leaked(line, VALUES), line.slice(0, 200)).to.deep.equal([]);
    await rig.close();
  });

  for (const mode of ['enforce', 'redact']) {
    describe(`${mode}: refused before any upstream call, naming the field`, () => {
      let gw: TestGateway;
      before(async () => { gw = await rig.gateway(`{ mode: ${mode} }`); gateways.push(gw); });

      for (const c of MALFORMED) {
        it(c.name, async () => {
          const from = rig.proxy.requests.length;
          const { res, text } = await post(gw.url, c);
          expectRefusal(c, res, text);
          expect(rig.proxy.requests.slice(from)).to.have.length(0);
        });
      }

      for (const c of WELL_FORMED) {
        it(`a well-formed body goes upstream as before: ${c.name}`, async () => {
          const from = rig.proxy.requests.length;
          const { res, text } = await post(gw.url, c);
          expect(res.status, text).to.equal(200);
          expect(res.headers.get('x-sluice-firewall-unscanned')).to.equal(null);
          const seen = rig.proxy.requests.slice(from);
          expect(seen).to.have.length(1);
          expect(seen[0]!.body).to.equal(JSON.stringify(c.body));
        });
      }

      it('logs the refusal with the field, outcome blocked, and counts it', async () => {
        await settle();
        const lines = gw.logs.map((l) => JSON.parse(l) as { msg: string; outcome?: string; error?: string; fields?: string[] });
        expect(lines.find((l) => l.msg === 'request refused: a field the prompt firewall cannot read' && l.fields?.[0] === 'messages')).to.not.equal(undefined);
        const refused = lines.filter((l) => l.msg === 'request' && l.error === 'SLUICE_E_FIREWALL_UNREADABLE');
        expect(refused).to.have.length(MALFORMED.length);
        for (const l of refused) expect(l.outcome).to.equal('blocked');
        const metrics = await (await fetch(`${gw.url}/metrics`)).text();
        expect(metrics).to.contain(`sluice_firewall_unscanned_requests_total{reason="unreadable",action="blocked"} ${MALFORMED.length}`);
      });
    });
  }

  describe('monitor: sent on as the client\'s bytes, said to be unscanned', () => {
    let gw: TestGateway;
    before(async () => { gw = await rig.gateway('{ mode: monitor }'); gateways.push(gw); });

    for (const c of MALFORMED) {
      it(c.name, async () => {
        const from = rig.proxy.requests.length;
        const { res } = await post(gw.url, c);
        const seen = rig.proxy.requests.slice(from);
        expect(seen).to.have.length(1);
        // As the client sent it (core asks a streamed Chat answer for its usage, firewall or not).
        const { stream_options: _, ...sent } = JSON.parse(seen[0]!.body) as Record<string, unknown>;
        expect(sent).to.deep.equal(c.body);
        expect(leaked(seen[0]!.body, VALUES)).to.have.members(VALUES);
        expect(Number(res.headers.get('x-sluice-firewall-unscanned'))).to.be.greaterThan(0);
      });
    }

    it('a well-formed body gets no unscanned header', async () => {
      for (const c of WELL_FORMED) {
        const { res } = await post(gw.url, c);
        expect(res.status).to.equal(200);
        expect(res.headers.get('x-sluice-firewall-unscanned'), c.name).to.equal(null);
      }
    });

    it('logs the fields it did not scan (never the values) and counts them', async () => {
      await settle();
      const lines = gw.logs.map((l) => JSON.parse(l) as { msg: string; fields?: string[] }).filter((l) => l.msg.includes('not scanned (monitor)'));
      expect(lines.map((l) => l.fields![0])).to.deep.equal(MALFORMED.map((c) => c.param));
      const metrics = await (await fetch(`${gw.url}/metrics`)).text();
      expect(metrics).to.contain(`sluice_firewall_unscanned_requests_total{reason="unreadable",action="recorded"} ${MALFORMED.length}`);
    });
  });
});
