// Anthropic's API names each answer in a `request-id` header and its SDK reads only that one
// (`withResponse().request_id`, `error.requestID`, `stream.request_id`): every answer on the Anthropic
// surface carries Sluice's request id there, as in `x-request-id` — success, stream, upstream
// error, Sluice's own refusals and Node's parser refusals alike; other surfaces do not get it.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { expect } from 'chai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { rawRequest } from '../helpers/raw-http.js';

describe('Anthropic surface: request-id on every answer, as the SDK reads it', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  let client: Anthropic;
  before(async () => {
    mock = await startMockUpstream();
    mock.handle((_req, res) => {
      res.writeHead(529, { 'content-type': 'application/json', 'request-id': 'req_upstream_1' })
        .end(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
    });
    gw = await startGateway(config({
      providers: `  claude: { type: anthropic, base_url: "${mock.url}", api_key: k }\n`,
      chain: '  - use: router\n    with: { default: local, routes: [{ match: "claude-*", provider: claude }] }',
    }));
    client = new Anthropic({ baseURL: gw.url, apiKey: 'k', maxRetries: 0 });
  });
  after(async () => { await gw.close(); await mock.close(); });

  const params = { model: 'loopback', max_tokens: 32, messages: [{ role: 'user' as const, content: 'hi' }] };

  it('a message, a stream and count_tokens carry it, equal to x-request-id', async () => {
    const { request_id, response } = await client.messages.create(params).withResponse();
    expect(request_id).to.be.a('string').and.equal(response.headers.get('x-request-id'));
    const stream = client.messages.stream(params);
    await stream.finalMessage();
    expect(stream.request_id).to.be.a('string').and.match(/^req_/);
    const counted = await client.messages.countTokens({ model: 'loopback', messages: params.messages }).withResponse();
    expect(counted.response.headers.get('request-id')).to.equal(counted.response.headers.get('x-request-id'));
  });

  it('an upstream error reaches the SDK with Sluice\'s request id (the upstream\'s stays in x-upstream-request-id)', async () => {
    const error = await client.messages.create({ ...params, model: 'claude-opus-4-5' }).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(Anthropic.OverloadedError);
    const e = error as InstanceType<typeof Anthropic.OverloadedError>;
    expect(e.requestID).to.be.a('string').and.equal(e.headers?.get('x-request-id'));
    expect(e.headers?.get('x-upstream-request-id')).to.equal('req_upstream_1');
  });

  it("Sluice's own refusals carry it: bad JSON, an unknown path, a wrong method, the parser's 431", async () => {
    for (const [path, init] of [['/v1/messages', { method: 'POST', body: '{' }], ['/anthropic/v1/nothing', { method: 'POST', body: '{}' }], ['/v1/messages', { method: 'GET' }]] as const) {
      const res = await fetch(gw.url + path, { ...init, headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' } });
      expect(res.status, path).to.be.within(400, 499);
      expect((await res.json() as { type: string }).type, path).to.equal('error');
      expect(res.headers.get('request-id'), path).to.be.a('string').and.equal(res.headers.get('x-request-id'));
    }
    const port = Number(new URL(gw.url).port);
    const raw = await rawRequest(port, `POST /v1/messages HTTP/1.1\r\nhost: localhost\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(raw.status).to.equal(431);
    expect(raw.headers['request-id']).to.be.a('string').and.equal(raw.headers['x-request-id']);
  });

  it('the OpenAI surface does not get it', async () => {
    const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'k', maxRetries: 0 });
    const { response } = await openai.chat.completions.create({ model: 'loopback', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(response.headers.get('x-request-id')).to.be.a('string');
    expect(response.headers.get('request-id')).to.equal(null);
  });
});
