// Per-provider retries (SPEC.md §5 router: "per-provider timeouts and retry budgets"): a provider's
// `retry` tries it again on what a fallback is taken on (connection errors, timeouts, 429, 5xx),
// before anything reached the client and never after the client left, within a retry budget, and
// each retry is an attempt in the log line and the metrics like a fallback. Before, a transient 503
// or a reset connection on a provider without a fallback failed the request.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ServerResponse } from 'node:http';
import { expect } from 'chai';
import OpenAI from 'openai';
import { chunk, defaultHandler, startMockUpstream, type MockHandler, type MockUpstream } from '../helpers/mock-upstream.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

type Failure = (res: ServerResponse) => void;

const error = (status: number, headers: Record<string, string> = {}): Failure => (res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
    .end(JSON.stringify({ error: { message: `upstream says ${status}`, type: status < 500 ? 'invalid_request_error' : 'server_error', param: null, code: `up_${status}` } }));
};
const unavailable = error(503);
const tooMany = error(429);
/** The connection is dropped without an answer: a reset, as a crashing upstream or a proxy gives. */
const reset: Failure = (res) => { res.socket?.destroy(); };
/** A stream that sends its preamble, then ends without content or a terminal event: a failure before the commit. */
const preambleThenEnd: Failure = (res) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(chunk('m', { role: 'assistant', content: '' }));
};
/** A stream cut after its first content: committed, so never retried. */
const contentThenCut: Failure = (res) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(chunk('m', { role: 'assistant', content: '' }));
  res.write(chunk('m', { content: 'Hello' }), () => setTimeout(() => res.socket?.destroy(), 50));
};

/** Fails the first calls as listed, then answers as the default mock does. */
function failingFirst(...failures: Failure[]): MockHandler {
  let calls = 0;
  return (req, res, raw) => {
    const fail = failures[calls++];
    if (fail) fail(res);
    else return defaultHandler(req, res, raw);
  };
}
const alwaysFailing = (failure: Failure): MockHandler => (_req, res) => failure(res);
const answerAsB: MockHandler = (req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
    id: 'chatcmpl-b', object: 'chat.completion', created: 1700000000, model: String(req.body?.['model']),
    choices: [{ index: 0, message: { role: 'assistant', content: 'from B', refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  }));
};

interface Attempt { provider: string; model: string; code: string; status: number; retried?: true }
interface LogLine { msg: string; request_id?: string; provider?: string; status?: number; outcome?: string; fallbacks?: Attempt[] }
const settle = () => new Promise((r) => setTimeout(r, 30));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The value of one series (exact label text), 0 when absent. */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

function gatewayYaml(a: MockUpstream, b: MockUpstream, reloadedRetry: string): string {
  // Cooldown off: these tests fail one provider request after request to see its retries.
  const p = (name: string, extra = '') => `  ${name}: { type: openai, base_url: "${a.url}", api_key: key-a${extra} }`;
  return config({
    providers: [
      p('noretry'),
      p('retry1', ', retry: { attempts: 1, backoff_ms: 5 }'),
      p('retry2', ', retry: { attempts: 2, backoff_ms: 5 }'),
      p('retry3', ', retry: { attempts: 3, backoff_ms: 5 }'),
      p('patient', ', retry: { attempts: 2, backoff_ms: 1000 }'),
      p('budgeted', ', retry: { attempts: 2, backoff_ms: 1, budget_percent: 0, min_per_second: 0.2 }'),
      p('reloaded', reloadedRetry),
      `  backup: { type: openai, base_url: "${b.url}", api_key: key-b }`,
    ].join('\n'),
    chain: `  - use: router
    with:
      routes:
        - { match: "m-noretry", provider: noretry }
        - { match: "m-retry1-fb", provider: retry1, fallbacks: [backup] }
        - { match: "m-retry2-fb", provider: retry2, fallbacks: [backup] }
        - { match: "m-retry2", provider: retry2 }
        - { match: "m-retry3", provider: retry3 }
        - { match: "m-patient", provider: patient }
        - { match: "m-budgeted", provider: budgeted }
        - { match: "m-reloaded", provider: reloaded }
`,
  });
}

