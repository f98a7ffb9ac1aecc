// The built-in loopback model bills no one: it costs a known 0 in every consumer of the price table —
// the ledger's rows, the limits' spend budgets, the marketplace's usage records — unless it is given
// `prices`, which then price it everywhere. (The ledger said 0 while the limits and the marketplace
// said "unpriced", null: one provider, two answers.)
import { expect } from 'chai';
import { createPriceTable, type Exchange, type RequestRecord, type TokenPrices } from '../../core/index.js';
import { DEFAULT_PRICES } from '../../core/pricing/default-prices.js';
import { BUILT_IN_PROVIDER_TYPES } from '../../core/providers/registry.js';
import { runtimeProviderSchema } from '../../core/config/schema.js';
import { costNano } from '../../plugins/ratelimit/estimate.js';
import { usageRecordFor } from '../../plugins/marketplace/usage-record.js';

const usage = { inputTokens: 1000, outputTokens: 500, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, estimated: false };

function loopback(prices?: TokenPrices) {
  return BUILT_IN_PROVIDER_TYPES['loopback']!('local', runtimeProviderSchema.parse({ type: 'loopback', ...(prices ? { prices } : {}) }));
}

/** Just what the consumers read of a finished request served by `provider`. */
function served(provider: ReturnType<typeof loopback>) {
  const exchange = { target: { provider, model: 'loopback' }, get: () => undefined, upstream: {}, headers: {} } as unknown as Exchange;
  const record = {
    id: 'req_0000000000000000000000000000000a', arrivalKey: 'k1', time: Date.now(), method: 'POST', path: '/v1/chat/completions', endpoint: 'openai.chat',
    model: 'loopback', servedModel: 'loopback', provider: 'local', usage, outcome: 'success', exchange, principal: undefined,
  } as unknown as RequestRecord;
  return { exchange, record };
}

describe('loopback: one price rule for every consumer', () => {
  const pricing = createPriceTable({}, DEFAULT_PRICES);

  it('costs a known 0 (not null, not unpriced) in the limits and the marketplace, as in the ledger', () => {
    const { exchange, record } = served(loopback());
    expect(costNano(pricing, usage, exchange, undefined)).to.deep.equal({ nano: 0, priced: true });
    expect(usageRecordFor(record, { pricing, reportAll: true, sellOffer: undefined })!.cost_usd).to.equal(0);
  });

  it('given prices, is priced at them everywhere', () => {
    const { exchange, record } = served(loopback({ input: 2, output: 4 }));
    expect(costNano(pricing, usage, exchange, undefined)).to.deep.equal({ nano: 4_000_000, priced: true });
    expect(usageRecordFor(record, { pricing, reportAll: true, sellOffer: undefined })!.cost_usd).to.equal(0.004);
  });
});
