// A prompt too long for the model's context window, as each provider says it, reaches a client of
// another family in the words its tools act on: Claude Code compacts the conversation on an
// Anthropic 400 whose message contains "prompt is too long" and reads how much to cut from
// "N tokens > M maximum"; OpenAI clients (Codex) look for the code `context_length_exceeded`.
import Anthropic from '@anthropic-ai/sdk';
import { expect } from 'chai';
import OpenAI from 'openai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';

// Claude Code 2.1.197's own reading of the message (from its binary): the overflow it must cut.
const CLAUDE_CODE_OVERFLOW = /prompt is too long[^0-9]*(\d+)\s*tokens?\s*>\s*(\d+)/i;

describe('a context-window overflow crosses families as the client’s own', () => {
  let up: MockUpstream;
  let gw: TestGateway;
  let anthropic: Anthropic;
  let openai: OpenAI;

  before(async () => {
    up = await startMockUpstream();
    const origin = up.url.replace(/\/v1$/, '');
    gw = await startGateway(config({
      providers: [
        `  oa: { type: openai, base_url: "${up.url}", api_key: k, protocols: [openai.chat] }`,
        `  an: { type: anthropic, base_url: "${origin}", api_key: k }`,
        `  ge: { type: gemini, base_url: "${origin}", api_key: k }`,
      ].join('\n'),
      chain: '  - use: router\n    with:\n      routes:\n        - { match: "gpt-*", provider: oa }\n        - { match: "claude-*", provider: an }\n        - { match: "gemini-*", provider: ge }\n      default: local\n  - use: translator',
    }));
    anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client', maxRetries: 0 });
    openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client', maxRetries: 0 });
  });
  after(async () => { await gw.close(); await up.close(); });

  const answer = (status: number, body: unknown) => (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const claudeCode = (model: string, stream = false) => anthropic.messages.create({ model, max_tokens: 100, stream, messages: [{ role: 'user', content: 'hi' }] }).then(() => undefined, (e: unknown) => e);

  it('OpenAI’s context_length_exceeded → Claude Code reads "prompt is too long" and the overflow (JSON and stream)', async () => {
    up.handle(answer(400, { error: { message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens. Please reduce the length of the messages.", type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } }));
    for (const stream of [false, true]) {
      const err = await claudeCode('gpt-4.1', stream);
      expect(err).to.be.instanceOf(Anthropic.BadRequestError);
      const e = err as InstanceType<typeof Anthropic.BadRequestError>;
      expect(e.error).to.have.nested.property('error.type', 'invalid_request_error');
      const message = (e.error as { error: { message: string } }).error.message;
      expect(message.toLowerCase()).to.contain('prompt is too long');
      expect(CLAUDE_CODE_OVERFLOW.exec(message)?.slice(1, 3)).to.deep.equal(['130512', '128000']);
    }
  });

  it('Gemini’s "input token count exceeds the maximum" → the same for Claude Code', async () => {
    up.handle(answer(400, { error: { code: 400, message: 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).', status: 'INVALID_ARGUMENT' } }));
    const e = await claudeCode('gemini-2.5-pro') as InstanceType<typeof Anthropic.BadRequestError>;
    expect(e.status).to.equal(400);
    expect(CLAUDE_CODE_OVERFLOW.exec((e.error as { error: { message: string } }).error.message)?.slice(1, 3)).to.deep.equal(['1200000', '1048576']);
  });

  it('Anthropic’s "prompt is too long" → OpenAI clients (Codex on Responses, Chat) get code context_length_exceeded', async () => {
    up.handle(answer(400, { type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long: 212345 tokens > 200000 maximum' } }));
    const viaResponses = await openai.responses.create({ model: 'claude-sonnet-4-5', input: 'hi' }).then(() => undefined, (e: unknown) => e);
    const viaChat = await openai.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] }).then(() => undefined, (e: unknown) => e);
    for (const err of [viaResponses, viaChat]) {
      expect(err).to.be.instanceOf(OpenAI.BadRequestError);
      const e = err as InstanceType<typeof OpenAI.BadRequestError>;
      expect(e.code).to.equal('context_length_exceeded');
      expect(e.type).to.equal('invalid_request_error');
      expect(e.message).to.contain('prompt is too long: 212345 tokens > 200000 maximum');
    }
  });

  it('another 400 is left as it was; the same family gets the upstream body verbatim', async () => {
    up.handle(answer(400, { error: { message: 'max_tokens is too large: 100000. This model supports at most 16384 completion tokens.', type: 'invalid_request_error', param: 'max_tokens', code: 'invalid_value' } }));
    const e = await claudeCode('gpt-4.1') as InstanceType<typeof Anthropic.BadRequestError>;
    expect((e.error as { error: { message: string } }).error.message).to.equal('max_tokens is too large: 100000. This model supports at most 16384 completion tokens.');
    const overflow = { error: { message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens.", type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } };
    up.handle(answer(400, overflow));
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] }) });
    expect(await res.json()).to.deep.equal(overflow);
  });
});
