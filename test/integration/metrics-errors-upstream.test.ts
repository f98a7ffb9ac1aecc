// SPEC.md §5 metrics lists "errors by class" and "upstream latency" beside requests and latency:
// `sluice_errors_total` counts failed or refused requests by their SLUICE_E_* code, and
// `sluice_upstream_duration_seconds` times every upstream attempt, a failed one before a fallback
// included.
import { expect } from 'chai';
import { chatCompletionBody, startMockUpstream, type MockHandler, type MockUpstream } from '../helpers/mock-upstream.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

const failing: MockHandler = (_req, res) => {
  res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'down', type: 'server_error' } }));
};
const answer: MockHandler = (req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(chatCompletionBody(String(req.body?.['model']), 'ok')));
};

/** The value of one series (exact label text), 0 when absent. */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('metrics: errors by class and upstream latency', () => {
  let a: MockUpstream;
  let b: MockUpstream;
  let gw: TestGateway;

  before(async () => {
    a = await startMockUpstream();
    b = await startMockUpstream();
    a.handle(failing);
    b.handle(answer);
    gw = await startGateway(config({
      providers: [
        `  broken: { type: openai, base_url: "${a.url}", api_key: key-a }`,
        `  backup: { type: openai, base_url: "${b.url}", api_key: key-b }`,
      ].join('\n'),
      chain: `  - use: router
    with:
      routes:
        - { match: "gpt-fallback", provider: broken, fallbacks: [backup] }
        - { match: "gpt-broken", provider: broken }
`,
    }));
  });
  after(async () => { await gw.close(); await a.close(); await b.close(); });

  const chat = async (model: string) => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
    await res.text();
    return res.status;
  };
  const metrics = async () => (await fetch(`${gw.url}/metrics`)).text();

  it('declares both series in the Prometheus text format', async () => {
    const text = await metrics();
    expect(text).to.include('# TYPE sluice_errors_total counter');
    expect(text).to.include('# TYPE sluice_upstream_duration_seconds histogram');
  });

  it('times each upstream attempt by provider and result, the failed one before a fallback included', async () => {
    const before = await metrics();
    expect(await chat('gpt-fallback')).to.equal(200);
    const after = await metrics();
    const count = (t: string, provider: string, outcome: string) => value(t, `sluice_upstream_duration_seconds_count{provider="${provider}",outcome="${outcome}"}`);
    expect(count(after, 'broken', 'error') - count(before, 'broken', 'error')).to.equal(1);
    expect(count(after, 'backup', 'success') - count(before, 'backup', 'success')).to.equal(1);
    expect(value(after, 'sluice_upstream_duration_seconds_sum{provider="backup",outcome="success"}')).to.be.greaterThan(0);
  });

  it('counts errors by endpoint, provider and error code, and nothing for a success', async () => {
    const before = await metrics();
    expect(await chat('gpt-broken')).to.equal(500);
    expect(await chat('no-such-model')).to.equal(404);
    expect(await chat('gpt-fallback')).to.equal(200);
    const after = await metrics();
    const errors = (t: string, labels: string) => value(t, `sluice_errors_total{${labels}}`);
    expect(errors(after, 'endpoint="openai.chat",provider="broken",code="SLUICE_E_UPSTREAM_ERROR"')
      - errors(before, 'endpoint="openai.chat",provider="broken",code="SLUICE_E_UPSTREAM_ERROR"')).to.equal(1);
    expect(errors(after, 'endpoint="openai.chat",provider="none",code="SLUICE_E_MODEL_NOT_FOUND"')
      - errors(before, 'endpoint="openai.chat",provider="none",code="SLUICE_E_MODEL_NOT_FOUND"')).to.equal(1);
    expect(after).to.not.match(/^sluice_errors_total\{[^}]*provider="backup"/m);
  });
});
