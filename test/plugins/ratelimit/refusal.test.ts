// What a 429 says, in a running gateway (memory store): each reset header is that limit's own reset
// whichever limit refused; retry-after only when waiting can help; the message tells a spent budget
// from one the request's estimate would overshoot, and suggests max_tokens only where there is one.
import { expect } from 'chai';
import { startGateway, type TestGateway } from '../../helpers/gateway.js';
import { chatCompletionBody, startMockUpstream, type MockUpstream } from '../../helpers/mock-upstream.js';

/** $1000 per million tokens in and out: a token costs a thousandth of a dollar. */
function gatewayConfig(rules: string): string {
  return `server:
  shutdown_grace_ms: 200
storage:
  database: "sqlite::memory:"
providers:
  local: { type: loopback, prices: { input: 1000, output: 1000 } }
chain:
  - use: auth
    with: { mode: none }
  - use: router
    with: { default: local }
  - use: translator
  - use: ratelimit
    with: { rules: ${rules} }
`;
}

const post = (gw: TestGateway, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const chat = (model: string, max: number) => ({ model, max_tokens: max, messages: [{ role: 'user', content: 'hi' }] });
const message = async (res: Response) => ((await res.json()) as { error: { message: string } }).error.message;

/** An OpenAI reset duration (`59.2s`, `6m0s`, `19h27m31s`, `20ms`) in ms. */
function durationMs(text: string | null): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:([\d.]+)s)?(?:(\d+)ms)?$/.exec(text ?? '');
  if (!m || !text) throw new Error(`not a reset duration: ${text}`);
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000 + Number(m[4] ?? 0);
}

