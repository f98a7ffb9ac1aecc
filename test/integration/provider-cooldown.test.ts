// Provider cooldown: a provider that keeps failing is skipped by requests that have another target
// for a while, instead of every request paying its timeout before the fallback serves; then one
// request probes it (half-open) and an answer puts it back. Never a refusal: a request with no
// other target (or all of them cooling down) still tries it.
import { expect } from 'chai';
import OpenAI from 'openai';
import { chatCompletionBody, defaultHandler, startMockUpstream, type MockHandler, type MockUpstream } from '../helpers/mock-upstream.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

const answerAsB: MockHandler = (req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(chatCompletionBody(String(req.body?.['model'] ?? 'mock'), 'from B')));
};
/** Never answers: the gateway's first_byte_ms runs out. */
const hang: MockHandler = () => undefined;
const failWith = (status: number, headers: Record<string, string> = {}): MockHandler => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
    .end(JSON.stringify({ error: { message: `primary says ${status}`, type: 'server_error', param: null, code: null } }));
};
const slowly = (ms: number, then: MockHandler): MockHandler => (req, res, raw) => { setTimeout(() => { void then(req, res, raw); }, ms); };

interface LogLine { msg: string; provider?: string; request_id?: string; cooldown_ms?: number; failures?: number; status?: number; fallbacks?: { provider: string }[] }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The timeout and the periods are long beside a request on a loaded machine (one took 250–450 ms at
// load 14): each test makes a few requests inside a period and must not see it end meanwhile.
const TIMEOUT_MS = 1000;
const PERIOD_MS = 2000;

describe('provider cooldown', function () {
  this.timeout(30_000);
  let a: MockUpstream;
  let b: MockUpstream;
  let gw: TestGateway;
  let client: OpenAI;

  before(async () => {
    a = await startMockUpstream();
    b = await startMockUpstream();
    // Each test has its own primary (p1, p2, …: cooldowns are per provider), all on mock A.
    const primary = (name: string, extra = '') => `  ${name}: { type: openai, base_url: "${a.url}", api_key: key-a, timeouts: { first_byte_ms: ${TIMEOUT_MS} }, cooldown: { after_failures: 2, period_ms: ${PERIOD_MS} }${extra} }`;
    gw = await startGateway(config({
      providers: [
        primary('p1'), primary('p2'), primary('p3'), primary('p4'), primary('p5'),
        primary('p6', ', retry: { attempts: 3, backoff_ms: 1 }'),
        `  backup: { type: openai, base_url: "${b.url}", api_key: key-b }`,
        `  b3: { type: openai, base_url: "${b.url}", api_key: key-b, cooldown: { after_failures: 1, period_ms: 5000 } }`,
      ].join('\n'),
      chain: `  - use: router
    with:
      routes:
        - { match: "m1", provider: p1, fallbacks: [backup] }
        - { match: "solo1", provider: p1 }
        - { match: "m2", provider: p2, fallbacks: [backup] }
        - { match: "m3", provider: p3, fallbacks: [b3] }
        - { match: "m4", provider: p4, fallbacks: [backup] }
        - { match: "m5", provider: p5, fallbacks: [backup] }
        - { match: "m6", provider: p6, fallbacks: [backup] }`,
    }));
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
  });
  after(async () => { await gw?.close(); await a?.close(); await b?.close(); });
  beforeEach(() => {
    a.requests.length = 0; b.requests.length = 0;
    a.handle(defaultHandler); b.handle(answerAsB);
  });

  const ask = async (model: string) => (await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] })).choices[0]!.message.content;
  const timed = async (model: string) => { const t = performance.now(); const text = await ask(model); return { text, ms: performance.now() - t }; };
  const logs = () => gw.logs.map((l) => JSON.parse(l) as LogLine);
  const metric = async (series: string) => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  it('skips a provider that timed out N times in a row, without paying its timeout, then probes it and puts it back', async () => {
    a.handle(hang);
    for (let i = 0; i < 2; i++) {
      const r = await timed('m1');
      expect(r.text).to.equal('from B');
      expect(r.ms).to.be.greaterThan(TIMEOUT_MS - 50); // paid the timeout
    }
    expect(a.requests).to.have.length(2);
    const entered = logs().find((l) => l.msg.startsWith('provider cooling down') && l.provider === 'p1');
    expect(entered, 'a log line as it enters cooldown').to.include({ failures: 2, cooldown_ms: PERIOD_MS });
    expect(await metric('sluice_provider_cooldown{provider="p1"}')).to.equal(1);
    expect(await metric('sluice_provider_cooldowns_total{provider="p1"}')).to.equal(1);

    // Cooling down: the fallback serves at once.
    const fast = await timed('m1');
    expect(fast.text).to.equal('from B');
    expect(fast.ms).to.be.lessThan(TIMEOUT_MS / 2);
    expect(a.requests).to.have.length(2);

    // A request with no other target still tries it: a cooldown never refuses.
    const solo = await ask('solo1').catch((e: unknown) => e);
    expect(solo).to.be.instanceOf(OpenAI.APIError);
    expect((solo as InstanceType<typeof OpenAI.APIError>).status).to.equal(504);
    expect(a.requests).to.have.length(3);

    // The provider recovers; after the period one request probes it, and it serves again.
    a.handle(defaultHandler);
    await sleep(PERIOD_MS + 50);
    expect(await ask('m1')).to.equal('Hello world');
    expect(a.requests).to.have.length(4);
    expect(logs().some((l) => l.msg === 'provider back in service after its cooldown' && l.provider === 'p1')).to.equal(true);
    expect(await metric('sluice_provider_cooldown{provider="p1"}')).to.equal(0);
    expect(await ask('m1')).to.equal('Hello world');
  });

  it('a failed probe starts another period', async () => {
    a.handle(failWith(500));
    await ask('m2'); await ask('m2');
    expect(a.requests).to.have.length(2);
    await sleep(PERIOD_MS + 50);
    expect(await ask('m2')).to.equal('from B'); // the probe: it fails, B serves
    expect(a.requests).to.have.length(3);
    expect(await ask('m2')).to.equal('from B'); // cooling again
    expect(a.requests).to.have.length(3);
    expect(await metric('sluice_provider_cooldowns_total{provider="p2"}')).to.equal(2);
  });

  it('lets one probe through at a time (half-open): concurrent requests keep skipping it meanwhile', async () => {
    a.handle(failWith(503));
    await ask('m4'); await ask('m4');
    await sleep(PERIOD_MS + 50);
    // The probe's answer takes a second: the two others are routed while it is out, even under load.
    a.handle(slowly(1000, defaultHandler));
    const answers = await Promise.all([ask('m4'), ask('m4'), ask('m4')]);
    expect(a.requests).to.have.length(3); // the two failures, then one probe
    expect(answers.filter((t) => t === 'Hello world')).to.have.length(1);
    expect(answers.filter((t) => t === 'from B')).to.have.length(2);
  });

  it('cools down at once on a 429 with retry-after, for as long as it asks', async () => {
    a.handle(failWith(429, { 'retry-after': '2' }));
    expect(await ask('m5')).to.equal('from B');
    const entered = logs().find((l) => l.msg.startsWith('provider cooling down') && l.provider === 'p5');
    expect(entered).to.include({ cooldown_ms: 2000, status: 429 });
    a.handle(defaultHandler);
    expect(await ask('m5')).to.equal('from B');
    expect(a.requests).to.have.length(1);
    await sleep(2050);
    expect(await ask('m5')).to.equal('Hello world');
  });

  it('every target cooling down: they are tried anyway, in order', async () => {
    a.handle(failWith(500));
    b.handle(failWith(502));
    await ask('m3').catch(() => undefined); // b3 (after_failures: 1) cools at once
    await ask('m3').catch(() => undefined); // p3 cools now
    a.handle(defaultHandler); b.handle(answerAsB);
    a.requests.length = 0; b.requests.length = 0;
    expect(await ask('m3')).to.equal('Hello world');
    expect(a.requests).to.have.length(1);
    expect(b.requests).to.have.length(0);
  });

  it('a provider that goes into cooldown is not retried while another target is left', async () => {
    a.handle(failWith(500));
    expect(await ask('m6')).to.equal('from B'); // try + 1 retry = 2 failures in a row: cooling, so no more retries
    expect(a.requests).to.have.length(2);
    expect(b.requests).to.have.length(1);
  });

  it('an answer between failures starts the count again', async () => {
    a.handle(failWith(500));
    await ask('m1').catch(() => undefined);
    await sleep(10);
    // p1 is back in service from the first test; one failure, an answer, one failure: not two in a row.
    a.handle(defaultHandler);
    await ask('m1');
    a.handle(failWith(500));
    await ask('m1');
    a.handle(defaultHandler);
    expect(await ask('m1')).to.equal('Hello world');
  });
});
