// Usage the provider never reported still counts against tpm and budgets: a stream cut before its
// final usage report (the client gone, the upstream cut after the commit) is charged what was
// reported so far plus the estimate of the text that went out — not nothing, and not the whole
// reservation — and a Gemini embedding (whose answer carries no usage) its input estimate. In a
// running gateway on the memory store, and on the real Redis when SLUICE_TEST_REDIS is set.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { ANTHROPIC_INPUT, CHAT_USAGE, slowStreams } from '../helpers/slow-streams.js';
import { disconnectMidStream, until } from '../plugins/ledger/client.js';

const REDIS = process.env['SLUICE_TEST_REDIS'];
/** $1 per token in and out: a budget in USD reads as a budget in tokens. */
const PRICED = 'prices: { input: 1000000, output: 1000000 }';
const LIMIT = 1_000_000;
/** Far above what any of these streams says: a cut charged its whole reservation would show. */
const MAX_TOKENS = 5000;

function gatewayConfig(upstream: string, ratelimit: string, storage = ''): string {
  return `server:
  shutdown_grace_ms: 200
storage:
  database: "sqlite::memory:"
${storage}logging: { level: debug }
providers:
  local: { type: loopback, ${PRICED} }
  mock: { type: openai, base_url: "${upstream}", api_key: test-key, ${PRICED} }
  anth: { type: anthropic, base_url: "${upstream}", api_key: test-key, ${PRICED} }
chain:
  - use: auth
    with: { mode: none }
  - use: router
    with:
      routes:
        - { match: "gpt-*", provider: mock }
        - { match: "claude-*", provider: anth }
      default: local
  - use: translator
  - use: ratelimit
    with: ${ratelimit}
`;
}

/** The limiter's estimate of a one-message prompt: a token per four characters, three for the turn. */
const promptEstimate = (content: string) => Math.ceil(content.length / 4) + 3;

interface Used { tokens: number; usd: number }

/** What the counters hold, read from the headers of a request that reserves nothing (count_tokens: 1 request, 0 tokens, $0). */
async function usedSoFar(gw: TestGateway): Promise<Used> {
  const res = await fetch(`${gw.url}/v1/messages/count_tokens`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'probe' }] }),
  });
  expect(res.status).to.equal(200);
  await res.text();
  return { tokens: LIMIT - Number(res.headers.get('x-ratelimit-remaining-tokens')), usd: LIMIT - Number(res.headers.get('x-ratelimit-remaining-budget-usd')) };
}

/** Waits for the settlement (the reservation, prompt plus MAX_TOKENS, replaced by what was used), then returns what it added. */
async function settledIncrease(gw: TestGateway, before: Used): Promise<Used> {
  let now = before;
  await until(async () => { now = await usedSoFar(gw); return now.tokens - before.tokens < MAX_TOKENS; });
  return { tokens: now.tokens - before.tokens, usd: now.usd - before.usd };
}

