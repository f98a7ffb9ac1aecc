// Loopback refuses the bodies a real provider refuses, with that protocol's own 400, so a flow
// developed offline fails the way it will online; every valid body is still answered.
import { expect } from 'chai';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() as Record<string, unknown> };
}

describe('loopback refuses malformed bodies as the real provider does', () => {
  let gw: TestGateway;
  before(async () => { gw = await startGateway(config()); });
  after(async () => { await gw.close(); });

  describe('OpenAI Chat', () => {
    const chat = (body: object) => post(`${gw.url}/v1/chat/completions`, { model: 'loopback', ...body });

    it('refuses messages that are not a list, a missing messages, and content of the wrong type', async () => {
      const cases: [object, string, string][] = [
        [{ messages: 'text' }, 'messages', 'invalid_type'],
        [{}, 'messages', 'missing_required_parameter'],
        [{ messages: ['hi'] }, 'messages[0]', 'invalid_type'],
        [{ messages: [{ role: 'user', content: 5 }] }, 'messages[0].content', 'invalid_type'],
        [{ messages: [{ role: 'user' }] }, 'messages[0].content', 'missing_required_parameter'],
        [{ messages: [{ content: 'hi' }] }, 'messages[0].role', 'missing_required_parameter'],
        [{ messages: [{ role: 'robot', content: 'hi' }] }, 'messages[0].role', 'invalid_value'],
      ];
      for (const [body, param, code] of cases) {
        const res = await chat(body);
        expect(res.status, JSON.stringify(body)).to.equal(400);
        expect(res.json['error'], JSON.stringify(body)).to.include({ type: 'invalid_request_error', param, code });
      }
    });

    it('is a BadRequestError to the SDK, and a valid body is still answered', async () => {
      const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'k', maxRetries: 0 });
      const bad = { model: 'loopback', messages: [{ role: 'user', content: 5 }] } as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;
      expect(await client.chat.completions.create(bad).then(() => undefined, (e: unknown) => e)).to.be.instanceOf(OpenAI.BadRequestError);
      const ok = await client.chat.completions.create({ model: 'loopback', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: [{ type: 'text', text: 'hi' }] }] });
      expect(ok.choices[0]!.message.content).to.contain('hi');
    });
  });

  describe('OpenAI Responses', () => {
    it('refuses an input of the wrong type and an item whose content is of the wrong type', async () => {
      for (const [body, param] of [[{ input: 5 }, 'input'], [{ input: [5] }, 'input[0]'], [{ input: [{ role: 'user', content: 5 }] }, 'input[0].content']] as const) {
        const res = await post(`${gw.url}/v1/responses`, { model: 'loopback', ...body });
        expect(res.status, JSON.stringify(body)).to.equal(400);
        expect(res.json['error'], JSON.stringify(body)).to.include({ type: 'invalid_request_error', param, code: 'invalid_type' });
      }
      expect((await post(`${gw.url}/v1/responses`, { model: 'loopback', input: 'hi' })).status).to.equal(200);
    });
  });

  describe('Anthropic Messages', () => {
    const headers = { 'anthropic-version': '2023-06-01' };
    it('refuses as Anthropic words it, and the SDK sees a BadRequestError', async () => {
      const cases: [object, string][] = [
        [{ messages: 'text' }, 'messages: Input should be a valid list'],
        [{}, 'messages: Field required'],
        [{ messages: [{ role: 'user', content: 5 }] }, 'messages.0.content: Input should be a valid list'],
      ];
      for (const [body, message] of cases) {
        const res = await post(`${gw.url}/v1/messages`, { model: 'loopback', max_tokens: 16, ...body }, headers);
        expect(res.status, JSON.stringify(body)).to.equal(400);
        expect(res.json, JSON.stringify(body)).to.deep.include({ type: 'error', error: { type: 'invalid_request_error', message } });
      }
      const client = new Anthropic({ baseURL: gw.url, apiKey: 'k', maxRetries: 0 });
      const bad = { model: 'loopback', max_tokens: 16, messages: 'text' } as unknown as Anthropic.MessageCreateParamsNonStreaming;
      expect(await client.messages.create(bad).then(() => undefined, (e: unknown) => e)).to.be.instanceOf(Anthropic.BadRequestError);
      const count = await post(`${gw.url}/v1/messages/count_tokens`, { model: 'loopback', messages: 'text' }, headers);
      expect(count.status).to.equal(400);
    });

    it('refuses what the real API refuses: no max_tokens, no messages, a misplaced system message, an unknown role', async () => {
      const hi = { role: 'user', content: 'hi' };
      const cases: [object, string][] = [
        [{ messages: [hi] }, 'max_tokens: Field required'],
        [{ max_tokens: 16, messages: [] }, 'messages: at least one message is required'],
        [{ max_tokens: 16, messages: [{ role: 'system', content: 'be brief' }, hi] }, 'messages: Unexpected role "system" at messages.0.'],
        [{ max_tokens: 16, messages: [hi, { role: 'assistant', content: 'ok' }, { role: 'system', content: 'be brief' }] }, 'messages: Unexpected role "system" at messages.2.'],
        [{ max_tokens: 16, messages: [{ role: 'robot', content: 'hi' }] }, "messages.0.role: Input should be 'user', 'assistant' or 'system'"],
      ];
      for (const [body, message] of cases) {
        const res = await post(`${gw.url}/v1/messages`, { model: 'loopback', ...body }, headers);
        expect(res.status, JSON.stringify(body)).to.equal(400);
        const error = (res.json['error'] ?? {}) as { type?: string; message?: string };
        expect(error.type, JSON.stringify(body)).to.equal('invalid_request_error');
        expect(error.message, JSON.stringify(body)).to.satisfy((m: string) => m.startsWith(message));
      }
      const client = new Anthropic({ baseURL: gw.url, apiKey: 'k', maxRetries: 0 });
      const noMax = { model: 'loopback', messages: [hi] } as unknown as Anthropic.MessageCreateParamsNonStreaming;
      expect(await client.messages.create(noMax).then(() => undefined, (e: unknown) => e)).to.be.instanceOf(Anthropic.BadRequestError);
      // count_tokens takes no max_tokens; Claude Code's system message right after the user's turn is answered.
      expect((await post(`${gw.url}/v1/messages/count_tokens`, { model: 'loopback', messages: [hi] }, headers)).status).to.equal(200);
      expect((await post(`${gw.url}/v1/messages/count_tokens`, { model: 'loopback', messages: [] }, headers)).status).to.equal(400);
      const claudeCode = { model: 'loopback', max_tokens: 16, messages: [hi, { role: 'system', content: [{ type: 'text', text: '# Environment' }] }] };
      const ok = await post(`${gw.url}/v1/messages`, claudeCode, headers);
      expect(ok.status).to.equal(200);
      expect(JSON.stringify(ok.json['content'])).to.contain('You said: hi');
    });
  });

  describe('Gemini', () => {
    it('refuses missing or malformed contents with INVALID_ARGUMENT', async () => {
      for (const body of [{}, { contents: 'text' }, { contents: [5] }, { contents: [{ role: 'user', parts: 5 }] }]) {
        const res = await post(`${gw.url}/v1beta/models/loopback:generateContent`, body);
        expect(res.status, JSON.stringify(body)).to.equal(400);
        expect(res.json['error'], JSON.stringify(body)).to.include({ code: 400, status: 'INVALID_ARGUMENT' });
      }
      const ok = await post(`${gw.url}/v1beta/models/loopback:generateContent`, { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
      expect(ok.status).to.equal(200);
    });
  });
});
