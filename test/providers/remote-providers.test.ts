// The anthropic, gemini and openai providers against a mock upstream that records what it received.
import { expect } from 'chai';
import type { ProviderConfig } from '../../core/config/schema.js';
import { GatewayError } from '../../core/errors.js';
import type { GatewayResponse, UpstreamRequest } from '../../core/exchange.js';
import { parseProtocolName, type JsonObject, type ProtocolName, type StreamEvent } from '../../core/protocols/types.js';
import { AnthropicProvider } from '../../core/providers/anthropic.js';
import { GeminiProvider } from '../../core/providers/gemini.js';
import { OpenAIProvider } from '../../core/providers/openai.js';
import type { Provider } from '../../core/providers/provider.js';
import { createProviders } from '../../core/providers/registry.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';

function providerConfig(over: Partial<ProviderConfig>): ProviderConfig {
  return {
    type: 'anthropic', models: [], headers: {}, connections: 4,
    timeouts: { connect_ms: 2000, first_byte_ms: 5000, idle_ms: 5000 },
    queue: { max: 256, timeout_ms: 10_000 }, max_event_size: '32mb', max_response_size: '128mb', ...over,
  } as ProviderConfig;
}

function request(name: ProtocolName, body: object, opts: { stream?: boolean; model?: string } = {}): UpstreamRequest {
  return { protocol: parseProtocolName(name), body: body as JsonObject, stream: opts.stream ?? false, model: opts.model ?? 'm' };
}

const ctx = (headers: Record<string, string> = {}) => ({ signal: new AbortController().signal, requestId: 'req-1', forwardHeaders: headers });

async function events(res: GatewayResponse): Promise<StreamEvent[]> {
  if (res.kind !== 'stream') throw new Error('expected a stream');
  const out: StreamEvent[] = [];
  for await (const ev of res.events) out.push(ev);
  return out;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  (_req: unknown, res: import('node:http').ServerResponse) => { res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body)); };

describe('anthropic provider', () => {
  let mock: MockUpstream;
  let origin: string;
  const open: Provider[] = [];
  const make = (over: Partial<ProviderConfig> = {}) => {
    const p = new AnthropicProvider('claude', providerConfig({ base_url: origin, api_key: 'sk-ant-1', ...over }));
    open.push(p);
    return p;
  };
  before(async () => { mock = await startMockUpstream(); origin = mock.url.replace(/\/v1$/, ''); });
  beforeEach(() => { mock.requests.length = 0; });
  after(async () => { await Promise.all(open.map((p) => p.close())); await mock.close(); });

  it('posts messages to /v1/messages with x-api-key and the default anthropic-version', async () => {
    const message = { id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'text', text: 'hi' }], stop_reason: 'end_turn', usage: { input_tokens: 3, output_tokens: 1 } };
    mock.handle(json(200, message, { 'request-id': 'req_up' }));
    const res = await make().send(request('anthropic.messages', { model: 'claude-x', max_tokens: 5, messages: [] }), ctx());
    expect(res).to.deep.include({ kind: 'json', status: 200, body: message });
    expect(res.headers).to.deep.equal({ 'x-upstream-request-id': 'req_up' });
    const seen = mock.requests[0]!;
    expect(seen).to.deep.include({ method: 'POST', url: '/v1/messages' });
    expect(seen.headers['x-api-key']).to.equal('sk-ant-1');
    expect(seen.headers['authorization']).to.equal(undefined);
    expect(seen.headers['anthropic-version']).to.equal('2023-06-01');
  });

  it("forwards the client's anthropic-version and anthropic-beta; a version pinned in config beats the default", async () => {
    mock.handle(json(200, { input_tokens: 7 }));
    await make().send(request('anthropic.count_tokens', { messages: [] }), ctx({ 'anthropic-version': '2026-10-21', 'anthropic-beta': 'a,b', 'openai-organization': 'no' }));
    const seen = mock.requests[0]!;
    expect(seen.url).to.equal('/v1/messages/count_tokens');
    expect(seen.headers['anthropic-version']).to.equal('2026-10-21');
    expect(seen.headers['anthropic-beta']).to.equal('a,b');
    expect(seen.headers['openai-organization']).to.equal(undefined);
    await make({ headers: { 'anthropic-version': '2025-01-01' } }).send(request('anthropic.count_tokens', { messages: [] }), ctx());
    expect(mock.requests[1]!.headers['anthropic-version']).to.equal('2025-01-01');
  });

  it('lists models with a GET and does not double /v1 when the base URL has it', async () => {
    mock.handle(json(200, { data: [{ id: 'claude-x', type: 'model' }], has_more: false }));
    await make({ base_url: `${origin}/v1/` }).send(request('anthropic.models', {}), ctx());
    expect(mock.requests[0]).to.deep.include({ method: 'GET', url: '/v1/models', body: undefined });
    // A query in the base URL is kept on every request and does not hide the path's version.
    await make({ base_url: `${origin}/v1?api-version=1` }).send(request('anthropic.models', {}), ctx());
    expect(mock.requests[1]).to.deep.include({ url: '/v1/models?api-version=1' });
  });

  it('streams SSE events with their names, and rotates keys', async () => {
    mock.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":4}}}\n\n');
      res.write('event: content_block_delta\r\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}\r\n\r\n');
      res.end('event: message_stop\ndata: {"type":"message_stop"}\n\n');
    });
    const p = make({ api_key: ['k1', 'k2'] });
    const evs = await events(await p.send(request('anthropic.messages', { stream: true }, { stream: true }), ctx()));
    expect(evs.map((e) => e.event)).to.deep.equal(['message_start', 'content_block_delta', 'message_stop']);
    expect(mock.requests[0]!.headers['accept']).to.equal('text/event-stream');
    await events(await p.send(request('anthropic.messages', { stream: true }, { stream: true }), ctx()));
    await events(await p.send(request('anthropic.messages', { stream: true }, { stream: true }), ctx()));
    expect(mock.requests.map((r) => r.headers['x-api-key'])).to.deep.equal(['k1', 'k2', 'k1']);
  });

  it('keeps an upstream error status, body and retry-after', async () => {
    const body = { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } };
    mock.handle(json(429, body, { 'retry-after': '7' }));
    const err = await make().send(request('anthropic.messages', {}), ctx()).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(GatewayError);
    const e = err as GatewayError;
    expect([e.status, e.retryAfter, e.message, e.typeFor('anthropic')]).to.deep.equal([429, '7', 'slow down', 'rate_limit_error']);
    expect(e.upstream).to.deep.equal({ family: 'anthropic', body });
  });

  it('refuses another family’s protocol without calling upstream', async () => {
    const err = await make().send(request('openai.chat', {}), ctx()).catch((e: unknown) => e);
    expect((err as GatewayError).code).to.equal('SLUICE_E_UNSUPPORTED_OPERATION');
    expect(mock.requests).to.have.length(0);
  });
});

