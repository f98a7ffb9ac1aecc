// Anthropic clients get Anthropic's own error classes for upstream failures re-rendered in their
// envelope: `timeout_error` for a 504 (the gateway's upstream timeout), `billing_error` for a 402
// (a provider out of credit), as Anthropic's API itself sends them — JSON and in-stream.
import Anthropic from '@anthropic-ai/sdk';
import { expect } from 'chai';
import { chunk, startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

describe('Anthropic error classes for upstream failures', () => {
  let up: MockUpstream;
  let gw: TestGateway;
  let anthropic: Anthropic;

  before(async () => {
    up = await startMockUpstream();
    gw = await startGateway(config({
      providers: `  oa: { type: openai, base_url: "${up.url}", api_key: k, timeouts: { first_byte_ms: 200, idle_ms: 200 } }\n`,
      chain: '  - use: router\n    with: { default: oa }\n  - use: translator',
    }));
    anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client', maxRetries: 0 });
  });
  after(async () => { await gw.close(); await up.close(); });

  const params = { model: 'gpt-4o', max_tokens: 20, messages: [{ role: 'user' as const, content: 'hi' }] };

  it('an upstream that does not answer in time: 504 timeout_error', async () => {
    up.handle(() => { /* never answers */ });
    const err = await anthropic.messages.create(params).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(Anthropic.InternalServerError);
    const e = err as InstanceType<typeof Anthropic.APIError>;
    expect(e.status).to.equal(504);
    expect(e.error).to.have.nested.property('error.type', 'timeout_error');
  });

  it('a stream that stalls after its first content: event: error with timeout_error', async () => {
    up.handle((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk(String(req.body?.['model']), { role: 'assistant', content: 'Hel' }));
    });
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ ...params, stream: true }),
    });
    const text = await res.text();
    const error = /event: error\ndata: (.*)\n/.exec(text)?.[1];
    expect(error, text).to.be.a('string');
    expect(JSON.parse(error!)).to.have.nested.property('error.type', 'timeout_error');
  });

  it('a provider out of credit (402): billing_error', async () => {
    up.handle((_req, res) => {
      res.writeHead(402, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'Insufficient credits', code: 402 } }));
    });
    const err = await anthropic.messages.create(params).then(() => undefined, (e: unknown) => e) as InstanceType<typeof Anthropic.APIError>;
    expect(err.status).to.equal(402);
    expect(err.error).to.have.nested.property('error.type', 'billing_error');
    expect(err.error).to.have.nested.property('error.message', 'Insufficient credits');
  });
});