describe('ratelimit: what a refusal says', function () {
  this.timeout(30_000);
  let gw: TestGateway | undefined;
  afterEach(async () => { await gw?.close(); gw = undefined; });

  it('an rpm refusal keeps the daily budget\'s real reset (not 0ms)', async () => {
    gw = await startGateway(gatewayConfig('[{ scope: model, match: "slow*", rpm: 2 }, { scope: global, budget_daily_usd: 5 }]'));
    const resets: number[] = [];
    for (let i = 0; i < 2; i++) {
      const ok = await post(gw, '/v1/chat/completions', chat('slowpoke', 5));
      expect(ok.status).to.equal(200);
      resets.push(durationMs(ok.headers.get('x-ratelimit-reset-budget-usd')));
    }
    const refused = await post(gw, '/v1/chat/completions', chat('slowpoke', 5));
    expect(refused.status).to.equal(429);
    expect(await message(refused)).to.match(/^rate limit reached: 2 requests per minute for model slowpoke$/);
    expect(refused.headers.get('retry-after')).to.match(/^\d+$/);
    const budgetReset = durationMs(refused.headers.get('x-ratelimit-reset-budget-usd'));
    expect(budgetReset).to.be.greaterThan(0);
    expect(Math.abs(budgetReset - resets[1]!)).to.be.below(5_000);
  });

  it('a request over a limit on its own: no retry-after, x-should-retry: false, the limit headers kept', async () => {
    gw = await startGateway(gatewayConfig('[{ scope: model, match: "tiny*", tpm: 100 }, { scope: model, match: "big*", budget_daily_usd: 0.05 }]'));
    const tokens = await post(gw, '/v1/chat/completions', chat('tiny', 200));
    expect(tokens.status).to.equal(429);
    expect(tokens.headers.get('x-should-retry')).to.equal('false');
    expect(tokens.headers.get('retry-after')).to.equal(null);
    // The window holds nothing: it frees now (the header says when the window frees, not when to retry).
    expect(tokens.headers.get('x-ratelimit-reset-tokens')).to.equal('0ms');
    expect(tokens.headers.get('x-ratelimit-limit-tokens')).to.equal('100');
    expect(await message(tokens)).to.match(/on its own: its \d+ tokens \(prompt estimate plus maximum output\); lower max_tokens$/);

    const cost = await post(gw, '/v1/chat/completions', chat('big', 100_000));
    expect(cost.status).to.equal(429);
    expect(cost.headers.get('x-should-retry')).to.equal('false');
    expect(cost.headers.get('retry-after')).to.equal(null);
    // The day's window still ends when it ends.
    expect(durationMs(cost.headers.get('x-ratelimit-reset-budget-usd'))).to.be.greaterThan(1000);
    expect(await message(cost)).to.match(/exceeds the limit of 0\.05 USD per day for model big on its own: its estimated cost \([\d.]+ USD\); lower max_tokens$/);

    const embed = await post(gw, '/v1/embeddings', { model: 'big-embed', input: 'word '.repeat(100) });
    expect(embed.status).to.equal(429);
    const text = await message(embed);
    expect(text).to.match(/on its own: its estimated cost \([\d.]+ USD\); send less input$/);
    expect(text).to.not.contain('max_tokens');
  });

  it('a budget with room left, but not enough for the estimate, "would exceed" it (not "exhausted")', async () => {
    gw = await startGateway(gatewayConfig('[{ scope: global, budget_daily_usd: 0.05 }]'));
    expect((await post(gw, '/v1/chat/completions', chat('m', 10))).status).to.equal(200);
    const refused = await post(gw, '/v1/chat/completions', chat('m', 45));
    expect(refused.status).to.equal(429);
    const left = Number(refused.headers.get('x-ratelimit-remaining-budget-usd'));
    expect(left).to.be.within(0.01, 0.05);
    const text = await message(refused);
    expect(text).to.match(/^request would exceed the budget of 0\.05 USD per day for all requests \(day:[\d-]+\): its estimated cost is [\d.]+ USD, [\d.]+ USD of it left; a lower max_tokens may fit$/);
    expect(text).to.contain(`${left} USD of it left`);
    expect(text).to.not.contain('exhausted');
  });

  it('a tpm refusal caused only by a request in flight: retry-after 1 and a 1s token reset, and the same request fits once it settled', async () => {
    let mock: MockUpstream | undefined;
    try {
      mock = await startMockUpstream();
      // The first request is held until released: the one in flight while the second arrives.
      let release: () => void = () => {};
      const held = new Promise<void>((r) => { release = r; });
      let calls = 0;
      mock.handle(async (req, res) => {
        if (++calls === 1) await held;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(chatCompletionBody(String(req.body?.['model']), 'ok')));
      });
      gw = await startGateway(gatewayConfig('[{ scope: global, tpm: 100 }]').replace(
        '  local: { type: loopback, prices: { input: 1000, output: 1000 } }',
        `  local: { type: openai, base_url: "${mock.url}", api_key: test-key }`,
      ));
      const first = post(gw, '/v1/chat/completions', chat('gpt-mock', 60));
      while (mock.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
      const refused = await post(gw, '/v1/chat/completions', chat('gpt-mock', 60));
      expect(refused.status).to.equal(429);
      expect(refused.headers.get('retry-after')).to.equal('1');
      expect(refused.headers.get('x-ratelimit-reset-tokens')).to.equal('1s');
      expect(refused.headers.get('x-should-retry')).to.equal(null);
      release();
      expect((await first).status).to.equal(200);
      // Settled for its real 17 tokens: there is room again, well before the minute is out.
      let again = await post(gw, '/v1/chat/completions', chat('gpt-mock', 60));
      for (let i = 0; i < 20 && again.status === 429; i++) {
        await new Promise((r) => setTimeout(r, 50));
        again = await post(gw, '/v1/chat/completions', chat('gpt-mock', 60));
      }
      expect(again.status).to.equal(200);
    } finally {
      await gw?.close();
      gw = undefined;
      await mock?.close();
    }
  });

  it('a lifetime budget never resets: no retry-after and no reset header, x-should-retry: false', async () => {
    gw = await startGateway(gatewayConfig('[{ scope: session, budget_usd: 0.02 }]'));
    const session = { 'x-session-id': 'life-1' };
    expect((await post(gw, '/v1/chat/completions', chat('m', 10), session)).status).to.equal(200);
    let refused: Response | undefined;
    for (let i = 0; i < 5 && !refused; i++) {
      const res = await post(gw, '/v1/chat/completions', chat('m', 10), session);
      if (res.status === 429) refused = res;
      else expect(res.status).to.equal(200);
    }
    expect(refused, 'the session budget refuses within five requests').to.not.equal(undefined);
    expect(refused!.headers.get('retry-after')).to.equal(null);
    expect(refused!.headers.get('x-ratelimit-reset-budget-usd')).to.equal(null);
    expect(refused!.headers.get('x-should-retry')).to.equal('false');
    expect(refused!.headers.get('x-ratelimit-limit-budget-usd')).to.equal('0.02');
  });

  it('a request for several choices reserves its output cap once per choice (Chat n, Gemini candidateCount)', async () => {
    // The provider bills every choice's output: n: 8 at max_tokens 40 may cost 320 output tokens. Reserved
    // as 40, eight such requests in flight each passed a budget with room for one.
    gw = await startGateway(gatewayConfig('[{ scope: global, tpm: 150 }]'));
    const many = await post(gw, '/v1/chat/completions', { ...chat('m', 40), n: 4 });
    expect(many.status).to.equal(429);
    expect(await message(many)).to.match(/on its own: its 16\d tokens \(prompt estimate plus maximum output\)/);
    const gemini = await post(gw, '/v1beta/models/m:generateContent', { contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig: { maxOutputTokens: 40, candidateCount: 4 } });
    expect(gemini.status).to.equal(429);
    expect(gemini.headers.get('x-should-retry')).to.equal('false');
    // Two choices of 40 fit, and reserve 80 of output.
    const two = await post(gw, '/v1/chat/completions', { ...chat('m', 40), n: 2 });
    expect(two.status).to.equal(200);
    expect(Number(two.headers.get('x-ratelimit-remaining-tokens'))).to.be.within(150 - 80 - 10, 150 - 80);
  });
});
