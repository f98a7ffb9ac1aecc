// Claude Code on an OpenAI model, with a mock that refuses what OpenAI refuses:
// - its `metadata.user_id` is a JSON blob of ~150 characters, and OpenAI refuses a `user` longer
//   than 64 ("Invalid 'user': string too long") on Chat Completions and Responses alike;
// - it asks for thinking on every turn, and OpenAI's non-reasoning models (gpt-4o, gpt-4.1…)
//   refuse a reasoning effort ("Unsupported parameter: 'reasoning_effort' is not supported with
//   this model", `reasoning.effort` on Responses);
// - Claude Code asks for 32000–128000 output tokens, more than gpt-4o (16384) or gpt-4.1 (32768) give;
// - Gemini CLI sends topP 0.95 on every turn, and OpenAI's reasoning models take no sampling
//   value but the default 1;
// - Gemini takes five stop sequences, Anthropic any number, OpenAI Chat four, and its reasoning models none at all.
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';

// As Claude Code sends it (fixtures/client-requests/claude-code.messages.text-turn.json).
const CLAUDE_CODE_USER_ID = JSON.stringify({ device_id: '084c6bf5d5bbb6f69f2e4a77dc08fd8255fff2ffa64112b8377b6609889c4f40', account_uuid: '', session_id: '22dab515-21e7-4e66-bcf5-bde07362cba3' });

describe('Anthropic client (Claude Code), OpenAI provider: what OpenAI refuses is not sent', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  let client: Anthropic;
  before(async () => {
    mock = await startMockUpstream();
    mock.handle((req, res) => {
      const user = req.body?.['user'];
      if (typeof user === 'string' && user.length > 64) {
        const message = `Invalid 'user': string too long. Expected a string with maximum length 64, but got a string with length ${user.length} instead.`;
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message, type: 'invalid_request_error', param: 'user', code: 'string_above_max_length' } }));
        return;
      }
      const model = String(req.body?.['model']);
      for (const name of ['temperature', 'top_p']) {
        const v = req.body?.[name];
        if (/^(?:gpt-5|o\d)/.test(model) && v !== undefined && v !== 1) {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `Unsupported parameter: '${name}' is not supported with this model.`, type: 'invalid_request_error', param: name, code: 'unsupported_parameter' } }));
          return;
        }
      }
      const stop = req.body?.['stop'];
      if (Array.isArray(stop) && stop.length > 4) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length ${stop.length} instead.`, type: 'invalid_request_error', param: 'stop', code: 'array_above_max_length' } }));
        return;
      }
      if (/^(?:gpt-5(?!-chat)|o\d)/.test(model) && stop !== undefined) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: "Unsupported parameter: 'stop' is not supported with this model.", type: 'invalid_request_error', param: 'stop', code: 'unsupported_parameter' } }));
        return;
      }
      const asked = Number(req.body?.['max_completion_tokens'] ?? req.body?.['max_output_tokens']);
      const most = /^gpt-4o-2024-05-13/.test(model) ? 4096 : /^(?:gpt-4o|gpt-5-chat)/.test(model) ? 16384 : /^gpt-4\.1/.test(model) ? 32768 : 128000;
      if (asked > most) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `max_tokens is too large: ${asked}. This model supports at most ${most} completion tokens, whereas you provided ${asked}.`, type: 'invalid_request_error', param: 'max_tokens', code: 'invalid_value' } }));
        return;
      }
      const effort = req.body?.['reasoning_effort'] ?? req.body?.['reasoning'];
      if (/^(?:gpt-4|gpt-5-chat)/.test(model) && effort !== undefined) {
        const param = req.url.includes('/responses') ? 'reasoning.effort' : 'reasoning_effort';
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `Unsupported parameter: '${param}' is not supported with this model.`, type: 'invalid_request_error', param, code: 'unsupported_parameter' } }));
        return;
      }
      const body = req.url.includes('/responses')
        ? { id: 'resp_1', object: 'response', created_at: 1, status: 'completed', model: 'gpt-x', output: [{ id: 'msg_1', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'hello', annotations: [] }] }], usage: { input_tokens: 3, output_tokens: 1, total_tokens: 4 } }
        : { id: 'c1', object: 'chat.completion', created: 1, model: 'gpt-x', choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    gw = await startGateway(`server: { shutdown_grace_ms: 200 }
