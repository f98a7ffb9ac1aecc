// The usage record of a call its client abandoned after it went upstream, before any answer (a JSON
// answer still being worked on, or a stream before its first event): the provider has the prompt and
// bills it, so the record carries the prompt's estimate as input, priced — as the ledger's
// `estimated` row and the limits charge it — not 0 tokens and $0, which had the marketplace and the
// gateway's own books disagree on the same request.
import { expect } from 'chai';
import path from 'node:path';
import { startFakeMarketplace, type FakeMarketplace, type FakeUsageRecord } from '../helpers/fake-marketplace.js';
import { startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { until } from '../plugins/ledger/client.js';

/** $1 per token in and out: the cost reads as the tokens. */
const PRICED = 'prices: { input: 1000000, output: 1000000 }';

function recordOf(fake: FakeMarketplace, id: string): FakeUsageRecord | undefined {
  for (const [key, record] of fake.usage) if (key.startsWith(`${id}~`)) return record;
  return undefined;
}

describe('marketplace: the record of a call its client abandoned before any answer', function () {
  this.timeout(30_000);
  let mock: MockUpstream;
  let fake: FakeMarketplace;
  let gw: TestGateway;
  before(async () => {
    mock = await startMockUpstream();
    // The provider takes its time: no status line, no byte, until the client is long gone.
    mock.handle(async (_req, res) => {
      await new Promise((r) => setTimeout(r, 1500));
      if (!res.destroyed) res.end('{}');
    });
    fake = await startFakeMarketplace();
    const dir = tempDir('sluice-market-abandoned-');
    gw = await startGateway(`server: { shutdown_grace_ms: 200 }
storage: { database: "sqlite:${path.join(dir, 'm.db')}" }
providers:
  mock: { type: openai, base_url: "${mock.url}", api_key: test-key, ${PRICED} }
chain:
  - use: router
    with: { default: mock }
  - use: marketplace
    with:
      url: "${fake.url}"
      api_key: "${fake.apiKey}"
      gateway_id: gw-abandoned
      report: all
      push_interval: 100ms
      pull_interval: 1h
`, { dir });
  });
  after(async () => {
    await gw?.close();
    await fake?.close();
    await mock?.close();
  });

  async function abandon(id: string, body: Record<string, unknown>): Promise<void> {
    const before = mock.requests.length;
    const abort = new AbortController();
    const sent = fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': id }, signal: abort.signal, body: JSON.stringify(body),
    });
    sent.catch(() => undefined);
    await until(() => mock.requests.length === before + 1);
    abort.abort();
  }

  for (const stream of [false, true]) {
    it(`${stream ? 'a stream before its first event' : 'a JSON answer'}: the prompt's estimate as input, nothing as output, priced`, async () => {
      const content = 'a question the provider takes its time over';
      const id = `abandoned-${stream ? 'stream' : 'json'}`;
      await abandon(id, { model: 'gpt-4o-mini', stream, messages: [{ role: 'user', content }] });
      await until(() => recordOf(fake, id) !== undefined);
      const record = recordOf(fake, id)!;
      const input = Math.ceil(content.length / 4) + 3; // core's estimateRequestTokens of one user turn
      expect(record).to.include({ provider: 'mock', model: 'gpt-4o-mini', input_tokens: input, output_tokens: 0 });
      expect(record.cost_usd).to.be.closeTo(input, 1e-9);
    });
  }
});
