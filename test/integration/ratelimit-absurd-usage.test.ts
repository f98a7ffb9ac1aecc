// Usage is the provider's own figure, and a provider can report nonsense. A count past 2^53
// (completion_tokens: 1e300) made the Redis settle fail on every retry — the request's use never
// counted, and the settle sat at the head of the retry queue — and a negative count handed back
// what earlier requests had used. Such figures are now bounded: the absurd one exhausts the limit
// (what the provider claims was used), the negative one counts nothing. Memory store, and the real
// Redis when SLUICE_TEST_REDIS is set.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { chatCompletionBody, startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';

const REDIS = process.env['SLUICE_TEST_REDIS'];
const TPM = 1_000_000;

/** Each model reports the completion tokens its name says. */
const REPORTED: Record<string, number> = { 'gpt-fair': 1000, 'gpt-absurd': 1e300, 'gpt-negative': -900_000 };

function gatewayConfig(upstream: string, store: string): string {
  return `server: { shutdown_grace_ms: 200 }
storage:
  database: "sqlite::memory:"
${REDIS && store === 'redis' ? `  redis: "${REDIS}"\n` : ''}logging: { level: warn }
providers:
  mock: { type: openai, base_url: "${upstream}", api_key: k, prices: { input: 1, output: 1 } }
chain:
  - use: router
    with: { default: mock }
  - use: ratelimit
    with:
      store: ${store}
      key_prefix: "sluice-test-absurd:${randomUUID()}:"
      rules: [{ scope: global, tpm: ${TPM}, budget_daily_usd: 1000 }]
`;
}

function suite(store: 'memory' | 'redis') {
  describe(`ratelimit: a provider's absurd or negative usage (${store} store)`, function () {
    this.timeout(20_000);
    let mock: MockUpstream;
    let gw: TestGateway;

    before(async function () {
      if (store === 'redis' && !REDIS) return this.skip();
      mock = await startMockUpstream();
      mock.handle((req, res) => {
        const model = String(req.body!['model']);
        const body = chatCompletionBody(model, 'ok');
        body['usage'] = { prompt_tokens: 10, completion_tokens: REPORTED[model], total_tokens: 10 };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
      gw = await startGateway(gatewayConfig(mock.url, store));
    });
    after(async () => { await gw?.close(); await mock?.close(); });

    const ask = async (model: string) => {
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
      });
      await res.text();
      return { status: res.status, remaining: Number(res.headers.get('x-ratelimit-remaining-tokens')) };
    };
    /** The tokens left once the last request settled (settling runs just after the answer). */
    const settledRemaining = async (model: string) => {
      await new Promise((r) => setTimeout(r, 300));
      return ask(model);
    };

    it('a negative count hands back nothing that other requests used', async () => {
      expect((await ask('gpt-fair')).status).to.equal(200);
      const afterFair = await settledRemaining('gpt-negative');
      expect(afterFair.status).to.equal(200);
      const afterNegative = await settledRemaining('gpt-fair');
      // The fair request's 1,010 tokens stay counted: the window never gets back more than was reserved.
      expect(TPM - afterNegative.remaining).to.be.at.least(1010);
    });

    it('a count past 2^53 is counted (the limit is spent) instead of failing the settle', async () => {
      expect((await ask('gpt-absurd')).status).to.equal(200);
      const next = await settledRemaining('gpt-fair');
      expect(next.status).to.equal(429);
      const metrics = await (await fetch(`${gw.url}/metrics`)).text();
      expect(metrics).to.not.match(/sluice_ratelimit_store_errors_total\{op="settle"\} [1-9]/);
    });
  });
}

suite('memory');
suite('redis');
