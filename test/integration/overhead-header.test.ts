// x-sluice-overhead-ms (SPEC.md §3) is the time spent in Sluice itself, not upstream: the wait for
// a provider that failed — before a fallback answered, or when every target failed — is upstream
// time too.
import { expect } from 'chai';
import { chatCompletionBody, startMockUpstream, type MockHandler, type MockUpstream } from '../helpers/mock-upstream.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

/** The upstream takes `ms` before it answers 500. */
const slowFailure = (ms: number): MockHandler => async (_req, res) => {
  await new Promise((r) => setTimeout(r, ms));
  res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'slow failure', type: 'server_error' } }));
};

const answer: MockHandler = (req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(chatCompletionBody(String(req.body?.['model']), 'from B')));
};

describe('x-sluice-overhead-ms leaves out every upstream wait', () => {
  const SLOW_MS = 600;
  let a: MockUpstream;
  let b: MockUpstream;
  let gw: TestGateway;

  before(async () => {
    a = await startMockUpstream();
    b = await startMockUpstream();
    a.handle(slowFailure(SLOW_MS));
    b.handle(answer);
    gw = await startGateway(config({
      providers: [
        `  slow: { type: openai, base_url: "${a.url}", api_key: key-a }`,
        `  backup: { type: openai, base_url: "${b.url}", api_key: key-b }`,
      ].join('\n'),
      chain: `  - use: router
    with:
      routes:
        - { match: "gpt-fallback", provider: slow, fallbacks: [backup] }
        - { match: "gpt-all-fail", provider: slow, fallbacks: [slow] }
      default: local
`,
    }));
  });
  after(async () => { await gw.close(); await a.close(); await b.close(); });

  const chat = async (model: string) => {
    const started = performance.now();
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
    await res.text();
    return { status: res.status, overhead: Number(res.headers.get('x-sluice-overhead-ms')), total: performance.now() - started };
  };

  it('after a fallback, the failed provider\'s wait is not counted as overhead', async () => {
    const r = await chat('gpt-fallback');
    expect(r.status).to.equal(200);
    expect(r.total, 'the slow primary was waited for').to.be.at.least(SLOW_MS);
    expect(r.overhead).to.be.at.least(0).and.below(SLOW_MS / 2);
  });

  it('when every target failed, none of their waits is counted as overhead', async () => {
    const r = await chat('gpt-all-fail');
    expect(r.status).to.equal(500);
    expect(r.total, 'both attempts were waited for').to.be.at.least(2 * SLOW_MS);
    expect(r.overhead).to.be.at.least(0).and.below(SLOW_MS / 2);
  });
});
