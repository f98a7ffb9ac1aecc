// Service tiers and per-request fees in the price table: a tier the answer names is priced at that
// tier's prices (a block, or a multiplier of the base), a tier without a known price costs null —
// never the default tier's price — and web searches / fetches are priced per 1,000 calls.
import { expect } from 'chai';
import { createPriceTable } from '../../core/pricing/price-table.js';
import { DEFAULT_PRICES } from '../../core/pricing/default-prices.js';
import { emptyUsage } from '../../core/protocols/types.js';
import { configSchema } from '../../core/config/schema.js';

const usage = (extra: Partial<ReturnType<typeof emptyUsage>> = {}) => ({ ...emptyUsage(), inputTokens: 1_000_000, outputTokens: 1_000_000, ...extra });

describe('price table: service tiers and per-request fees', () => {
  const table = createPriceTable({
    'm-tiered': { input: 2, output: 8, cached_read: 0.5, tiers: { flex: { multiplier: 0.5 }, priority: { input: 3.5, cached_read: 0.875, output: 14 } }, web_search: 10 },
    'm-plain': { input: 1, output: 1 },
  });

  it('prices the tier served: base for default/standard (or none named), a block or a multiplier for others', () => {
    expect(table.cost(usage(), 'm-tiered')!.total).to.equal(10);
    expect(table.cost(usage({ serviceTier: 'default' }), 'm-tiered')!.total).to.equal(10);
    expect(table.cost(usage({ serviceTier: 'standard' }), 'm-tiered')!.total).to.equal(10);
    expect(table.cost(usage({ serviceTier: 'flex' }), 'm-tiered')!.total).to.equal(5);
    const flexCached = table.cost(usage({ serviceTier: 'flex', cacheReadTokens: 1_000_000 }), 'm-tiered')!;
    expect(flexCached.cachedRead).to.equal(0.25);
    expect(table.cost(usage({ serviceTier: 'priority' }), 'm-tiered')!.total).to.equal(17.5);
  });

  it('a joined tier (fast+us) not listed whole is the product of its parts\' multipliers; a part priced as a block or not listed makes it unknown', () => {
    const joined = createPriceTable({ m: { input: 2, output: 8, tiers: { fast: { multiplier: 2 }, us: { multiplier: 1.1 }, priority: { input: 3, output: 9 }, 'flex+us': { input: 1, output: 1 } } } });
    expect(joined.cost(usage({ serviceTier: 'fast+us' }), 'm')!.total).to.equal(22);
    expect(joined.cost(usage({ serviceTier: 'standard+us' }), 'm')!.total).to.equal(11);
    expect(joined.cost(usage({ serviceTier: 'flex+us' }), 'm')!.total).to.equal(2); // listed whole: as listed
    expect(joined.cost(usage({ serviceTier: 'priority+us' }), 'm')).to.equal(null);
    expect(joined.cost(usage({ serviceTier: 'batch+us' }), 'm')).to.equal(null);
  });

  it('a tier without a known price costs null, not the default tier\'s price', () => {
    expect(table.cost(usage({ serviceTier: 'scale' }), 'm-tiered')).to.equal(null);
    expect(table.cost(usage({ serviceTier: 'flex' }), 'm-plain')).to.equal(null);
    // A provider's own prices follow the same rule.
    expect(table.cost(usage({ serviceTier: 'priority' }), 'm-plain', { input: 1, output: 1 })).to.equal(null);
  });

  it('web searches and fetches are priced per 1,000 calls, into cost.fees and the total; unpriced calls make the cost unknown', () => {
    const c = table.cost(usage({ webSearchCalls: 3 }), 'm-tiered')!;
    expect([c.fees, c.total]).to.deep.equal([0.03, 10.03]);
    expect(table.cost(usage({ webSearchCalls: 1 }), 'm-plain')).to.equal(null);
    expect(table.cost(usage({ webFetchCalls: 2 }), 'm-tiered')).to.equal(null);
    expect(table.cost(usage(), 'm-plain')!.fees).to.equal(0);
  });

  it('the shipped list: OpenAI flex at half, priority as OpenAI lists it; Anthropic priority unpriced; web search sourced', () => {
    const shipped = createPriceTable(DEFAULT_PRICES);
    const m = { inputTokens: 1_000_000, outputTokens: 1_000_000 };
    // (a tenth of a million: under GPT-5.5's long-context threshold)
    const short = { inputTokens: 100_000, outputTokens: 100_000 };
    expect(shipped.cost({ ...emptyUsage(), ...short, serviceTier: 'flex' }, 'gpt-5.5')!.total).to.equal(1.75);
    expect(shipped.cost({ ...emptyUsage(), ...short, serviceTier: 'priority' }, 'gpt-5.5')!.total).to.equal(8.75);
    expect(shipped.cost({ ...emptyUsage(), ...short, serviceTier: 'scale' }, 'gpt-5.5')).to.equal(null);
    expect(shipped.cost({ ...emptyUsage(), ...m, serviceTier: 'priority' }, 'gpt-4o-2024-08-06')!.total).to.equal(21.25);
    expect(shipped.cost({ ...emptyUsage(), ...m, serviceTier: 'priority' }, 'claude-sonnet-4-6')).to.equal(null);
    expect(shipped.cost({ ...emptyUsage(), ...m, serviceTier: 'standard' }, 'claude-sonnet-4-6')!.total).to.equal(18);
    expect(shipped.cost({ ...emptyUsage(), ...m, serviceTier: 'batch' }, 'claude-sonnet-4-6')!.total).to.equal(9);
    // Fast mode: OpenAI's new name for priority; Anthropic's at 2 × (Opus 5.5, 5, 4.8) or 6 × (Opus 4.7, 4.6), cache classes too.
    expect(shipped.cost({ ...emptyUsage(), ...short, serviceTier: 'fast' }, 'gpt-5.5')!.total).to.equal(8.75);
    expect(shipped.cost({ ...emptyUsage(), ...m, serviceTier: 'fast' }, 'claude-opus-5-5')!.total).to.equal(48);
    expect(shipped.cost({ ...emptyUsage(), ...m, cacheReadTokens: 1_000_000, serviceTier: 'fast' }, 'claude-opus-5-5')!.cachedRead).to.equal(0.4);
    expect(shipped.cost({ ...emptyUsage(), ...m, serviceTier: 'fast' }, 'claude-opus-5')!.total).to.equal(60);
    expect(shipped.cost({ ...emptyUsage(), ...m, serviceTier: 'fast' }, 'claude-opus-4-8')!.total).to.equal(60);
    expect(shipped.cost({ ...emptyUsage(), ...m, serviceTier: 'fast' }, 'claude-opus-4-6')!.total).to.equal(180);
    expect(shipped.cost({ ...emptyUsage(), ...m, serviceTier: 'fast' }, 'claude-opus-4-7-20260101')!.total).to.equal(180);
    expect(shipped.cost({ ...emptyUsage(), ...m, serviceTier: 'fast' }, 'claude-opus-4-5')).to.equal(null);
    expect(shipped.cost({ ...emptyUsage(), ...m, serviceTier: 'batch' }, 'claude-opus-5-5')!.total).to.equal(12);
    // US-only inference: 1.1 × on the models that take inference_geo, stacked on fast mode and batch.
    expect(shipped.cost({ ...emptyUsage(), ...m, serviceTier: 'us' }, 'claude-opus-5-5')!.total).to.equal(26.4);
    expect(shipped.cost({ ...emptyUsage(), ...m, serviceTier: 'us' }, 'claude-sonnet-4-6')!.total).to.equal(19.8);
    expect(shipped.cost({ ...emptyUsage(), ...m, serviceTier: 'fast+us' }, 'claude-opus-5-5')!.total).to.equal(52.8);
    expect(shipped.cost({ ...emptyUsage(), ...m, serviceTier: 'batch+us' }, 'claude-opus-4-6')!.total).to.equal(16.5);
    expect(shipped.cost({ ...emptyUsage(), ...m, serviceTier: 'us' }, 'claude-sonnet-4-5')).to.equal(null);
    expect(shipped.cost({ ...emptyUsage(), ...m, serviceTier: 'priority+us' }, 'claude-opus-5-5')).to.equal(null);
    const search = shipped.cost({ ...emptyUsage(), ...m, webSearchCalls: 2, webFetchCalls: 1 }, 'claude-sonnet-4-6')!;
    expect([search.fees, search.total]).to.deep.equal([0.02, 18.02]);
  });

  it('config: pricing entries and provider prices take tiers, web_search and web_fetch', () => {
    const config = configSchema.parse({
      providers: { resold: { type: 'openai', base_url: 'http://127.0.0.1:9', prices: { input: 1, output: 2, tiers: { flex: { multiplier: 0.5 } } } } },
      chain: [{ use: 'router', with: { default: 'resold' } }],
      pricing: { 'my-*': { input: 1, output: 2, web_search: 25, web_fetch: 0, tiers: { priority: { input: 2, output: 4 } } } },
    });
    expect(config.pricing['my-*']!.tiers!['priority']).to.deep.equal({ input: 2, output: 4 });
    expect(() => configSchema.parse({ chain: [{ use: 'router', with: { default: 'x' } }], pricing: { m: { input: 1, output: 1, tiers: { flex: { multiplier: -1 } } } } })).to.throw();
  });
});