describe('gemini provider', () => {
  let mock: MockUpstream;
  let origin: string;
  const open: Provider[] = [];
  const make = (over: Partial<ProviderConfig> = {}) => {
    const p = new GeminiProvider('gem', providerConfig({ type: 'gemini', base_url: origin, api_key: 'AIza-1', ...over }));
    open.push(p);
    return p;
  };
  before(async () => { mock = await startMockUpstream(); origin = mock.url.replace(/\/v1$/, ''); });
  beforeEach(() => { mock.requests.length = 0; });
  after(async () => { await Promise.all(open.map((p) => p.close())); await mock.close(); });

  it('posts generateContent under /v1beta/models/{model} with x-goog-api-key, model stripped of models/ and encoded', async () => {
    const body = { candidates: [{ content: { role: 'model', parts: [{ text: 'hi' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 2 } };
    mock.handle(json(200, body));
    const res = await make().send(request('gemini.generate', { contents: [] }, { model: 'models/gemini-2.5-flash' }), ctx());
    expect(res).to.deep.include({ kind: 'json', body });
    const seen = mock.requests[0]!;
    expect(seen).to.deep.include({ method: 'POST', url: '/v1beta/models/gemini-2.5-flash:generateContent' });
    expect(seen.headers['x-goog-api-key']).to.equal('AIza-1');
    expect(seen.headers['authorization']).to.equal(undefined);
    await make().send(request('gemini.count_tokens', { contents: [] }, { model: 'tuned/x y?z' }), ctx());
    expect(mock.requests[1]!.url).to.equal('/v1beta/models/tuned%2Fx%20y%3Fz:countTokens');
  });

  it("forwards the client's x-goog-api-client (the SDK's identification), and no other family's headers", async () => {
    mock.handle(json(200, { candidates: [] }));
    await make().send(request('gemini.generate', { contents: [] }, { model: 'gemini-2.5-flash' }), ctx({ 'x-goog-api-client': 'google-genai-sdk/1.30.0 gl-node/v20.19.0', 'anthropic-beta': 'no', 'openai-organization': 'no' }));
    const seen = mock.requests[0]!;
    expect(seen.headers['x-goog-api-client']).to.equal('google-genai-sdk/1.30.0 gl-node/v20.19.0');
    expect(seen.headers['anthropic-beta']).to.equal(undefined);
    expect(seen.headers['openai-organization']).to.equal(undefined);
  });

  it('streams from :streamGenerateContent?alt=sse when the request streams', async () => {
    mock.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"candidates":[{"content":{"role":"model","parts":[{"text":"a"}]}}]}\n\n');
      res.end('data: {"candidates":[{"content":{"role":"model","parts":[{"text":"b"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":2}}\n\n');
    });
    const evs = await events(await make().send(request('gemini.generate', { contents: [] }, { stream: true, model: 'gemini-2.5-flash' }), ctx()));
    expect(mock.requests[0]!.url).to.equal('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(evs).to.have.length(2);
    expect((evs[1]!.data as { usageMetadata: JsonObject }).usageMetadata).to.deep.equal({ promptTokenCount: 2 });
  });

  it('keeps a query in the base URL (Azure-style api-version) on every request, after the method\'s own', async () => {
    mock.handle(json(200, { candidates: [] }));
    const p = make({ base_url: `${origin}/v1beta?api-version=2025-01-01` });
    await p.send(request('gemini.generate', { contents: [] }, { model: 'm' }), ctx());
    mock.handle((_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }).end('data: {"candidates":[{"content":{"role":"model","parts":[{"text":"a"}]},"finishReason":"STOP"}]}\n\n'); });
    await events(await p.send(request('gemini.generate', { contents: [] }, { stream: true, model: 'm' }), ctx()));
    expect(mock.requests.map((r) => r.url)).to.deep.equal([
      '/v1beta/models/m:generateContent?api-version=2025-01-01',
      '/v1beta/models/m:streamGenerateContent?alt=sse&api-version=2025-01-01',
    ]);
  });

  it('embeds one content or a batch at the matching path; lists models with a GET', async () => {
    mock.handle(json(200, { embedding: { values: [1] } }));
    const p = make();
    await p.send(request('gemini.embed', { content: { parts: [{ text: 'a' }] } }, { model: 'text-embedding-004' }), ctx());
    await p.send(request('gemini.embed', { requests: [] }, { model: 'text-embedding-004' }), ctx());
    await p.send(request('gemini.models', {}), ctx());
    expect(mock.requests.map((r) => `${r.method} ${r.url}`)).to.deep.equal([
      'POST /v1beta/models/text-embedding-004:embedContent',
      'POST /v1beta/models/text-embedding-004:batchEmbedContents',
      'GET /v1beta/models',
    ]);
  });

  it('keeps an upstream error in the Gemini envelope with its status; rotates keys; honours a versioned base URL', async () => {
    const body = { error: { code: 400, message: 'API key not valid.', status: 'INVALID_ARGUMENT' } };
    mock.handle(json(400, body));
    const p = make({ api_key: ['g1', 'g2'], base_url: `${origin}/v1` });
    const errs = await Promise.all([1, 2].map(() => p.send(request('gemini.generate', {}), ctx()).then(() => { throw new Error('expected a rejection'); }, (e: unknown) => e as GatewayError)));
    expect(errs.map((e) => [e.status, e.message, e.upstream?.family])).to.deep.equal([[400, 'API key not valid.', 'gemini'], [400, 'API key not valid.', 'gemini']]);
    expect(errs[0]!.upstream?.body).to.deep.equal(body);
    expect(mock.requests.map((r) => r.headers['x-goog-api-key']).sort()).to.deep.equal(['g1', 'g2']);
    expect(mock.requests[0]!.url).to.equal('/v1/models/m:generateContent');
  });

  it('is built by the registry from config, beside anthropic', async () => {
    const registry = createProviders({
      gem: providerConfig({ type: 'gemini', base_url: origin }),
      claude: providerConfig({ type: 'anthropic', base_url: origin }),
    });
    expect(registry.all().map((p) => [p.name, p.type, p.protocols[0]])).to.deep.equal([['gem', 'gemini', 'gemini.generate'], ['claude', 'anthropic', 'anthropic.messages']]);
    await registry.close();
  });
});

