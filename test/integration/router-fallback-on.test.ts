// `fallback_on` (router): upstream 4xx statuses an operator wants treated like a provider failure —
// a revoked key (401), an account out of credit (402), a forbidden project (403) — so the next
// target serves instead of every request failing until someone fixes the key. Opt-in (a 4xx is
// the request's fault by default), added to the default failures, and still only before anything
// reached the client; never a same-provider retry (the same key fails the same way).
import { expect } from 'chai';
import OpenAI from 'openai';
import { chatCompletionBody, chunk, defaultHandler, startMockUpstream, type MockHandler, type MockUpstream } from '../helpers/mock-upstream.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

const answerAsB: MockHandler = (req, res) => {
  const model = String(req.body?.['model'] ?? 'mock');
  if (req.body?.['stream'] === true) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(chunk(model, { role: 'assistant', content: '' }));
    res.write(chunk(model, { content: 'from B' }));
    res.write(chunk(model, {}, 'stop'));
    res.end('data: [DONE]\n\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(chatCompletionBody(model, 'from B')));
};

const failWith = (status: number): MockHandler => (_req, res) => {
  const type = status === 401 ? 'invalid_request_error' : status === 402 ? 'insufficient_quota' : 'permission_error';
  res.writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify({ error: { message: `primary says ${status}`, type, param: null, code: `primary_${status}` } }));
};

interface LogLine { msg: string; request_id?: string; provider?: string; status?: number; fallbacks?: { provider: string; code: string; status: number; retried?: boolean }[] }
const settle = () => new Promise((r) => setTimeout(r, 30));

describe('router fallback_on', () => {
  let a: MockUpstream;
  let b: MockUpstream;
  let gw: TestGateway;
  let client: OpenAI;

  before(async () => {
    a = await startMockUpstream();
    b = await startMockUpstream();
    gw = await startGateway(config({
      providers: [
        `  primary: { type: openai, base_url: "${a.url}", api_key: key-a, retry: { attempts: 2, backoff_ms: 1 } }`,
        `  backup: { type: openai, base_url: "${b.url}", api_key: key-b }`,
      ].join('\n'),
      chain: `  - use: router
    with:
      fallback_on: [402]
      routes:
        - { match: "gpt-plain", provider: primary, fallbacks: [backup], fallback_on: [] }
        - { match: "gpt-keys", provider: primary, fallbacks: [backup], fallback_on: [401, 402, 403] }
        - { match: "gpt-*", provider: primary, fallbacks: [backup] }`,
    }));
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
  });
  after(async () => { await gw?.close(); await a?.close(); await b?.close(); });
  beforeEach(() => {
    a.requests.length = 0; b.requests.length = 0;
    a.handle(defaultHandler); b.handle(answerAsB);
  });

  const ask = (model: string, id: string) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-request-id': id } });
  const line = (id: string) => gw.logs.map((l) => JSON.parse(l) as LogLine).find((l) => l.msg === 'request' && l.request_id === id)!;

  for (const status of [401, 402, 403]) {
    it(`falls over on a listed ${status}, without retrying it on the same provider, and logs the attempt`, async () => {
      a.handle(failWith(status));
      const res = await ask('gpt-keys', `fo-${status}`);
      expect(res.choices[0]!.message.content).to.equal('from B');
      expect(a.requests).to.have.length(1);
      expect(b.requests).to.have.length(1);
      await settle();
      expect(line(`fo-${status}`).fallbacks).to.deep.equal([{ provider: 'primary', model: 'gpt-keys', code: 'SLUICE_E_UPSTREAM_ERROR', status }]);
    });
  }

  it('falls over on a listed status before a stream started', async () => {
    a.handle(failWith(401));
    const stream = await client.chat.completions.create({ model: 'gpt-keys', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    expect(text).to.equal('from B');
  });

  it('the top-level list applies to routes without their own', async () => {
    a.handle(failWith(402));
    expect((await ask('gpt-4o', 'fo-top')).choices[0]!.message.content).to.equal('from B');
    a.handle(failWith(401));
    const err = await ask('gpt-4o', 'fo-top-401').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(OpenAI.AuthenticationError);
    expect(b.requests).to.have.length(1);
  });

  it('is never the default: an unlisted 4xx reaches the client at once, in its envelope, with its status', async () => {
    a.handle(failWith(402));
    const err = await ask('gpt-plain', 'fo-plain').catch((e: unknown) => e) as InstanceType<typeof OpenAI.APIError>;
    expect(err.status).to.equal(402);
    expect(err.message).to.contain('primary says 402');
    expect(a.requests).to.have.length(1);
    expect(b.requests).to.have.length(0);
  });

  it('every target answering a listed status: the client gets the last one\'s', async () => {
    a.handle(failWith(401));
    b.handle(failWith(403));
    const err = await ask('gpt-keys', 'fo-all').catch((e: unknown) => e) as InstanceType<typeof OpenAI.APIError>;
    expect(err.status).to.equal(403);
    expect(err.message).to.contain('primary says 403');
  });

  it('refuses statuses that are not client errors, naming the option', async () => {
    const { loadConfigFile } = await import('../../core/config/load.js');
    const { createGateway } = await import('../../core/app.js');
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/sluice-fo-');
    writeFileSync(`${dir}/sluice.yaml`, config({ chain: '  - use: router\n    with: { default: local, fallback_on: [500] }' }));
    const err = await createGateway(await loadConfigFile(`${dir}/sluice.yaml`)).catch((e: unknown) => e) as Error;
    expect(err.message).to.contain('fallback_on');
  });
});
