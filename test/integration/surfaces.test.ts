// Every client surface answers in its own SDK's shape: Anthropic (both path prefixes, ?beta=true,
// count_tokens), model listings and single-model lookups per family, Gemini native (v1 and v1beta)
// and Gemini's OpenAI-compatible surface, the WebSocket refusal Codex relies on; and the client's
// own key never reaches a provider.
import { expect } from 'chai';
import net from 'node:net';
import http from 'node:http';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { defaultHandler, startMockUpstream, type MockUpstream, type RecordedRequest } from '../helpers/mock-upstream.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

const SECRET = 'client-secret-7f3a9c';

async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string; json: () => any; headers: Headers }> {
  const res = await fetch(url, { method, headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers, json: () => JSON.parse(text) };
}

function sseData(text: string): any[] {
  return text.split(/\r?\n\r?\n/).map((f) => f.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n'))
    .filter((d) => d !== '' && d !== '[DONE]').map((d) => JSON.parse(d));
}

const ANTHROPIC_MSG: Anthropic.MessageCreateParamsNonStreaming = { model: 'loopback', max_tokens: 64, messages: [{ role: 'user', content: 'ping' }] };
const GEMINI_REQ = { contents: [{ role: 'user', parts: [{ text: 'ping' }] }] };

describe('client surfaces', () => {
  let gw: TestGateway;
  let mock: MockUpstream;

  before(async () => {
    mock = await startMockUpstream();
    gw = await startGateway(config({
      providers: `  up: { type: openai, base_url: "${mock.url}", api_key: provider-key }`,
      chain: `  - use: router
    with:
      routes:
        - { match: "gpt-*", provider: up }
        - { match: "ft:gpt-4o-mini:acme::abc123", provider: up }
      aliases: { fast: loopback }
      default: local
  - use: translator`,
    }));
  });
  after(async () => { await gw.close(); await mock.close(); });
  beforeEach(() => { mock.requests.length = 0; mock.handle(defaultHandler); });

  describe('Anthropic', () => {
    it('serves POST /v1/messages?beta=true (raw and through the SDK\'s beta namespace)', async () => {
      const res = await call('POST', `${gw.url}/v1/messages?beta=true`, ANTHROPIC_MSG, { 'anthropic-version': '2023-06-01', 'anthropic-beta': 'foo-2025-01-01' });
      expect(res.status).to.equal(200);
      expect(res.json()).to.include({ type: 'message', role: 'assistant' });
      const client = new Anthropic({ baseURL: gw.url, apiKey: SECRET, maxRetries: 0 });
      const msg = await client.beta.messages.create({ ...ANTHROPIC_MSG, betas: ['foo-2025-01-01'] });
      expect(msg.type).to.equal('message');
      expect((msg.content[0] as { text: string }).text).to.contain('ping');
    });

    it('serves POST /anthropic/v1/messages, JSON and stream, with the same final message', async () => {
      const client = new Anthropic({ baseURL: `${gw.url}/anthropic`, apiKey: SECRET, maxRetries: 0 });
      const json = await client.messages.create(ANTHROPIC_MSG);
      const streamed = await client.messages.stream(ANTHROPIC_MSG).finalMessage();
      expect(json.type).to.equal('message');
      expect(streamed.content).to.deep.equal(json.content);
      expect(streamed.stop_reason).to.equal(json.stop_reason);
    });

    it('counts tokens on /v1/messages/count_tokens and /anthropic/v1/messages/count_tokens', async () => {
      for (const base of [gw.url, `${gw.url}/anthropic`]) {
        const client = new Anthropic({ baseURL: base, apiKey: SECRET, maxRetries: 0 });
        const short = await client.messages.countTokens({ model: 'loopback', messages: [{ role: 'user', content: 'hi' }] });
        const long = await client.messages.countTokens({ model: 'loopback', messages: [{ role: 'user', content: 'hi '.repeat(200) }] });
        expect(short.input_tokens, base).to.be.a('number').greaterThan(0);
        expect(long.input_tokens, base).to.be.greaterThan(short.input_tokens);
      }
      const beta = await call('POST', `${gw.url}/v1/messages/count_tokens?beta=true`, { model: 'loopback', messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01' });
      expect(beta.status).to.equal(200);
      expect(beta.json().input_tokens).to.be.greaterThan(0);
    });
  });

  describe('model listings', () => {
    it('GET /v1/models with x-goog-api-key is the Gemini list', async () => {
      for (const headers of [{ 'x-goog-api-key': SECRET }]) {
        const res = await call('GET', `${gw.url}/v1/models`, undefined, headers);
        expect(res.status).to.equal(200);
        const body = res.json();
        expect(body).to.have.property('models').that.is.an('array').with.length.greaterThan(0);
        expect(body).to.not.have.property('data');
        for (const m of body.models) expect(m.name).to.match(/^models\//);
        expect(body.models.map((m: { name: string }) => m.name)).to.include('models/loopback');
      }
    });

    it('GET /v1/models?key= is the Gemini list too', async () => {
      const res = await call('GET', `${gw.url}/v1/models?key=${SECRET}`);
      expect(res.json().models.map((m: { name: string }) => m.name)).to.include('models/loopback');
    });

    it('GET /v1/models with anthropic-version is the Anthropic list (and the SDK reads it)', async () => {
      const res = await call('GET', `${gw.url}/v1/models`, undefined, { 'anthropic-version': '2023-06-01', 'x-api-key': SECRET });
      const body = res.json();
      expect(body.has_more).to.equal(false);
      expect(body.data.length).to.be.greaterThan(0);
      for (const m of body.data) expect(m).to.include({ type: 'model' });
      expect(body.first_id).to.equal(body.data[0].id);
      expect(body.last_id).to.equal(body.data.at(-1).id);
      const client = new Anthropic({ baseURL: gw.url, apiKey: SECRET, maxRetries: 0 });
      const ids: string[] = [];
      for await (const m of client.models.list()) ids.push(m.id);
      expect(ids).to.include.members(['loopback', 'fast', 'loopback-embed']);
    });

    it('plain GET /v1/models is the OpenAI list (and the SDK reads it)', async () => {
      const res = await call('GET', `${gw.url}/v1/models`, undefined, { authorization: `Bearer ${SECRET}` });
      const body = res.json();
      expect(body.object).to.equal('list');
      for (const m of body.data) expect(m).to.include({ object: 'model' });
      const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: SECRET, maxRetries: 0 });
      const ids: string[] = [];
      for await (const m of client.models.list()) ids.push(m.id);
      expect(ids).to.include.members(['loopback', 'fast']);
    });

    it('GET /v1beta/models and /anthropic/v1/models are their family\'s list', async () => {
      expect((await call('GET', `${gw.url}/v1beta/models`)).json().models.map((m: { name: string }) => m.name)).to.include('models/loopback');
      const anth = (await call('GET', `${gw.url}/anthropic/v1/models`)).json();
      expect(anth.has_more).to.equal(false);
      expect(anth.data[0]).to.include({ type: 'model' });
    });

    it('GET /v1/models/{id} answers in each family\'s shape', async () => {
      const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: SECRET, maxRetries: 0 });
      expect(await openai.models.retrieve('loopback')).to.include({ id: 'loopback', object: 'model' });
      const anthropic = new Anthropic({ baseURL: gw.url, apiKey: SECRET, maxRetries: 0 });
      expect(await anthropic.models.retrieve('loopback')).to.include({ id: 'loopback', type: 'model' });
      expect((await call('GET', `${gw.url}/anthropic/v1/models/loopback`)).json()).to.include({ id: 'loopback', type: 'model' });
      expect((await call('GET', `${gw.url}/v1beta/models/loopback`)).json()).to.include({ name: 'models/loopback' });
      expect((await call('GET', `${gw.url}/v1/models/loopback`, undefined, { 'x-goog-api-key': SECRET })).json()).to.include({ name: 'models/loopback' });
      expect((await call('GET', `${gw.url}/v1beta/openai/models/fast`)).json()).to.include({ id: 'fast', object: 'model' });
    });

    it('GET /v1/models/{id} finds an OpenAI fine-tune id containing colons (ft:…) that the list shows', async () => {
      const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: SECRET, maxRetries: 0 });
      const ids: string[] = [];
      for await (const m of openai.models.list()) ids.push(m.id);
      expect(ids).to.include('ft:gpt-4o-mini:acme::abc123');
      const res = await call('GET', `${gw.url}/v1/models/ft:gpt-4o-mini:acme::abc123`);
      expect(res.status, res.text).to.equal(200);
      expect(res.json()).to.include({ id: 'ft:gpt-4o-mini:acme::abc123', object: 'model' });
    });

    it('GET /v1/models/{id} finds a model only a glob route serves (not in the list), and a name only the default would take is still a 404', async () => {
      const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: SECRET, maxRetries: 0 });
      const ids: string[] = [];
      for await (const m of openai.models.list()) ids.push(m.id);
      expect(ids).to.not.include('gpt-4o-2024-08-06'); // the listing is unchanged
      expect(await openai.models.retrieve('gpt-4o-2024-08-06')).to.include({ id: 'gpt-4o-2024-08-06', object: 'model', owned_by: 'up' });
      const anthropic = new Anthropic({ baseURL: gw.url, apiKey: SECRET, maxRetries: 0 });
      expect(await anthropic.models.retrieve('gpt-4o-2024-08-06')).to.include({ id: 'gpt-4o-2024-08-06', type: 'model' });
      const gemini = await call('GET', `${gw.url}/v1beta/models/gpt-4o-2024-08-06`);
      expect(gemini.status, gemini.text).to.equal(200);
      expect(gemini.json()).to.include({ name: 'models/gpt-4o-2024-08-06' });
      // `default: local` would take any name; a typo is still not a model.
      expect(await openai.models.retrieve('gtp-4o').then(() => undefined, (e: unknown) => e)).to.be.instanceOf(OpenAI.NotFoundError);
      expect((await call('GET', `${gw.url}/v1beta/models/gtp-4o`)).status).to.equal(404);
      expect(mock.requests).to.have.length(0);
    });

    it('GET /v1/models/{unknown} is a 404 in each family\'s envelope', async () => {
      const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: SECRET, maxRetries: 0 });
      expect(await openai.models.retrieve('no-such-model').then(() => undefined, (e: unknown) => e)).to.be.instanceOf(OpenAI.NotFoundError);
      const anthropic = new Anthropic({ baseURL: gw.url, apiKey: SECRET, maxRetries: 0 });
      expect(await anthropic.models.retrieve('no-such-model').then(() => undefined, (e: unknown) => e)).to.be.instanceOf(Anthropic.NotFoundError);
      const o = await call('GET', `${gw.url}/v1/models/no-such-model`);
      expect(o.status).to.equal(404);
      expect(o.json().error).to.include({ type: 'invalid_request_error' });
      const g = await call('GET', `${gw.url}/v1beta/models/no-such-model`);
      expect(g.status).to.equal(404);
      expect(g.json().error).to.include({ code: 404, status: 'NOT_FOUND' });
      const g1 = await call('GET', `${gw.url}/v1/models/no-such-model?key=${SECRET}`);
      expect(g1.status).to.equal(404);
      expect(g1.json().error).to.include({ code: 404, status: 'NOT_FOUND' });
    });
  });

  describe('Gemini', () => {
    for (const version of ['v1beta', 'v1']) {
      it(`serves POST /${version}/models/{m}:generateContent and :streamGenerateContent?alt=sse`, async () => {
        const res = await call('POST', `${gw.url}/${version}/models/loopback:generateContent`, GEMINI_REQ, { 'x-goog-api-key': SECRET });
        expect(res.status).to.equal(200);
        const body = res.json();
        expect(body.candidates[0].content.role).to.equal('model');
        const text = body.candidates[0].content.parts.map((p: { text?: string }) => p.text ?? '').join('');
        expect(text).to.contain('ping');
        expect(body.usageMetadata.promptTokenCount).to.be.greaterThan(0);
        const stream = await call('POST', `${gw.url}/${version}/models/loopback:streamGenerateContent?alt=sse`, GEMINI_REQ, { 'x-goog-api-key': SECRET });
        expect(stream.status).to.equal(200);
        expect(stream.headers.get('content-type')).to.match(/text\/event-stream/);
        const streamed = sseData(stream.text).map((c) => (c.candidates?.[0]?.content?.parts ?? []).map((p: { text?: string }) => p.text ?? '').join('')).join('');
        expect(streamed).to.equal(text);
      });
    }

    it('the @google/genai SDK works against /v1 (apiVersion v1) and /v1beta', async () => {
      for (const apiVersion of ['v1', 'v1beta']) {
        const ai = new GoogleGenAI({ apiKey: SECRET, httpOptions: { baseUrl: gw.url, apiVersion } });
        const res = await ai.models.generateContent({ model: 'loopback', contents: 'ping' });
        expect(res.text, apiVersion).to.contain('ping');
        const count = await ai.models.countTokens({ model: 'loopback', contents: 'ping pong' });
        expect(count.totalTokens, apiVersion).to.be.greaterThan(0);
      }
    });

    it('serves the Gemini OpenAI-compatible surface /v1beta/openai/chat/completions', async () => {
      const client = new OpenAI({ baseURL: `${gw.url}/v1beta/openai`, apiKey: SECRET, maxRetries: 0 });
      const res = await client.chat.completions.create({ model: 'loopback', messages: [{ role: 'user', content: 'ping' }] });
      expect(res.object).to.equal('chat.completion');
      expect(res.choices[0]!.message.content).to.contain('ping');
      const stream = await client.chat.completions.create({ model: 'loopback', stream: true, messages: [{ role: 'user', content: 'ping' }] });
      let text = '';
      for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
      expect(text).to.equal(res.choices[0]!.message.content);
    });
  });

  describe('WebSocket upgrades', () => {
    /** The raw answer to an upgrade request, read until the server closes or `until` is in it. */
    const rawUpgrade = (path: string, until?: string) => new Promise<string>((resolve, reject) => {
      const s = net.connect(Number(new URL(gw.url).port), '127.0.0.1');
      let data = '';
      s.setTimeout(2000, () => { s.destroy(); reject(new Error(`no answer within 2s; got: ${JSON.stringify(data)}`)); });
      s.on('data', (d) => { data += d.toString('utf8'); if (until && data.includes(until)) { s.destroy(); resolve(data); } });
      s.on('end', () => resolve(data));
      s.on('error', reject);
      s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
        + 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer x\r\n\r\n');
    });

    it('is taken on /v1/responses (the Responses socket): 101 with the request id and overhead', async () => {
      const raw = await rawUpgrade('/v1/responses', '\r\n\r\n');
      expect(raw.split('\r\n')[0]).to.equal('HTTP/1.1 101 Switching Protocols');
      expect(raw).to.match(/\r\nsec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/i);
      expect(raw).to.match(/\r\nx-request-id: \S+\r\n/);
      expect(raw).to.match(/\r\nx-sluice-overhead-ms: \d+(\.\d+)?\r\n/);
    });

    it('is refused with HTTP 426 at once on any other path, and the server keeps serving', async () => {
      const started = Date.now();
      const raw = await rawUpgrade('/v1/chat/completions');
      expect(Date.now() - started).to.be.below(1000);
      expect(raw.split('\r\n')[0]).to.match(/^HTTP\/1\.1 426 /);
      const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
      expect(body.error.code).to.equal('websocket_not_supported');
      expect((await call('GET', `${gw.url}/health`)).status).to.equal(200);
    });

    it('is refused through node:http\'s upgrade machinery too (no 101) on another path', async () => {
      const port = Number(new URL(gw.url).port);
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request({ port, host: '127.0.0.1', path: '/v1/embeddings', headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' } });
        req.on('upgrade', () => reject(new Error('the server upgraded')));
        req.on('response', (res) => { res.resume(); resolve(res.statusCode!); });
        req.on('error', reject);
        req.end();
      });
      expect(status).to.equal(426);
    });
  });

  describe('client credentials never reach the provider', () => {
    const assertProviderKeyOnly = (rec: RecordedRequest) => {
      expect(rec.headers.authorization, 'the provider\'s own key').to.equal('Bearer provider-key');
      expect(rec.headers).to.not.have.property('x-api-key');
      expect(rec.headers).to.not.have.property('x-goog-api-key');
      expect(rec.url).to.not.match(/[?&]key=/);
      for (const [name, value] of Object.entries(rec.headers)) expect(String(value), `header ${name}`).to.not.contain(SECRET);
      expect(rec.url).to.not.contain(SECRET);
      expect(JSON.stringify(rec.body)).to.not.contain(SECRET);
    };

    it('on OpenAI passthrough, whatever the client sent (Authorization, x-api-key, x-goog-api-key, ?key=)', async () => {
      const res = await call('POST', `${gw.url}/v1/chat/completions?key=${SECRET}`, { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] },
        { authorization: `Bearer ${SECRET}`, 'x-api-key': SECRET, 'x-goog-api-key': SECRET, 'openai-organization': 'org-123' });
      expect(res.status).to.equal(200);
      expect(mock.requests).to.have.length(1);
      assertProviderKeyOnly(mock.requests[0]!);
      expect(mock.requests[0]!.headers['openai-organization'], 'openai-organization is forwarded on passthrough').to.equal('org-123');
    });

    it('on an OpenAI stream', async () => {
      const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: SECRET, maxRetries: 0 });
      const stream = await client.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] });
      for await (const _ of stream) { /* drain */ }
      assertProviderKeyOnly(mock.requests[0]!);
    });

    it('from an Anthropic client (x-api-key) translated to the OpenAI provider', async () => {
      const client = new Anthropic({ baseURL: gw.url, apiKey: SECRET, maxRetries: 0 });
      await client.messages.create({ ...ANTHROPIC_MSG, model: 'gpt-4o' });
      const bearer = new Anthropic({ baseURL: gw.url, authToken: SECRET, apiKey: null, maxRetries: 0 });
      await bearer.messages.create({ ...ANTHROPIC_MSG, model: 'gpt-4o' });
      expect(mock.requests).to.have.length(2);
      mock.requests.forEach(assertProviderKeyOnly);
    });

    it('from a Gemini client (x-goog-api-key and ?key=) translated to the OpenAI provider', async () => {
      await call('POST', `${gw.url}/v1beta/models/gpt-4o:generateContent?key=${SECRET}`, GEMINI_REQ, { 'x-goog-api-key': SECRET });
      await call('POST', `${gw.url}/v1/models/gpt-4o:streamGenerateContent?alt=sse&key=${SECRET}`, GEMINI_REQ);
      const ai = new GoogleGenAI({ apiKey: SECRET, httpOptions: { baseUrl: gw.url } });
      await ai.models.generateContent({ model: 'gpt-4o', contents: 'hi' });
      expect(mock.requests).to.have.length(3);
      mock.requests.forEach(assertProviderKeyOnly);
    });
  });

  describe('passthrough to a gemini-type provider', () => {
    it('sends the provider\'s x-goog-api-key, never the client\'s header or ?key=', async () => {
      const upstream = await startMockUpstream();
      upstream.handle((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
          candidates: [{ content: { role: 'model', parts: [{ text: 'from gemini mock' }] }, finishReason: 'STOP', index: 0 }],
          usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 3, totalTokenCount: 6 },
        }));
      });
      let ggw: TestGateway | undefined;
      try {
        ggw = await startGateway(config({
          providers: `  gem: { type: gemini, base_url: "${new URL(upstream.url).origin}", api_key: provider-gemini-key }`,
          chain: '  - use: router\n    with: { default: gem }',
        }));
        const res = await call('POST', `${ggw.url}/v1/models/gemini-x:generateContent?key=${SECRET}`, { ...GEMINI_REQ, vendorField: 1 }, { 'x-goog-api-key': SECRET, authorization: `Bearer ${SECRET}` });
        expect(res.status).to.equal(200);
        expect(res.json().candidates[0].content.parts[0].text).to.equal('from gemini mock');
        const ai = new GoogleGenAI({ apiKey: SECRET, httpOptions: { baseUrl: ggw.url } });
        expect((await ai.models.generateContent({ model: 'gemini-x', contents: 'hi' })).text).to.equal('from gemini mock');
        expect(upstream.requests).to.have.length(2);
        for (const rec of upstream.requests) {
          expect(rec.url).to.match(/\/models\/gemini-x:generateContent$/);
          expect(rec.headers['x-goog-api-key']).to.equal('provider-gemini-key');
          expect(rec.headers).to.not.have.property('authorization');
          for (const [name, value] of Object.entries(rec.headers)) expect(String(value), `header ${name}`).to.not.contain(SECRET);
        }
        expect(upstream.requests[0]!.body!['vendorField'], 'unknown fields pass through').to.equal(1);
      } finally {
        await ggw?.close();
        await upstream.close();
      }
    });
  });

  describe('passthrough to an anthropic-type provider', () => {
    it('forwards anthropic-version and anthropic-beta, and sends the provider\'s key, not the client\'s', async () => {
      const upstream = await startMockUpstream();
      upstream.handle((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
          id: 'msg_mock1', type: 'message', role: 'assistant', model: req.body?.['model'], content: [{ type: 'text', text: 'from anthropic mock' }],
          stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 5, output_tokens: 3 },
        }));
      });
      const origin = new URL(upstream.url).origin;
      let agw: TestGateway | undefined;
      try {
        agw = await startGateway(config({
          providers: `  claude: { type: anthropic, base_url: "${origin}", api_key: provider-anthropic-key }`,
          chain: '  - use: router\n    with: { default: claude }',
        }));
        // Raw: a version distinct from the provider's default proves it was forwarded, not defaulted.
        const raw = await call('POST', `${agw.url}/anthropic/v1/messages?beta=true`, { ...ANTHROPIC_MSG, model: 'claude-x', vendor_field: { keep: true } },
          { 'anthropic-version': '2024-02-29', 'anthropic-beta': 'interleaved-thinking-2025-05-14,files-api-2025-04-14', 'x-api-key': SECRET, authorization: `Bearer ${SECRET}` });
        expect(raw.status).to.equal(200);
        expect(raw.json().content[0].text).to.equal('from anthropic mock');
        let rec = upstream.requests[0]!;
        expect(rec.url).to.match(/\/v1\/messages$/);
        expect(rec.headers['anthropic-version']).to.equal('2024-02-29');
        expect(rec.headers['anthropic-beta']).to.equal('interleaved-thinking-2025-05-14,files-api-2025-04-14');
        expect(rec.headers['x-api-key']).to.equal('provider-anthropic-key');
        expect(rec.headers).to.not.have.property('authorization');
        for (const [name, value] of Object.entries(rec.headers)) expect(String(value), `header ${name}`).to.not.contain(SECRET);
        expect(rec.body!['vendor_field'], 'unknown fields pass through').to.deep.equal({ keep: true });

        // Through the SDK: whatever version and betas it sends arrive upstream unchanged.
        const sent: Record<string, string | null> = {};
        const client = new Anthropic({
          baseURL: agw.url, apiKey: SECRET, maxRetries: 0,
          fetch: (async (input: string | URL | Request, init?: RequestInit) => {
            const h = new Headers(init?.headers);
            sent['version'] = h.get('anthropic-version'); sent['beta'] = h.get('anthropic-beta');
            return fetch(input, init);
          }) as typeof fetch,
        });
        const msg = await client.beta.messages.create({ ...ANTHROPIC_MSG, model: 'claude-x', betas: ['token-efficient-tools-2025-02-19'] });
        expect((msg.content[0] as { text: string }).text).to.equal('from anthropic mock');
        rec = upstream.requests[1]!;
        expect(sent['version']).to.be.a('string');
        expect(rec.headers['anthropic-version']).to.equal(sent['version']);
        expect(rec.headers['anthropic-beta']).to.equal(sent['beta']).and.to.contain('token-efficient-tools-2025-02-19');
        expect(rec.headers['x-api-key']).to.equal('provider-anthropic-key');
        for (const [name, value] of Object.entries(rec.headers)) expect(String(value), `header ${name}`).to.not.contain(SECRET);
      } finally {
        await agw?.close();
        await upstream.close();
      }
    });
  });
});
