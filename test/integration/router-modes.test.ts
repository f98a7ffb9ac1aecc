// Router work modes (auto / passthrough / translation) and include_usage on the client's behalf.
import { expect } from 'chai';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { chatCompletionBody, chunk, defaultHandler, startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string; headers: Record<string, string>; json: () => Record<string, any> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, text, headers: Object.fromEntries(res.headers), json: () => JSON.parse(text) as Record<string, any> };
}

function sseData(text: string): Record<string, any>[] {
  return text.split(/\n\n/).map((f) => f.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n'))
    .filter((d) => d !== '' && d !== '[DONE]').map((d) => JSON.parse(d) as Record<string, any>);
}

interface LogLine { msg: string; request_id?: string; provider?: string; error?: string; usage?: Record<string, unknown> }
const settle = () => new Promise((r) => setTimeout(r, 30));

const RESPONSES_BODY = (model: unknown) => ({
  id: 'resp_mock1', object: 'response', created_at: 1700000000, status: 'completed', model,
  output: [{ type: 'message', id: 'msg_mock1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'via responses', annotations: [] }] }],
  usage: { input_tokens: 9, output_tokens: 2, total_tokens: 11, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } },
});

describe('router work modes', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  let bare: TestGateway;

  before(async () => {
    mock = await startMockUpstream();
    const providers = [
      `  up: { type: openai, base_url: "${mock.url}", api_key: provider-key }`,
      `  chatonly: { type: openai, base_url: "${mock.url}", api_key: provider-key, protocols: [openai.chat] }`,
    ].join('\n');
    gw = await startGateway(config({
      providers,
      chain: `  - use: router
    with:
      routes:
        - { match: "pt-*", provider: up, mode: passthrough }
        - { match: "ptfb-*", provider: up, mode: passthrough, fallbacks: [local] }
        - { match: "tr-only-*", provider: chatonly, mode: translation }
        - { match: "co-fb-*", provider: chatonly, fallbacks: [local] }
        - { match: "co-*", provider: chatonly }
        - { match: "tr-*", provider: up, mode: translation }
        - { match: "auto-*", provider: up }
      default: local
  - use: translator`,
    }));
    bare = await startGateway(config({
      providers,
      chain: `  - use: router
    with:
      routes:
        - { match: "pt-*", provider: up, mode: passthrough }
        - { match: "auto-*", provider: up }
      default: local`,
    }));
  });
  after(async () => { await gw.close(); await bare.close(); await mock.close(); });
  beforeEach(() => { mock.requests.length = 0; mock.handle(defaultHandler); });

  describe('an operation the provider lists no protocol for', () => {
    it('refuses embeddings to a chat-only provider without calling it: 400 SLUICE_E_UNSUPPORTED_OPERATION', async () => {
      const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'k', maxRetries: 0 });
      const err = await openai.embeddings.create({ model: 'co-embed', input: 'hello' }).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(OpenAI.BadRequestError);
      expect((err as InstanceType<typeof OpenAI.BadRequestError>).message).to.match(/serves no embeddings protocol/);
      expect(mock.requests, 'nothing sent to the provider').to.have.length(0);
      const res = await post(`${gw.url}/v1/embeddings`, { model: 'co-embed', input: 'hello' });
      expect(res.headers['x-sluice-error-code']).to.equal('SLUICE_E_UNSUPPORTED_OPERATION');
    });

    it('tries the route\'s next target instead, when it has one that serves it', async () => {
      const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'k', maxRetries: 0 });
      const out = await openai.embeddings.create({ model: 'co-fb-embed', input: 'hello' });
      expect(out.data[0]!.embedding.length).to.be.greaterThan(0);
      expect(mock.requests).to.have.length(0);
    });

    it('still sends chat to it', async () => {
      const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'k', maxRetries: 0 });
      await openai.chat.completions.create({ model: 'co-chat', messages: [{ role: 'user', content: 'hi' }] });
      expect(mock.requests[0]!.url).to.equal('/v1/chat/completions');
    });
  });

  describe('passthrough', () => {
    it('refuses an Anthropic client routed to an OpenAI-only provider: 400 SLUICE_E_WORK_MODE in the Anthropic envelope', async () => {
      const res = await post(`${gw.url}/v1/messages`, { model: 'pt-model', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01', 'x-request-id': 'mode-pt-anth' });
      expect(res.status).to.equal(400);
      const body = res.json();
      expect(body['type']).to.equal('error');
      expect(body['error']['type']).to.equal('invalid_request_error');
      expect(body['error']['message']).to.match(/passthrough/);
      expect(mock.requests).to.have.length(0);
      await settle();
      const line = gw.logs.map((l) => JSON.parse(l) as LogLine).find((l) => l.msg === 'request' && l.request_id === 'mode-pt-anth')!;
      expect(line.error).to.equal('SLUICE_E_WORK_MODE');
    });

    it('the Anthropic SDK sees it as a BadRequestError', async () => {
      const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'k', maxRetries: 0 });
      const err = await anthropic.messages.create({ model: 'pt-model', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(Anthropic.BadRequestError);
    });

    it('refuses a Gemini client the same way, in the Gemini envelope', async () => {
      const res = await post(`${gw.url}/v1beta/models/pt-model:generateContent`, { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
      expect(res.status).to.equal(400);
      expect(res.json()['error']).to.include({ code: 400, status: 'FAILED_PRECONDITION' });
      expect(mock.requests).to.have.length(0);
    });

    it('refuses with SLUICE_E_WORK_MODE even without a translator in the chain', async () => {
      const res = await post(`${bare.url}/v1/messages`, { model: 'pt-model', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
      expect(res.status).to.equal(400);
      expect(res.json()['error']['message']).to.match(/passthrough/);
    });

    it('skips a target the mode rules out and uses a fallback that speaks the client\'s protocol', async () => {
      const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'k', maxRetries: 0 });
      const msg = await anthropic.messages.create({ model: 'ptfb-model', max_tokens: 16, messages: [{ role: 'user', content: 'ping' }] });
      expect((msg.content[0] as { text: string }).text).to.contain('ping');
      expect(mock.requests).to.have.length(0);
    });

    it('passes an OpenAI chat request through unchanged, unknown fields and key order included', async () => {
      const body = { model: 'pt-model', messages: [{ role: 'user', content: 'hi', name: 'u1' }], temperature: 0.3, vendor_knob: { deep: [1, { x: null }] }, logit_bias: { '50256': -100 }, metadata: { a: 'b' } };
      const res = await post(`${gw.url}/v1/chat/completions`, body);
      expect(res.status).to.equal(200);
      expect(mock.requests[0]!.url).to.equal('/v1/chat/completions');
      expect(JSON.stringify(mock.requests[0]!.body)).to.equal(JSON.stringify(body));
    });
  });

  describe('translation', () => {
    it('refuses a chat client routed to a chat-only provider: 400 SLUICE_E_WORK_MODE in the OpenAI envelope', async () => {
      const res = await post(`${gw.url}/v1/chat/completions`, { model: 'tr-only-model', messages: [{ role: 'user', content: 'hi' }] });
      expect(res.status).to.equal(400);
      expect(res.json()['error']).to.include({ code: 'SLUICE_E_WORK_MODE', type: 'invalid_request_error' });
      expect(res.json()['error']['message']).to.match(/translation/);
      expect(mock.requests).to.have.length(0);
      const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'k', maxRetries: 0 });
      const err = await client.chat.completions.create({ model: 'tr-only-model', messages: [{ role: 'user', content: 'hi' }] }).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(OpenAI.BadRequestError);
    });

    it('translates an Anthropic client to the chat-only provider', async () => {
      const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'k', maxRetries: 0 });
      const msg = await anthropic.messages.create({ model: 'tr-only-model', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
      expect((msg.content[0] as { text: string }).text).to.equal('Hello world');
      expect(mock.requests[0]!.url).to.equal('/v1/chat/completions');
      expect(mock.requests[0]!.body!['max_tokens'] ?? mock.requests[0]!.body!['max_completion_tokens']).to.equal(16);
    });

    it('counts tokens locally for a provider without a count endpoint, as auto does (nothing passes through): Anthropic SDK and Gemini', async () => {
      const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'k', maxRetries: 0 });
      const counted = await anthropic.messages.countTokens({ model: 'tr-only-model', messages: [{ role: 'user', content: 'hello there' }] });
      expect(counted.input_tokens).to.be.greaterThan(0);
      const gemini = await post(`${gw.url}/v1beta/models/tr-only-model:countTokens`, { contents: [{ role: 'user', parts: [{ text: 'hello there' }] }] });
      expect(gemini.status, gemini.text).to.equal(200);
      expect(gemini.json()['totalTokens']).to.be.greaterThan(0);
      expect(mock.requests).to.have.length(0);
      // Passthrough still refuses it: a local count is not the client's protocol reaching the provider.
      const refused = await post(`${gw.url}/v1/messages/count_tokens`, { model: 'pt-model', messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01' });
      expect(refused.status).to.equal(400);
      expect(refused.json()['error']['message']).to.match(/passthrough/);
    });

    it('sends a chat client to a provider that also speaks Responses through the translator (never natively)', async () => {
      mock.handle((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(RESPONSES_BODY(req.body!['model']))); });
      const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'k', maxRetries: 0 });
      const res = await client.chat.completions.create({ model: 'tr-model', messages: [{ role: 'user', content: 'hi' }] });
      expect(res.choices[0]!.message.content).to.equal('via responses');
      expect(mock.requests[0]!.url).to.equal('/v1/responses');
    });
  });

  describe('auto', () => {
    it('passes a chat client through to an OpenAI provider', async () => {
      const body = { model: 'auto-model', messages: [{ role: 'user', content: 'hi' }], seed: 7, x_unknown: 'kept' };
      const res = await post(`${gw.url}/v1/chat/completions`, body);
      expect(res.status).to.equal(200);
      expect(JSON.stringify(mock.requests[0]!.body)).to.equal(JSON.stringify(body));
    });

    it('translates an Anthropic client to OpenAI chat', async () => {
      const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'k', maxRetries: 0 });
      const msg = await anthropic.messages.create({ model: 'auto-model', max_tokens: 16, system: 'be brief', messages: [{ role: 'user', content: 'hi' }] });
      expect((msg.content[0] as { text: string }).text).to.equal('Hello world');
      expect(msg.usage.input_tokens).to.be.greaterThan(0);
      expect(mock.requests[0]!.url).to.equal('/v1/chat/completions');
      expect(mock.requests[0]!.body!['messages']).to.deep.equal([{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }]);
    });

    it('says the translator is missing (400 SLUICE_E_TRANSLATION_REQUIRED) when auto needs one and the chain has none', async () => {
      const res = await post(`${bare.url}/v1/messages`, { model: 'auto-model', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01' });
      expect(res.status).to.equal(400);
      expect(res.json()['error']['message']).to.match(/translator/);
      expect(mock.requests).to.have.length(0);
    });
  });
});

