// The usage record of a stream cut before its provider's usage report (the client gone mid-way):
// not 0 tokens and $0, which would have a seller bill nothing for an answer its buyer read part of,
// but what was reported so far plus estimates — input from the request, output from the text that
// went out — priced with the same price table as any record.
import { expect } from 'chai';
import path from 'node:path';
import { startFakeMarketplace, type FakeMarketplace, type FakeUsageRecord } from '../helpers/fake-marketplace.js';
import { startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';
import type { MockUpstream } from '../helpers/mock-upstream.js';
import { ANTHROPIC_INPUT, slowStreams } from '../helpers/slow-streams.js';
import { until } from '../plugins/ledger/client.js';

/** $1 per token in and out: the cost reads as the tokens. */
const PRICED = 'prices: { input: 1000000, output: 1000000 }';

function yaml(upstream: string, fake: FakeMarketplace, dir: string): string {
  return `server:
  shutdown_grace_ms: 200
storage:
  database: "sqlite:${path.join(dir, 'm.db')}"
logging: { level: debug }
providers:
  local: { type: loopback }
  mock: { type: openai, base_url: "${upstream}", api_key: test-key, ${PRICED} }
  anth: { type: anthropic, base_url: "${upstream}", api_key: test-key, ${PRICED} }
chain:
  - use: router
    with:
      routes:
        - { match: "gpt-*", provider: mock }
        - { match: "claude-*", provider: anth }
      default: local
  - use: translator
  - use: marketplace
    with:
      url: "${fake.url}"
      api_key: "${fake.apiKey}"
      gateway_id: gw-cut
      report: all
      push_interval: 100ms
      pull_interval: 1h
`;
}

/** Starts a stream with this request id, reads until the first delta, then goes away. */
async function cutAfterFirstDelta(gw: TestGateway, id: string, p: string, body: unknown): Promise<string> {
  const abort = new AbortController();
  const res = await fetch(`${gw.url}${p}`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': id, 'anthropic-version': '2023-06-01' }, body: JSON.stringify(body), signal: abort.signal,
  });
  const reader = res.body!.getReader();
  let seen = '';
  while (!seen.includes('word')) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += Buffer.from(value).toString('utf8');
  }
  abort.abort();
  await reader.cancel().catch(() => undefined);
  return seen;
}

/** The record of the request the client sent as `id`: a client's own id is reported as `<id>~<key>` (record-id.ts). */
function recordOf(fake: FakeMarketplace, id: string): FakeUsageRecord | undefined {
  for (const [key, record] of fake.usage) if (key.startsWith(`${id}~`)) return record;
  return undefined;
}

describe('marketplace: the record of a stream cut before its usage report', function () {
  this.timeout(30_000);
  let mock: MockUpstream;
  let fake: FakeMarketplace;
  let gw: TestGateway;
  before(async () => {
    mock = await slowStreams();
    fake = await startFakeMarketplace();
    const dir = tempDir('sluice-market-cut-');
    gw = await startGateway(yaml(mock.url, fake, dir), { dir });
  });
  after(async () => {
    await gw?.close();
    await fake?.close();
    await mock?.close();
  });

  it('Chat (usage only at the end): the request\'s input estimate and the text that went out, priced', async () => {
    const content = 'tell me a long story please';
    await cutAfterFirstDelta(gw, 'cut-chat', '/v1/chat/completions', { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content }] });
    await until(() => recordOf(fake, 'cut-chat') !== undefined);
    const record = recordOf(fake, 'cut-chat')!;
    const input = Math.ceil(content.length / 4) + 3; // core's estimateRequestTokens of one user turn
    expect(record).to.include({ direction: null, provider: 'mock', model: 'gpt-4o-mini', input_tokens: input, cached_read_tokens: 0, cache_write_tokens: 0 });
    // "word" at least (one token), far from the 60 the whole answer has.
    expect(record.output_tokens).to.be.within(1, 40);
    expect(record.cost_usd).to.be.closeTo(input + record.output_tokens, 1e-9);
  });

  it('Anthropic (input up front): the input message_start reported, and the text that went out', async () => {
    await cutAfterFirstDelta(gw, 'cut-anthropic', '/v1/messages', { model: 'claude-x', max_tokens: 500, stream: true, messages: [{ role: 'user', content: 'a story' }] });
    await until(() => recordOf(fake, 'cut-anthropic') !== undefined);
    const record = recordOf(fake, 'cut-anthropic')!;
    expect(record.input_tokens).to.equal(ANTHROPIC_INPUT);
    // One delta at least: 8 tokens, more than message_start's output_tokens: 1.
    expect(record.output_tokens).to.be.within(8, 8 * 20);
    expect(record.cost_usd).to.be.closeTo(ANTHROPIC_INPUT + record.output_tokens, 1e-9);
  });

  it('a stream that ran to its end goes with the usage it reported', async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'whole-chat' },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'a whole story' }] }),
    });
    await res.text();
    await until(() => recordOf(fake, 'whole-chat') !== undefined);
    expect(recordOf(fake, 'whole-chat')).to.include({ input_tokens: 40, output_tokens: 60, cost_usd: 100 });
  });
});