describe('provider retries', () => {
  let a: MockUpstream;
  let b: MockUpstream;
  let gw: TestGateway;
  let client: OpenAI;

  before(async () => {
    a = await startMockUpstream();
    b = await startMockUpstream();
    gw = await startGateway(gatewayYaml(a, b, ''));
    // The SDK's own retries off: every retry seen here is the gateway's.
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
  });
  after(async () => { await gw.close(); await a.close(); await b.close(); });
  beforeEach(() => {
    a.requests.length = 0; b.requests.length = 0;
    a.handle(defaultHandler); b.handle(answerAsB);
  });

  const chat = (model: string, requestId: string, signal?: AbortSignal) =>
    client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-request-id': requestId }, signal });
  const failure = async (promise: Promise<unknown>): Promise<{ status?: number }> => {
    try {
      await promise;
    } catch (err) {
      return err as { status?: number };
    }
    throw new Error('the request succeeded');
  };
  const line = async (requestId: string): Promise<LogLine> => {
    for (let i = 0; i < 100; i++) {
      const found = gw.logs.map((l) => JSON.parse(l) as LogLine).find((l) => l.msg === 'request' && l.request_id === requestId);
      if (found) return found;
      await sleep(10);
    }
    throw new Error(`no log line for ${requestId}`);
  };
  const metrics = async () => (await fetch(`${gw.url}/metrics`)).text();
  const retries = (text: string, provider: string, result: string) => value(text, `sluice_upstream_retries_total{provider="${provider}",result="${result}"}`);
  const attemptCount = (text: string, provider: string, outcome: string) => value(text, `sluice_upstream_duration_seconds_count{provider="${provider}",outcome="${outcome}"}`);

  it('with attempts 0 (the default) a 503 reaches the client as before, after one upstream call', async () => {
    a.handle(failingFirst(unavailable));
    const err = await failure(chat('m-noretry', 'rt-none'));
    expect(err.status).to.equal(503);
    expect(a.requests).to.have.length(1);
  });

  it('with attempts 2, a 503 and then a reset connection are retried: success on the third upstream call, each retry in the log and metrics', async () => {
    a.handle(failingFirst(unavailable, reset));
    const before = await metrics();
    const res = await chat('m-retry2', 'rt-two');
    expect(res.choices[0]!.message.content).to.equal('Hello world');
    expect(a.requests).to.have.length(3);
    const l = await line('rt-two');
    expect(l.provider).to.equal('retry2');
    expect(l.status).to.equal(200);
    expect(l.fallbacks).to.have.length(2);
    expect(l.fallbacks![0]).to.deep.equal({ provider: 'retry2', model: 'm-retry2', code: 'SLUICE_E_UPSTREAM_ERROR', status: 503, retried: true });
    expect(l.fallbacks![1]).to.include({ provider: 'retry2', code: 'SLUICE_E_UPSTREAM_UNAVAILABLE', retried: true });
    const after = await metrics();
    expect(retries(after, 'retry2', 'retried') - retries(before, 'retry2', 'retried')).to.equal(2);
    expect(attemptCount(after, 'retry2', 'error') - attemptCount(before, 'retry2', 'error')).to.equal(2);
    expect(attemptCount(after, 'retry2', 'success') - attemptCount(before, 'retry2', 'success')).to.equal(1);
  });

  it('retries a 429 without retry-after too (503, reset, 429, then success with attempts 3)', async () => {
    a.handle(failingFirst(unavailable, reset, tooMany));
    const res = await chat('m-retry3', 'rt-three');
    expect(res.choices[0]!.message.content).to.equal('Hello world');
    expect(a.requests).to.have.length(4);
  });

  it('returns the last failure once the attempts are spent and no fallback is left', async () => {
    a.handle(failingFirst(unavailable, reset, tooMany));
    const err = await failure(chat('m-retry2', 'rt-spent'));
    expect(err.status).to.equal(429);
    expect(a.requests).to.have.length(3);
  });

  it('retries first, then falls back, and logs which attempt was retried', async () => {
    a.handle(alwaysFailing(error(500)));
    const res = await chat('m-retry1-fb', 'rt-then-fb');
    expect(res.choices[0]!.message.content).to.equal('from B');
    expect(a.requests).to.have.length(2);
    expect(b.requests).to.have.length(1);
    const l = await line('rt-then-fb');
    expect(l.provider).to.equal('backup');
    expect(l.fallbacks).to.deep.equal([
      { provider: 'retry1', model: 'm-retry1-fb', code: 'SLUICE_E_UPSTREAM_ERROR', status: 500, retried: true },
      { provider: 'retry1', model: 'm-retry1-fb', code: 'SLUICE_E_UPSTREAM_ERROR', status: 500 },
    ]);
  });

  it('retries a stream that failed before its commit', async () => {
    a.handle(failingFirst(preambleThenEnd));
    const stream = await client.chat.completions.create({ model: 'm-retry2', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    expect(text).to.equal('Hello world');
    expect(a.requests).to.have.length(2);
  });

  it('never retries a stream once it has committed (content reached the client)', async () => {
    a.handle(failingFirst(contentThenCut));
    const stream = await client.chat.completions.create({ model: 'm-retry2', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    try {
      for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    } catch {
      // the in-stream error: what a committed stream gets instead of a retry
    }
    expect(text).to.equal('Hello');
    await settle();
    expect(a.requests).to.have.length(1);
  });

  for (const status of [400, 401]) {
    it(`does not retry a ${status}`, async () => {
      a.handle(alwaysFailing(error(status)));
      const err = await failure(chat('m-retry2', `rt-${status}`));
      expect(err.status).to.equal(status);
      expect(a.requests).to.have.length(1);
    });
  }

  it('does not retry the same provider when a 429 asks for 30 s: the error returns, or the fallback answers', async () => {
    a.handle(alwaysFailing(error(429, { 'retry-after': '30' })));
    const err = await failure(chat('m-retry2', 'rt-ra-30'));
    expect(err.status).to.equal(429);
    expect(a.requests).to.have.length(1);
    a.requests.length = 0;
    const res = await chat('m-retry2-fb', 'rt-ra-30-fb');
    expect(res.choices[0]!.message.content).to.equal('from B');
    expect(a.requests).to.have.length(1);
    expect(b.requests).to.have.length(1);
  });

  it('waits for a short retry-after the backoff allows before the retry', async () => {
    a.handle(failingFirst(error(503, { 'retry-after': '1' })));
    const started = performance.now();
    const res = await chat('m-patient', 'rt-ra-1');
    expect(res.choices[0]!.message.content).to.equal('Hello world');
    expect(performance.now() - started).to.be.at.least(990);
    expect(a.requests).to.have.length(2);
  });

  it('does not retry once the client has gone while the upstream call was in flight', async () => {
    // The first call never answers; the client gives up on it.
    a.handle(failingFirst(() => undefined));
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 150);
    await failure(chat('m-retry2', 'rt-abort-call', abort.signal));
    const l = await line('rt-abort-call');
    expect(l.outcome).to.equal('client_disconnect');
    await sleep(200);
    expect(a.requests).to.have.length(1);
  });

  it('stops waiting to retry when the client goes during the backoff', async () => {
    // retry-after 1 with backoff_ms 1000: the retry would wait one second.
    a.handle(failingFirst(error(503, { 'retry-after': '1' })));
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 150);
    const started = performance.now();
    await failure(chat('m-patient', 'rt-abort-backoff', abort.signal));
    const l = await line('rt-abort-backoff');
    expect(l.outcome).to.equal('client_disconnect');
    expect(performance.now() - started).to.be.below(900);
    await sleep(1100);
    expect(a.requests).to.have.length(1);
  });

  it('keeps the retries of a failing provider within its budget under a burst, and counts those refused', async () => {
    // budget_percent 0, min_per_second 0.2: at most 2 retries in any 10 s, whatever the traffic.
    a.handle(alwaysFailing(unavailable));
    const before = await metrics();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => failure(chat('m-budgeted', `rt-budget-${i}`))));
    expect(results.every((r) => r.status === 503)).to.equal(true);
    const after = await metrics();
    const retried = retries(after, 'budgeted', 'retried') - retries(before, 'budgeted', 'retried');
    const refused = retries(after, 'budgeted', 'over_budget') - retries(before, 'budgeted', 'over_budget');
    expect(retried).to.equal(2);
    expect(a.requests).to.have.length(10 + 2);
    // Every request but at most the one that had both retries was refused a retry.
    expect(refused).to.be.at.least(9);
  });

  it('applies a reload that changes a provider\'s retry settings', async () => {
    a.handle(failingFirst(unavailable));
    expect((await failure(chat('m-reloaded', 'rt-reload-before'))).status).to.equal(503);
    expect(a.requests).to.have.length(1);

    writeFileSync(path.join(gw.dir, 'sluice.yaml'), gatewayYaml(a, b, ', retry: { attempts: 1, backoff_ms: 5 }'));
    await gw.gateway.reload();
    a.requests.length = 0;
    a.handle(failingFirst(unavailable));
    const res = await chat('m-reloaded', 'rt-reload-after');
    expect(res.choices[0]!.message.content).to.equal('Hello world');
    expect(a.requests).to.have.length(2);
  });
});