describe('include_usage on the client\'s behalf (OpenAI chat streams)', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  before(async () => {
    mock = await startMockUpstream();
    gw = await startGateway(config({
      providers: `  up: { type: openai, base_url: "${mock.url}", api_key: provider-key }`,
      chain: '  - use: router\n    with: { default: up }\n  - use: translator',
    }));
  });
  after(async () => { await gw.close(); await mock.close(); });
  beforeEach(() => { mock.requests.length = 0; mock.handle(defaultHandler); });

  const request = (extra: Record<string, unknown> = {}) => ({ model: 'gpt-x', stream: true, messages: [{ role: 'user', content: 'hi' }], ...extra });

  it('asks the upstream for usage although the client did not, and hides the usage chunk from the client', async () => {
    const res = await post(`${gw.url}/v1/chat/completions`, request(), { 'x-request-id': 'iu-hidden' });
    expect(mock.requests[0]!.body!['stream_options']).to.deep.equal({ include_usage: true });
    const events = sseData(res.text);
    expect(events.map((e) => e['choices'][0]?.delta?.content ?? '').join('')).to.equal('Hello world');
    expect(events.filter((e) => 'usage' in e && e['usage'] != null), 'no usage reaches the client').to.have.length(0);
    expect(events.filter((e) => Array.isArray(e['choices']) && e['choices'].length === 0), 'no empty-choices chunk').to.have.length(0);
    expect(res.text).to.contain('data: [DONE]');
    await settle();
    const line = gw.logs.map((l) => JSON.parse(l) as LogLine).find((l) => l.msg === 'request' && l.request_id === 'iu-hidden')!;
    expect(line.usage, 'usage is still accounted').to.include({ inputTokens: 12, outputTokens: 2, estimated: false });
  });

  it('hides it too when the client said include_usage: false, keeping its other stream_options', async () => {
    const res = await post(`${gw.url}/v1/chat/completions`, request({ stream_options: { include_usage: false, include_obfuscation: false } }));
    expect(mock.requests[0]!.body!['stream_options']).to.deep.equal({ include_usage: true, include_obfuscation: false });
    expect(sseData(res.text).filter((e) => e['usage'] != null)).to.have.length(0);
  });

  it('delivers the usage chunk when the client asked for it (openai SDK)', async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'k', maxRetries: 0 });
    const stream = await client.chat.completions.create({ ...request(), stream: true, stream_options: { include_usage: true } } as OpenAI.Chat.ChatCompletionCreateParamsStreaming);
    let usage: OpenAI.CompletionUsage | undefined;
    let emptyChoices = 0;
    for await (const c of stream) { if (c.usage) usage = c.usage; if (c.choices.length === 0) emptyChoices++; }
    expect(usage).to.deep.equal({ prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 });
    expect(emptyChoices).to.equal(1);
    expect(mock.requests[0]!.body!['stream_options']).to.deep.equal({ include_usage: true });
  });

  it('strips usage riding on a content chunk but keeps the chunk', async () => {
    mock.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk('gpt-x', { role: 'assistant', content: 'only' }));
      res.write(`data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-x', choices: [{ index: 0, delta: { content: ' chunk' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } })}\n\n`);
      res.end('data: [DONE]\n\n');
    });
    const res = await post(`${gw.url}/v1/chat/completions`, request());
    const events = sseData(res.text);
    expect(events.map((e) => e['choices'][0]?.delta?.content ?? '').join('')).to.equal('only chunk');
    expect(events.filter((e) => e['usage'] != null)).to.have.length(0);
    expect(events.at(-1)!['choices'][0].finish_reason).to.equal('stop');
  });

  it('takes off the "usage":null OpenAI puts on every chunk once usage is asked for, keeping the rest of each chunk as sent', async () => {
    const first = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-x', system_fingerprint: 'fp_1', choices: [{ index: 0, delta: { role: 'assistant', content: 'He' }, logprobs: null, finish_reason: null }] };
    const second = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-x', system_fingerprint: 'fp_1', choices: [{ index: 0, delta: { content: 'llo' }, logprobs: null, finish_reason: 'stop' }] };
    // Spaced, so that a chunk written from its wire text differs from one serialised anew.
    const spaced = JSON.stringify(first, null, 1).replace(/\n\s*/g, ' ');
    const wire = [
      `${spaced.slice(0, -1)},"usage":null}`, // as OpenAI sends it: usage last
      JSON.stringify({ usage: null, ...second }), // usage elsewhere
      JSON.stringify({ ...second, choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }),
    ];
    mock.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const w of wire) res.write(`data: ${w}\n\n`);
      res.end('data: [DONE]\n\n');
    });
    const res = await post(`${gw.url}/v1/chat/completions`, request(), { 'x-request-id': 'iu-null' });
    const data = res.text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
    expect(data).to.deep.equal([spaced, JSON.stringify(second), '[DONE]']);
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'k', maxRetries: 0 });
    let text = '';
    for await (const c of await client.chat.completions.create({ ...request(), stream: true } as OpenAI.Chat.ChatCompletionCreateParamsStreaming)) {
      expect(c).to.not.have.property('usage');
      text += c.choices[0]?.delta.content ?? '';
    }
    expect(text).to.equal('Hello');
    await settle();
    const line = gw.logs.map((l) => JSON.parse(l) as LogLine).find((l) => l.msg === 'request' && l.request_id === 'iu-null')!;
    expect(line.usage, 'usage is still accounted').to.include({ inputTokens: 3, outputTokens: 2 });
  });

  it('an upstream that reports no usage: a translated answer carries the same input estimate, JSON or streamed (Anthropic SDK)', async () => {
    mock.handle((req, res) => {
      if (req.body!['stream'] === true) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(chunk('gpt-x', { role: 'assistant', content: 'Hi' }));
        res.write(chunk('gpt-x', {}, 'stop'));
        res.end('data: [DONE]\n\n');
        return;
      }
      const body = chatCompletionBody('gpt-x', 'Hi');
      delete body['usage'];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'k', maxRetries: 0 });
    const params = { model: 'gpt-x', max_tokens: 32, messages: [{ role: 'user' as const, content: 'please estimate this prompt for me' }] };
    const json = await anthropic.messages.create(params);
    const streamed = await anthropic.messages.stream(params).finalMessage();
    expect(json.usage.input_tokens).to.be.greaterThan(0);
    expect(json.usage.input_tokens).to.equal(streamed.usage.input_tokens);
    expect(json.usage.output_tokens).to.equal(streamed.usage.output_tokens);
  });

  it('does not add stream_options to a non-streaming request', async () => {
    await post(`${gw.url}/v1/chat/completions`, { model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] });
    expect(mock.requests[0]!.body).to.not.have.property('stream_options');
  });

  it('asks for usage on a translated stream too (Anthropic client), and reports it in the Anthropic stream', async () => {
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'k', maxRetries: 0 });
    const final = await anthropic.messages.stream({ model: 'gpt-x', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    expect(mock.requests[0]!.body!['stream_options']).to.deep.equal({ include_usage: true });
    expect((final.content[0] as { text: string }).text).to.equal('Hello world');
    expect(final.usage.output_tokens).to.equal(2);
  });
});
