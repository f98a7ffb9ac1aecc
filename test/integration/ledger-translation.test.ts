// The same conversation, billed the same way by each upstream family in its own usage shape, gives
// identical token classes and cost in the ledger whatever the client spoke, streamed or not: every
// translation pair, and the Chat stream whose usage rides on the final chunk with choices.
import { expect } from 'chai';
import path from 'node:path';
import { DEFAULT_PRICES } from '../../core/pricing/default-prices.js';
import { createPriceTable } from '../../core/pricing/price-table.js';
import { openDatabase } from '../../core/storage/database.js';
import { startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';
import { ledgerRows, type LedgerRowRead } from '../plugins/ledger/rig.js';
import { ANTHROPIC_HOUR_WRITES, EXPECTED, EXTRAS, startUsageUpstream, TEXT } from '../plugins/ledger/usage-upstream.js';

const CLIENTS = ['openai.chat', 'openai.responses', 'anthropic.messages', 'gemini.generate'] as const;
const UPSTREAMS = [
  { route: 'via-chat', provider: 'up-chat', model: 'gpt-4o-mini', family: 'openai' },
  { route: 'via-last', provider: 'up-last', model: 'gpt-4o-mini', family: 'openai' },
  { route: 'via-responses', provider: 'up-responses', model: 'gpt-4.1-mini', family: 'openai' },
  { route: 'via-anthropic', provider: 'up-anthropic', model: 'claude-sonnet-4-5', family: 'anthropic' },
  { route: 'via-gemini', provider: 'up-gemini', model: 'gemini-2.5-flash', family: 'gemini' },
] as const;

function request(client: (typeof CLIENTS)[number], model: string, stream: boolean): { path: string; body: unknown } {
  const q = 'What is the answer?';
  switch (client) {
    case 'openai.chat': return { path: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content: q }], stream } };
    case 'openai.responses': return { path: '/v1/responses', body: { model, input: q, stream } };
    case 'anthropic.messages': return { path: '/v1/messages', body: { model, max_tokens: 100, messages: [{ role: 'user', content: q }], stream } };
    case 'gemini.generate': return { path: `/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`, body: { contents: [{ role: 'user', parts: [{ text: q }] }] } };
  }
}

