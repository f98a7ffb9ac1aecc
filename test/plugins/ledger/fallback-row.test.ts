// The row written when preparing an entry failed (its texts unreadable, or the build threw): it
// carries what the record itself knows — a reported usage priced as the full row prices it, the
// failed attempts, the findings — and leaves unknown only what needed the texts.
import { expect } from 'chai';
import { DEFAULT_PRICES } from '../../../core/pricing/default-prices.js';
import { createPriceTable } from '../../../core/pricing/price-table.js';
import type { RequestRecord } from '../../../core/plugin/request-record.js';
import { runPlugin } from '../../../core/testing/index.js';
import { entryOf } from '../../../plugins/ledger/entry.js';
import { fallbackRow } from '../../../plugins/ledger/fallback-row.js';
import ledger from '../../../plugins/ledger/index.js';
import { ledgerOptions } from '../../../plugins/ledger/options.js';
import { prepareRow } from '../../../plugins/ledger/prepare.js';
import { createTokenCounter, type TokenCounter } from '../../../plugins/ledger/count/tokenizer.js';

const answer = { id: 'c1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'Short.' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1200, completion_tokens: 300, prompt_tokens_details: { cached_tokens: 200 } } };

describe('ledger: the fallback row', function () {
  this.timeout(30_000);
  let counter: TokenCounter;
  const pricing = createPriceTable(DEFAULT_PRICES);
  const options = ledgerOptions.parse({});
  before(() => { counter = createTokenCounter({ timeoutMs: 20_000, onError: (e) => { throw e; } }); });
  after(() => counter.close());

  async function record(usage: boolean): Promise<RequestRecord> {
    const r = await runPlugin(ledger, { path: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, upstream: { json: answer } });
    const ex = r.exchange;
    return {
      id: 'req_fallback', arrivalKey: 'k', time: Date.now(), method: 'POST', path: '/v1/chat/completions', endpoint: ex.endpoint.id, family: ex.clientFamily,
      peerAddress: '127.0.0.1', clientAddress: '10.1.2.3', principal: { user: 'ada' }, sessionId: 's', model: 'gpt-4o-mini', provider: 'openai', servedModel: 'gpt-4o-mini',
      attempts: [{ provider: 'backup', model: 'gpt-4o-mini', code: 'SLUICE_E_UPSTREAM_ERROR', status: 503, retried: true }], stream: false,
      status: 200, outcome: 'success', errorCode: undefined, usage: usage ? ex.usage : undefined,
      findings: [{ source: 'firewall', type: 'EMAIL_ADDRESS', count: 2, action: 'redacted', locations: ['messages[0].content'], direction: 'request' }],
      firstByteMs: 100, totalMs: 1100, exchange: ex,
    };
  }

  it('prices a reported usage and keeps the attempts and findings, as the full row does', async () => {
    const rec = await record(true);
    const full = await prepareRow(rec, { options, pricing, counter, isLoopback: () => false });
    const row = fallbackRow(entryOf(rec, options), pricing);
    const same = ['input_tokens', 'output_tokens', 'cache_read_tokens', 'usage_source', 'cost_input', 'cost_output', 'cost_cache_read', 'cost_cache_write', 'cost_reasoning', 'cost_total', 'cost_fees', 'fallback_detail', 'findings', 'output_tps'] as const;
    for (const k of same) expect(row[k], k).to.deep.equal(full[k]);
    expect(row.cost_total).to.be.a('number').and.above(0);
    expect(JSON.parse(String(row.fallback_detail))).to.deep.equal([{ provider: 'backup', model: 'gpt-4o-mini', code: 'SLUICE_E_UPSTREAM_ERROR', status: 503, retried: true }]);
  });

  it('without a usage report, its tokens and cost stay unknown (null cost), not a priced zero', async () => {
    const row = fallbackRow(entryOf(await record(false), options), pricing);
    expect(row).to.include({ usage_source: 'none', input_tokens: 0, cost_total: null });
    expect(row.fallback_detail).to.not.equal(null);
  });
});