describe('openai provider', () => {
  let mock: MockUpstream;
  const open: Provider[] = [];
  const make = (over: Partial<ProviderConfig> = {}) => {
    const p = new OpenAIProvider('oa', providerConfig({ type: 'openai', base_url: mock.url, api_key: 'sk-operator', ...over }));
    open.push(p);
    return p;
  };
  before(async () => { mock = await startMockUpstream(); });
  beforeEach(() => { mock.requests.length = 0; });
  after(async () => { await Promise.all(open.map((p) => p.close())); await mock.close(); });

  it("forwards the client's organisation and project unless the operator pinned them in headers: a client never picks the account billed", async () => {
    const client = { 'openai-organization': 'org-client-chosen', 'openai-project': 'proj_client', 'openai-beta': 'assistants=v2' };
    await make().send(request('openai.chat', { model: 'm', messages: [] }), ctx(client));
    expect(mock.requests[0]!.headers).to.include({ 'openai-organization': 'org-client-chosen', 'openai-project': 'proj_client', authorization: 'Bearer sk-operator' });
    await make({ headers: { 'openai-organization': 'org-operator', 'OpenAI-Project': 'proj_operator' } }).send(request('openai.chat', { model: 'm', messages: [] }), ctx(client));
    expect(mock.requests[1]!.headers).to.include({ 'openai-organization': 'org-operator', 'openai-project': 'proj_operator', 'openai-beta': 'assistants=v2', authorization: 'Bearer sk-operator' });
  });
});