/** Each client protocol, JSON and streamed, to each upstream route (all answer 200 and say what the model said); then the ledger's rows, by request id. */
async function sendEveryPair<U extends { route: string; provider: string }>(
  gw: TestGateway, up: { close(): Promise<void> }, database: string, dir: string, upstreams: readonly U[],
): Promise<{ sent: { id: string; upstream: U; label: string }[]; rows: Map<string, LedgerRowRead> }> {
  const sent: { id: string; upstream: U; label: string }[] = [];
  try {
    for (const upstream of upstreams) {
      for (const client of CLIENTS) {
        for (const stream of [false, true]) {
          const r = request(client, upstream.route, stream);
          const res = await fetch(`${gw.url}${r.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(r.body) });
          const text = await res.text();
          const label = `${client} → ${upstream.provider} stream=${stream}`;
          expect(res.status, `${label}: ${text.slice(0, 200)}`).to.equal(200);
          // What the client got says what the model said, in every pair.
          expect(text.replace(/\\"/g, '"'), label).to.contain('forty');
          sent.push({ id: res.headers.get('x-request-id')!, upstream, label });
        }
      }
    }
  } finally {
    await gw.close();
    await up.close();
  }
  const knex = openDatabase(database, dir);
  const rows = new Map((await ledgerRows(knex)).map((r) => [r.request_id, r]));
  await knex.destroy();
  expect(rows.size).to.equal(sent.length);
  return { sent, rows };
}

describe('ledger: token classes and cost through every translation pair, streamed and not', function () {
  this.timeout(60_000);

  it('each upstream usage shape gives the same classes and cost for every client protocol and both modes', async () => {
    const up = await startUsageUpstream();
    const dir = tempDir('sluice-ledger-tr-');
    const database = `sqlite:${path.join(dir, 'ledger.db')}`;
    const o = up.origin;
    const gw = await startGateway(`server: { shutdown_grace_ms: 500 }
storage: { database: "${database}" }
logging: { level: warn }
providers:
  local: { type: loopback }
  up-chat: { type: openai, base_url: "${o}/v1", api_key: k, protocols: [openai.chat] }
  up-last: { type: openai, base_url: "${o}/last/v1", api_key: k, protocols: [openai.chat] }
  up-responses: { type: openai, base_url: "${o}/v1", api_key: k, protocols: [openai.responses] }
  up-anthropic: { type: anthropic, base_url: "${o}", api_key: k }
  up-gemini: { type: gemini, base_url: "${o}", api_key: k }
chain:
  - use: router
    with:
      routes:
${UPSTREAMS.map((u) => `        - { match: ${u.route}, provider: ${u.provider}, model: ${u.model} }`).join('\n')}
      default: local
  - use: translator
  - use: ledger
    with: { flush_interval_ms: 100, spill_dir: ./spill }
`, { dir });
    const { sent, rows } = await sendEveryPair(gw, up, database, dir, UPSTREAMS);
    const prices = createPriceTable(DEFAULT_PRICES);
    for (const s of sent) {
      const row = rows.get(s.id)!;
      const label = s.label;
      const want = EXPECTED[s.upstream.family];
      const got = { input_tokens: row['input_tokens'], cache_read_tokens: row['cache_read_tokens'], cache_write_tokens: row['cache_write_tokens'], output_tokens: row['output_tokens'], reasoning_tokens: row['reasoning_tokens'] };
      expect(got, label).to.deep.equal(want);
      expect(row['usage_source'], label).to.equal('reported');
      expect(row['served_model'], label).to.equal(s.upstream.model);
      // The model the answer named, read from the event or body that carries the usage (Anthropic's message_start).
      expect(row['answered_model'], label).to.equal(s.upstream.model);
      const cost = prices.cost({ inputTokens: want.input_tokens, outputTokens: want.output_tokens, cacheReadTokens: want.cache_read_tokens, cacheWriteTokens: want.cache_write_tokens, reasoningTokens: want.reasoning_tokens, estimated: false,
        ...(s.upstream.family === 'anthropic' ? { cacheWrite1hTokens: ANTHROPIC_HOUR_WRITES } : {}) }, s.upstream.model)!;
      expect(cost.total, label).to.be.greaterThan(0);
      expect(row['cost_total'], label).to.equal(cost.total);
      expect(row['cost_cache_read'], label).to.equal(cost.cachedRead);
      expect(row['cost_cache_write'], label).to.equal(cost.cacheWrite);
    }
    expect(TEXT).to.contain('forty');
  });

  it('the service tier served and the calls billed per request are recorded and priced the same for every client protocol and both modes', async () => {
    const up = await startUsageUpstream();
    const dir = tempDir('sluice-ledger-tier-');
    const database = `sqlite:${path.join(dir, 'ledger.db')}`;
    const o = `${up.origin}/extras`;
    // Priced by the shipped list: gpt-5.5 priority (Chat) and flex (Responses) with web searches at
    // $10 / 1,000; Claude standard with searches and a fetch; Gemini grounding, whose queries have no
    // shipped price, so its row costs null.
    const upstreams = [
      { route: 'x-chat', provider: 'x-chat', model: 'gpt-5.5', family: 'openai', shape: 'openai.chat', entry: 'x-chat: { type: openai, base_url: "O/v1", api_key: k, protocols: [openai.chat] }' },
      { route: 'x-responses', provider: 'x-responses', model: 'gpt-5.5', family: 'openai', shape: 'openai.responses', entry: 'x-responses: { type: openai, base_url: "O/v1", api_key: k, protocols: [openai.responses] }' },
      { route: 'x-anthropic', provider: 'x-anthropic', model: 'claude-sonnet-4-6', family: 'anthropic', shape: 'anthropic.messages', entry: 'x-anthropic: { type: anthropic, base_url: "O", api_key: k }' },
      { route: 'x-gemini', provider: 'x-gemini', model: 'gemini-3.5-flash', family: 'gemini', shape: 'gemini.generate', entry: 'x-gemini: { type: gemini, base_url: "O", api_key: k }' },
    ] as const;
    const gw = await startGateway(`server: { shutdown_grace_ms: 500 }
storage: { database: "${database}" }
logging: { level: warn }
providers:
  local: { type: loopback }
${upstreams.map((u) => `  ${u.entry.replace('"O', `"${o}`)}`).join('\n')}
chain:
  - use: router
    with:
      routes:
${upstreams.map((u) => `        - { match: ${u.route}, provider: ${u.provider}, model: ${u.model} }`).join('\n')}
      default: local
  - use: translator
  - use: ledger
    with: { flush_interval_ms: 100, spill_dir: ./spill }
`, { dir });
    const { sent, rows } = await sendEveryPair(gw, up, database, dir, upstreams);
    const prices = createPriceTable(DEFAULT_PRICES);
    for (const s of sent) {
      const row = rows.get(s.id)!;
      const extras = EXTRAS[s.upstream.shape];
      expect({ service_tier: row['service_tier'], web_search_calls: Number(row['web_search_calls']), web_fetch_calls: Number(row['web_fetch_calls']) }, s.label).to.deep.equal(extras);
      expect([row['served_model'], row['answered_model']], s.label).to.deep.equal([s.upstream.model, `${s.upstream.model}-20260101`]);
      const want = EXPECTED[s.upstream.family];
      const cost = prices.cost({
        inputTokens: want.input_tokens, outputTokens: want.output_tokens, cacheReadTokens: want.cache_read_tokens, cacheWriteTokens: want.cache_write_tokens, reasoningTokens: want.reasoning_tokens, estimated: false,
        ...(s.upstream.family === 'anthropic' ? { cacheWrite1hTokens: ANTHROPIC_HOUR_WRITES } : {}),
        ...(extras.service_tier ? { serviceTier: extras.service_tier } : {}), ...(extras.web_search_calls ? { webSearchCalls: extras.web_search_calls } : {}), ...(extras.web_fetch_calls ? { webFetchCalls: extras.web_fetch_calls } : {}),
      }, s.upstream.model);
      expect(row['cost_total'], s.label).to.equal(cost?.total ?? null);
      expect(row['cost_fees'], s.label).to.equal(cost?.fees ?? null);
    }
    // The tiers change the price: priority over standard, flex under it; searches add $10 / 1,000.
    const costOf = (provider: string) => [...rows.values()].find((r) => r['provider'] === provider)!['cost_total'] as number | null;
    const standard = prices.cost({ inputTokens: 100, outputTokens: 50, cacheReadTokens: 30, cacheWriteTokens: 0, reasoningTokens: 10, estimated: false }, 'gpt-5.5')!.total;
    expect(costOf('x-chat')).to.be.greaterThan(standard);
    expect(costOf('x-responses')).to.be.lessThan(standard / 2 + 0.021).and.greaterThan(0.02);
    expect(costOf('x-gemini')).to.equal(null);
  });
});