describe('ratelimit: usage the provider did not report (memory store)', function () {
  this.timeout(30_000);
  let mock: MockUpstream;
  let gw: TestGateway | undefined;
  before(async () => { mock = await slowStreams(); });
  after(async () => { await mock.close(); });
  afterEach(async () => { await gw?.close(); gw = undefined; });

  it('a client gone mid-stream (Chat: usage only at the end) is charged its prompt and the text it got, on tpm and the budget', async () => {
    gw = await startGateway(gatewayConfig(mock.url, `{ rules: [{ scope: global, tpm: ${LIMIT}, budget_usd: ${LIMIT} }] }`));
    const content = 'tell me a long story please';
    const before = await usedSoFar(gw);
    const sent = await disconnectMidStream(gw.url, '/v1/chat/completions', { model: 'gpt-4o-mini', stream: true, max_tokens: MAX_TOKENS, messages: [{ role: 'user', content }] });
    expect(sent.status).to.equal(200);
    const used = await settledIncrease(gw, before);
    const input = promptEstimate(content);
    // At least one "word" went out (4 characters: one token); far fewer than the 60 the whole answer has.
    expect(used.tokens, 'tokens charged').to.be.within(input + 1, input + 40);
    expect(used.usd, 'budget charged (USD = tokens here)').to.equal(used.tokens);
  });

  it('an Anthropic stream cut by its client keeps the input message_start reported, plus the text it got', async () => {
    gw = await startGateway(gatewayConfig(mock.url, `{ rules: [{ scope: global, tpm: ${LIMIT}, budget_usd: ${LIMIT} }] }`));
    const before = await usedSoFar(gw);
    const sent = await disconnectMidStream(gw.url, '/v1/messages', { model: 'claude-x', stream: true, max_tokens: MAX_TOKENS, messages: [{ role: 'user', content: 'tell me a long story please' }] });
    expect(sent.status).to.equal(200);
    const used = await settledIncrease(gw, before);
    // At least one delta went out (8 tokens; message_start said 1), far from all 60.
    expect(used.tokens).to.be.within(ANTHROPIC_INPUT + 8, ANTHROPIC_INPUT + 8 * 20);
    expect(used.usd).to.equal(used.tokens);
  });

  it('the same through the translator: a Chat client cut off a stream from an Anthropic upstream', async () => {
    gw = await startGateway(gatewayConfig(mock.url, `{ rules: [{ scope: global, tpm: ${LIMIT}, budget_usd: ${LIMIT} }] }`));
    const before = await usedSoFar(gw);
    const sent = await disconnectMidStream(gw.url, '/v1/chat/completions', { model: 'claude-x', stream: true, max_tokens: MAX_TOKENS, messages: [{ role: 'user', content: 'tell me a long story please' }] });
    expect(sent.text).to.contain('chat.completion.chunk');
    const used = await settledIncrease(gw, before);
    expect(used.tokens).to.be.within(ANTHROPIC_INPUT + 8, ANTHROPIC_INPUT + 8 * 20);
    expect(used.usd).to.equal(used.tokens);
  });

  it('a stream the upstream cut after the commit is charged what went out, not given back', async () => {
    gw = await startGateway(gatewayConfig(mock.url, `{ rules: [{ scope: global, tpm: ${LIMIT}, budget_usd: ${LIMIT} }] }`));
    const content = '[[cut 8]] a story';
    const before = await usedSoFar(gw);
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, max_tokens: MAX_TOKENS, messages: [{ role: 'user', content }] }),
    });
    const text = await res.text();
    expect(text).to.contain('word');
    const used = await settledIncrease(gw, before);
    // Eight deltas: "word" and seven " word", 39 characters, 10 tokens.
    expect(used.tokens).to.equal(promptEstimate(content) + 10);
    expect(used.usd).to.equal(used.tokens);
  });

  it('a stream that ran to its end is charged the usage it reported', async () => {
    gw = await startGateway(gatewayConfig(mock.url, `{ rules: [{ scope: global, tpm: ${LIMIT}, budget_usd: ${LIMIT} }] }`));
    const before = await usedSoFar(gw);
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, max_tokens: MAX_TOKENS, messages: [{ role: 'user', content: 'a whole story' }] }),
    });
    await res.text();
    const used = await settledIncrease(gw, before);
    expect(used).to.deep.equal({ tokens: 100, usd: 100 });
  });

  it('a client that hangs up on a JSON answer it is waiting for is charged its prompt, not given its reservation back', async () => {
    // An upstream that takes two seconds to answer: the provider has the prompt (and bills it) when the client leaves.
    const slow = await startMockUpstream();
    slow.handle(async (_req, res) => {
      await new Promise((r) => setTimeout(r, 2000));
      if (!res.destroyed) res.end(JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [], usage: CHAT_USAGE }));
    });
    try {
      gw = await startGateway(gatewayConfig(slow.url, `{ rules: [{ scope: global, tpm: ${LIMIT}, budget_usd: ${LIMIT} }] }`));
      const content = 'a question that takes a while to answer';
      const before = await usedSoFar(gw);
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 300);
      const sent = fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, signal: abort.signal,
        body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: MAX_TOKENS, messages: [{ role: 'user', content }] }),
      });
      let aborted = false;
      await sent.catch(() => { aborted = true; });
      expect(aborted, 'the client gave up').to.equal(true);
      const used = await settledIncrease(gw, before);
      expect(used).to.deep.equal({ tokens: promptEstimate(content), usd: promptEstimate(content) });
    } finally {
      await slow.close();
    }
  });

  it('embeddings given as token ids, from a server that reports no usage, are charged one token an id (not nothing)', async () => {
    // OpenAI's embeddings take `input` as lists of token ids; an OpenAI-compatible server may answer without `usage`.
    const bare = await startMockUpstream();
    bare.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', model: 'gpt-embed', data: [{ object: 'embedding', index: 0, embedding: [0.5] }, { object: 'embedding', index: 1, embedding: [0.5] }] }));
    });
    try {
      gw = await startGateway(gatewayConfig(bare.url, `{ rules: [{ scope: global, tpm: ${LIMIT}, budget_usd: ${LIMIT} }] }`));
      const before = await usedSoFar(gw);
      const res = await fetch(`${gw.url}/v1/embeddings`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-embed', input: [Array.from({ length: 300 }, (_, i) => i + 1), [7, 8, 9]], encoding_format: 'float' }),
      });
      expect(res.status, await res.text()).to.equal(200);
      let used = before;
      // Settled once the counters moved (charged nothing, they never do: the comparison below says so).
      await until(async () => { used = await usedSoFar(gw!); return used.tokens > before.tokens; }, 3000).catch(() => undefined);
      expect({ tokens: used.tokens - before.tokens, usd: used.usd - before.usd }).to.deep.equal({ tokens: 303, usd: 303 });
    } finally {
      await bare.close();
    }
  });

  it('Gemini embeddings (no usage in the answer) are charged their input estimate, so the budget refuses', async () => {
    // Each call: 24 characters → 6 tokens and 3 for the turn = $9; $40 takes four.
    gw = await startGateway(gatewayConfig(mock.url, `{ rules: [{ scope: global, tpm: ${LIMIT}, budget_usd: 40 }] }`));
    const statuses: number[] = [];
    const remaining: string[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${gw.url}/v1beta/models/loopback-embed:embedContent`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content: { parts: [{ text: 'hello world this is text' }] } }),
      });
      const body = await res.json() as { embedding?: unknown; usageMetadata?: unknown };
      if (res.status === 200) expect(body.usageMetadata, 'the answer reports no usage').to.equal(undefined);
      statuses.push(res.status);
      remaining.push(res.headers.get('x-ratelimit-remaining-budget-usd') ?? '');
    }
    expect(statuses).to.deep.equal([200, 200, 200, 200, 429, 429, 429, 429, 429, 429]);
    // Settled at what was reserved: the fifth sees $4 left, too little for $9.
    expect(remaining[4]).to.equal('4');
  });
});

describe('ratelimit: a stream cut mid-way, on the real Redis', function () {
  this.timeout(30_000);
  let mock: MockUpstream;
  let gw: TestGateway | undefined;
  let redis: Redis | undefined;
  const prefix = `sluice-test:rl-cut:${randomUUID().slice(0, 8)}:`;
  before(async function () {
    if (!REDIS) return this.skip();
    mock = await slowStreams();
    redis = new Redis(REDIS);
  });
  after(async () => {
    await gw?.close();
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
    await mock?.close();
  });

  it('the counters in Redis hold the prompt and the text that went out (tpm and the budget)', async () => {
    gw = await startGateway(gatewayConfig(mock.url, `{ store: redis, key_prefix: "${prefix}", rules: [{ scope: global, tpm: ${LIMIT}, budget_usd: ${LIMIT} }] }`, `  redis: "${REDIS}"\n`));
    const content = 'tell me a long story please';
    await disconnectMidStream(gw.url, '/v1/chat/completions', { model: 'gpt-4o-mini', stream: true, max_tokens: MAX_TOKENS, messages: [{ role: 'user', content }] });
    // The global subject "*" is keyed by its hash: found by the key's end.
    const key = async (end: string) => (await redis!.keys(`${prefix}global:*:${end}`))[0] ?? 'missing';
    const tpm = async () => (await redis!.hvals(await key('tpm'))).reduce((a, v) => a + Number(v), 0);
    await until(async () => { const n = await tpm(); return n > 0 && n < MAX_TOKENS; }); // settled (0 before the reservation is written, as the old code left it)
    const tokens = await tpm();
    const input = promptEstimate(content);
    expect(tokens).to.be.within(input + 1, input + 40);
    const budget = await key('life');
    expect(Number(await redis!.hget(budget, 'u')) / 1e9, 'USD committed (= tokens here)').to.equal(tokens);
    expect(Number(await redis!.hget(budget, 'h')), 'nothing still held').to.equal(0);
  });
});
