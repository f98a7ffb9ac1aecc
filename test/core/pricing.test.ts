import { expect } from 'chai';
import { createPriceTable } from '../../core/pricing/price-table.js';
import { emptyUsage } from '../../core/protocols/types.js';

describe('price table', () => {
  const table = createPriceTable(
    { 'gpt-4o-mini': { input: 0.15, output: 0.6, cached_read: 0.075 } },
    { 'gpt-4o*': { input: 2.5, output: 10, cached_read: 1.25 }, 'claude-sonnet-*': { input: 3, output: 15, cached_read: 0.3, cache_write: 3.75 } },
  );

  it('prices each token class, first match wins, exact names before globs', () => {
    const usage = { ...emptyUsage(), inputTokens: 1_000_000, outputTokens: 200_000, cacheReadTokens: 500_000 };
    expect(table.cost(usage, 'gpt-4o-mini')).to.deep.equal({ input: 0.15, output: 0.12, cachedRead: 0.0375, cacheWrite: 0, reasoning: 0, total: 0.3075 });
    expect(table.cost(usage, 'gpt-4o-2024-08-06')!.total).to.equal(2.5 + 2 + 0.625);
  });

  it('reasoning tokens are part of output and priced at the output price unless told otherwise', () => {
    const usage = { ...emptyUsage(), outputTokens: 1000, reasoningTokens: 400 };
    const cost = table.cost(usage, 'claude-sonnet-4-5')!;
    expect(cost.output).to.equal(600 * 15 / 1e6);
    expect(cost.reasoning).to.equal(400 * 15 / 1e6);
    expect(table.cost({ ...emptyUsage(), cacheWriteTokens: 1_000_000 }, 'claude-sonnet-4')!.cacheWrite).to.equal(3.75);
  });

  it('an unknown model costs null, not 0', () => {
    expect(table.cost({ ...emptyUsage(), inputTokens: 10 }, 'mystery-model')).to.equal(null);
  });
});