storage: { database: "sqlite::memory:" }
providers:
  chat: { type: openai, base_url: "${mock.url}", api_key: test-key }
  responses: { type: openai, base_url: "${mock.url}", api_key: test-key, protocols: [openai.responses] }
chain:
  - use: router
    with:
      default: chat
      routes: [{ match: "via-responses", provider: responses }, { match: "gpt-4.1", provider: responses }, { match: "gpt-5.1", provider: responses }]
  - use: translator
`);
    client = new Anthropic({ baseURL: gw.url, apiKey: 'k', maxRetries: 0 });
  });
  after(async () => { await gw.close(); await mock.close(); });

  for (const model of ['gpt-x', 'via-responses']) {
    it(`${model === 'gpt-x' ? 'Chat' : 'Responses'}: Claude Code's user_id goes as a stable 64-character digest; a short one as it is`, async () => {
      const ask = (userId: string) => client.messages.create({ model, max_tokens: 100, metadata: { user_id: userId }, messages: [{ role: 'user', content: 'hi' }] });
      const answer = await ask(CLAUDE_CODE_USER_ID);
      expect(answer.content).to.deep.equal([{ type: 'text', text: 'hello' }]);
      expect(mock.requests.at(-1)!.body!['user']).to.equal(createHash('sha256').update(CLAUDE_CODE_USER_ID).digest('hex'));
      await ask('user-42');
      expect(mock.requests.at(-1)!.body!['user']).to.equal('user-42');
    });
  }

  // Claude Code's own thinking settings (fixtures/client-requests/claude-code.messages.text-turn.json).
  const thinkingTurn = (model: string) => client.messages.create({
    model, max_tokens: 4096, messages: [{ role: 'user', content: 'hi' }],
    thinking: { type: 'adaptive' }, output_config: { effort: 'medium' },
  } as unknown as Anthropic.MessageCreateParamsNonStreaming);

  for (const [model, field] of [['gpt-4o', 'reasoning_effort'], ['gpt-4.1', 'reasoning']] as const) {
    it(`${model} (${field === 'reasoning' ? 'Responses' : 'Chat'}): a non-reasoning model is not sent the effort Claude Code asks for`, async () => {
      const answer = await thinkingTurn(model);
      expect(answer.content).to.deep.equal([{ type: 'text', text: 'hello' }]);
      const sent = mock.requests.at(-1)!.body!;
      expect(sent[field]).to.equal(undefined);
      expect(sent['include']).to.equal(undefined);
    });
  }

  it('gpt-5-chat-latest (Chat): ChatGPT\'s model without reasoning gets no effort, and at most its 16384 output tokens', async () => {
    // Not a reasoning model although named gpt-5: OpenAI refuses reasoning_effort for it, and its
    // largest output is 16384 (Claude Code asks 32000 and more).
    const answer = await client.messages.create({
      model: 'gpt-5-chat-latest', max_tokens: 32000, messages: [{ role: 'user', content: 'hi' }],
      thinking: { type: 'adaptive' }, output_config: { effort: 'medium' },
    } as unknown as Anthropic.MessageCreateParamsNonStreaming, { timeout: 30_000 });
    expect(answer.content).to.deep.equal([{ type: 'text', text: 'hello' }]);
    const sent = mock.requests.at(-1)!.body!;
    expect(sent['reasoning_effort']).to.equal(undefined);
    expect(sent['max_completion_tokens']).to.equal(16384);
  });

  // gpt-4o's first snapshot answers at most 4096; later ones (and the gpt-4o alias) 16384.
  for (const [model, field, most] of [['gpt-4o', 'max_completion_tokens', 16384], ['gpt-4o-2024-05-13', 'max_completion_tokens', 4096], ['gpt-4.1', 'max_output_tokens', 32768]] as const) {
    it(`${model} (${field === 'max_output_tokens' ? 'Responses' : 'Chat'}): Claude Code's max_tokens is brought down to the model's largest output; a smaller one is kept`, async () => {
      // An explicit timeout: the SDK otherwise refuses a non-streamed call this large.
      const answer = await client.messages.create({ model, max_tokens: 64000, messages: [{ role: 'user', content: 'hi' }] }, { timeout: 30_000 });
      expect(answer.content).to.deep.equal([{ type: 'text', text: 'hello' }]);
      expect(mock.requests.at(-1)!.body![field]).to.equal(most);
      await client.messages.create({ model, max_tokens: 1000, messages: [{ role: 'user', content: 'hi' }] });
      expect(mock.requests.at(-1)!.body![field]).to.equal(1000);
    });
  }

  for (const model of ['gpt-5', 'gpt-5.1']) {
    it(`${model} (${model === 'gpt-5' ? 'Chat' : 'Responses'}): Gemini CLI's sampling reaches a reasoning model as it takes it (temperature 1, no topP 0.95)`, async () => {
      const ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: gw.url } });
      // Gemini CLI's generationConfig (fixtures/client-requests/gemini-cli.streamGenerateContent.text-turn.json).
      const r = await ai.models.generateContent({ model, contents: 'hi', config: { temperature: 1, topP: 0.95, topK: 64, thinkingConfig: { includeThoughts: true, thinkingLevel: 'HIGH' as never } } });
      expect(r.text).to.equal('hello');
      const sent = mock.requests.at(-1)!.body!;
      expect(sent['temperature']).to.equal(1);
      expect(sent['top_p']).to.equal(undefined);
    });
  }
  it("Gemini's five stop sequences: none to a reasoning model (gpt-5 refuses stop), the first four to gpt-4o", async () => {
    const ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: gw.url } });
    const stopSequences = ['A:', 'B:', 'C:', 'D:', 'E:'];
    expect((await ai.models.generateContent({ model: 'gpt-5', contents: 'hi', config: { stopSequences } })).text).to.equal('hello');
    expect(mock.requests.at(-1)!.body).to.not.have.property('stop');
    expect((await ai.models.generateContent({ model: 'gpt-4o', contents: 'hi', config: { stopSequences } })).text).to.equal('hello');
    expect(mock.requests.at(-1)!.body!['stop']).to.deep.equal(['A:', 'B:', 'C:', 'D:']);
  });

  it('a model without reasoning still gets the sampling the client asked for', async () => {
    const ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: gw.url } });
    await ai.models.generateContent({ model: 'gpt-4o', contents: 'hi', config: { temperature: 0.3, topP: 0.95 } });
    expect(mock.requests.at(-1)!.body).to.deep.include({ temperature: 0.3, top_p: 0.95 });
  });

  it('Chat: an Anthropic client\'s six stop sequences reach OpenAI as its first four, and none reach a reasoning model', async () => {
    const stop_sequences = ['END', '###', '\n\nHuman:', 'STOP', '</answer>', '---'];
    const answer = await client.messages.create({ model: 'gpt-4o', max_tokens: 100, stop_sequences, messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.content).to.deep.equal([{ type: 'text', text: 'hello' }]);
    expect(mock.requests.at(-1)!.body!['stop']).to.deep.equal(stop_sequences.slice(0, 4));
    await client.messages.create({ model: 'gpt-4o', max_tokens: 100, stop_sequences: ['END'], messages: [{ role: 'user', content: 'hi' }] });
    expect(mock.requests.at(-1)!.body!['stop']).to.deep.equal(['END']);
    const reasoning = await client.messages.create({ model: 'gpt-5', max_tokens: 100, stop_sequences, messages: [{ role: 'user', content: 'hi' }] });
    expect(reasoning.content).to.deep.equal([{ type: 'text', text: 'hello' }]);
    expect(mock.requests.at(-1)!.body!['stop']).to.equal(undefined);
  });

  for (const [model, field] of [['gpt-5', 'reasoning_effort'], ['gpt-5.1', 'reasoning']] as const) {
    it(`${model} (${field === 'reasoning' ? 'Responses' : 'Chat'}): a reasoning model still gets the effort`, async () => {
      await thinkingTurn(model);
      const sent = mock.requests.at(-1)!.body!;
      expect(field === 'reasoning' ? (sent['reasoning'] as { effort?: string } | undefined)?.effort : sent['reasoning_effort']).to.equal('medium');
    });
  }
});
