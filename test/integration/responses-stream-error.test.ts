// A Responses stream that fails after it began reports the failure in its `error` event with the
// code, message and param the JSON error of the same failure carries — the upstream's own, not a
// blanket SLUICE_E_UPSTREAM_ERROR — so a client handles both the same way.
import { expect } from 'chai';
import OpenAI from 'openai';
import { chunk, startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

const UPSTREAM_ERROR = { message: 'Rate limit reached for gpt-4o in organization org-x on tokens per min.', type: 'tokens', param: null, code: 'rate_limit_exceeded' };

describe('Responses in-stream error carries the JSON error\'s code and message', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  let client: OpenAI;

  before(async () => {
    mock = await startMockUpstream();
    gw = await startGateway(config({
      providers: `  chat-only: { type: openai, base_url: "${mock.url}", api_key: k, protocols: [openai.chat] }`,
      chain: '  - use: router\n    with:\n      routes:\n        - { match: "gpt-*", provider: chat-only }\n      default: local\n  - use: translator',
    }));
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'k', maxRetries: 0 });
  });
  after(async () => { await gw.close(); await mock.close(); });

  it('translated from Chat: the error event has the upstream code, as the JSON error does', async () => {
    mock.handle((_req, res) => { res.writeHead(429, { 'content-type': 'application/json' }).end(JSON.stringify({ error: UPSTREAM_ERROR })); });
    const json = await client.responses.create({ model: 'gpt-4o', input: 'go' }).then(() => undefined, (e: unknown) => e);
    expect(json).to.be.instanceOf(OpenAI.RateLimitError);
    const jsonError = (json as InstanceType<typeof OpenAI.RateLimitError>).error as { code: string; message: string };
    expect(jsonError.code).to.equal('rate_limit_exceeded');

    mock.handle((req, res) => {
      const model = String(req.body?.['model']);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk(model, { role: 'assistant', content: '' }) + chunk(model, { content: 'partial ' }));
      setTimeout(() => res.end(`data: ${JSON.stringify({ error: UPSTREAM_ERROR })}\n\n`), 20);
    });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const ev of await client.responses.create({ model: 'gpt-4o', input: 'go', stream: true })) events.push(ev);
    const error = events.find((e): e is OpenAI.Responses.ResponseErrorEvent => e.type === 'error');
    expect(error, JSON.stringify(events.map((e) => e.type))).to.not.equal(undefined);
    expect(error).to.include({ code: jsonError.code, message: jsonError.message, param: null });
  });

  it('a gateway error mid-stream (upstream cut short) keeps its SLUICE_E_* code, as its JSON error would', async () => {
    mock.handle((req, res) => {
      const model = String(req.body?.['model']);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk(model, { role: 'assistant', content: '' }) + chunk(model, { content: 'partial ' }));
      setTimeout(() => res.end(), 20);
    });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const ev of await client.responses.create({ model: 'gpt-4o', input: 'go', stream: true })) events.push(ev);
    const error = events.find((e): e is OpenAI.Responses.ResponseErrorEvent => e.type === 'error');
    expect(error?.code).to.equal('SLUICE_E_UPSTREAM_TRUNCATED');
  });
});
