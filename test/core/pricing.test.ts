import { expect } from 'chai';
import { createPriceTable } from '../../core/pricing/price-table.js';
import { emptyUsage } from '../../core/protocols/types.js';
import { DEFAULT_PRICES, PRICES_AS_OF } from '../../core/pricing/default-prices.js';

describe('price table', () => {
  const table = createPriceTable(
    { 'gpt-4o-mini': { input: 0.15, output: 0.6, cached_read: 0.075 } },
    { 'gpt-4o*': { input: 2.5, output: 10, cached_read: 1.25 }, 'claude-sonnet-*': { input: 3, output: 15, cached_read: 0.3, cache_write: 3.75 } },
  );

  it('prices each token class, first match wins, exact names before globs', () => {
    const usage = { ...emptyUsage(), inputTokens: 1_000_000, outputTokens: 200_000, cacheReadTokens: 500_000 };
    expect(table.cost(usage, 'gpt-4o-mini')).to.deep.equal({ input: 0.15, output: 0.12, cachedRead: 0.0375, cacheWrite: 0, reasoning: 0, fees: 0, total: 0.3075 });
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

describe('price table: precedence, long context and the shipped defaults', () => {
  it("an operator's glob beats a default's exact name (tables in order, then exact before glob within one)", () => {
    const table = createPriceTable({ 'gpt-4o*': { input: 1, output: 1 } }, { 'gpt-4o': { input: 2.5, output: 10 }, 'gpt-*': { input: 9, output: 9 } });
    expect(table.pricesFor('gpt-4o')).to.deep.equal({ input: 1, output: 1 });
    const defaultsOnly = createPriceTable({ 'gpt-*': { input: 9, output: 9 }, 'gpt-4o': { input: 2.5, output: 10 } });
    expect(defaultsOnly.pricesFor('gpt-4o')!.input).to.equal(2.5);
    expect(defaultsOnly.pricesFor('GPT-4O')!.input).to.equal(2.5);
  });

  it('prices the whole request at the long-context rates once the prompt passes the threshold', () => {
    const table = createPriceTable(DEFAULT_PRICES);
    const small = table.cost({ ...emptyUsage(), inputTokens: 100_000, outputTokens: 1_000_000 }, 'gemini-2.5-pro')!;
    expect(small).to.include({ input: 0.125, output: 10 });
    // 150k uncached + 60k cached = 210k prompt tokens: past 200k, every class at the long rates.
    const large = table.cost({ ...emptyUsage(), inputTokens: 150_000, cacheReadTokens: 60_000, outputTokens: 1_000_000 }, 'gemini-2.5-pro')!;
    expect(large).to.include({ input: 0.375, cachedRead: 0.015, output: 15 });
  });

  it('prices reasoning past the threshold at the long-context reasoning rate, else the long-context output rate', () => {
    const table = createPriceTable({
      'own': { input: 1, output: 2, reasoning: 20, long_context: { above_input_tokens: 1000, input: 3, output: 7, reasoning: 30 } },
      'plain': { input: 1, output: 2, reasoning: 20, long_context: { above_input_tokens: 1000, input: 3, output: 7 } },
    });
    const long = { ...emptyUsage(), inputTokens: 2000, outputTokens: 1_000_000, reasoningTokens: 500_000 };
    expect(table.cost(long, 'own')).to.include({ output: 3.5, reasoning: 15 });
    expect(table.cost(long, 'plain')).to.include({ output: 3.5, reasoning: 3.5 });
    expect(table.cost({ ...long, inputTokens: 10 }, 'own')).to.include({ output: 1, reasoning: 10 });
  });

  it("prices Anthropic's one-hour cache writes at 2 × input (or their own price), the five-minute ones at cache_write", () => {
    const table = createPriceTable({ 'mine': { input: 1, output: 1, cache_write: 1.25, cache_write_1h: 3 } }, DEFAULT_PRICES);
    // 100 written for five minutes, 100 for an hour, on claude-sonnet-4-5 (input 3, cache_write 3.75).
    const usage = { ...emptyUsage(), cacheWriteTokens: 200_000, cacheWrite1hTokens: 100_000 };
    expect(table.cost(usage, 'claude-sonnet-4-5-20250929')!.cacheWrite).to.equal(0.375 + 0.6);
    expect(table.cost(usage, 'mine')!.cacheWrite).to.equal(0.125 + 0.3);
    // Past 200k prompt tokens the long-context rates apply, the one-hour writes at 2 × their input.
    const long = { ...emptyUsage(), inputTokens: 150_000, cacheWriteTokens: 100_000, cacheWrite1hTokens: 100_000 };
    expect(table.cost(long, 'claude-sonnet-4-5')).to.include({ input: 0.9, cacheWrite: 1.2 });
    // A split larger than the writes (a malformed report) is held to them.
    expect(table.cost({ ...emptyUsage(), cacheWriteTokens: 10, cacheWrite1hTokens: 50 }, 'mine')!.cacheWrite).to.equal(0.00003);
  });

  it('older gpt-3.5-turbo snapshots keep their own (higher) prices', () => {
    const table = createPriceTable(DEFAULT_PRICES);
    expect(table.pricesFor('gpt-3.5-turbo')).to.include({ input: 0.5, output: 1.5 });
    expect(table.pricesFor('gpt-3.5-turbo-instruct')).to.include({ input: 1.5, output: 2 });
    expect(table.pricesFor('gpt-3.5-turbo-16k-0613')).to.include({ input: 3, output: 4 });
    expect(table.pricesFor('gpt-3.5-turbo-1106')).to.include({ input: 1, output: 2 });
    expect(table.pricesFor('gpt-3.5-turbo-0613')).to.include({ input: 1.5, output: 2 });
  });

  it('ships dated prices for the main OpenAI, Anthropic and Google models; new look-alikes stay unpriced', () => {
    expect(PRICES_AS_OF).to.match(/^\d{4}-\d{2}-\d{2}$/);
    const table = createPriceTable({}, DEFAULT_PRICES);
    const u = { ...emptyUsage(), inputTokens: 100_000, outputTokens: 100_000, cacheReadTokens: 50_000, cacheWriteTokens: 40_000 };
    expect(table.cost(u, 'gpt-4o-mini')).to.deep.equal({ input: 0.015, output: 0.06, cachedRead: 0.00375, cacheWrite: 0.006, reasoning: 0, fees: 0, total: 0.08475 });
    expect(table.cost(u, 'claude-sonnet-4-5-20250929')).to.deep.equal({ input: 0.3, output: 1.5, cachedRead: 0.015, cacheWrite: 0.15, reasoning: 0, fees: 0, total: 1.965 });
    expect(table.pricesFor('gemini-2.5-flash-lite')!.input).to.equal(0.1);
    expect(table.pricesFor('gemini-2.5-flash')!.input).to.equal(0.3);
    expect(table.pricesFor('gpt-4.1-mini-2025-04-14')!.input).to.equal(0.4);
    expect(table.cost(u, 'gpt-7-ultra')).to.equal(null);
    expect(table.cost(u, 'claude-opus-9')).to.equal(null);
  });
});

describe('price table: the models the 2026 clients ask for', () => {
  // Codex CLI asks for gpt-5.5, Claude Code for claude-opus-5-5, Gemini CLI for gemini-3.8-flash
  // and gemini-3.5-flash-lite (test fixtures of their real requests); each was unpriced (null).
  const table = createPriceTable({}, DEFAULT_PRICES);
  const M = 1_000_000;

  it("prices gpt-5.5 at OpenAI's $5 / $0.50 / $30, and the whole request at $10 / $1 / $45 past 272k prompt tokens", () => {
    const u = { ...emptyUsage(), inputTokens: 200_000, cacheReadTokens: 72_000, outputTokens: 10_000, reasoningTokens: 4_000 };
    expect(table.cost(u, 'gpt-5.5')).to.deep.equal({ input: 1, cachedRead: 0.036, cacheWrite: 0, output: 0.18, reasoning: 0.12, fees: 0, total: 1.336 });
    const long = { ...u, inputTokens: 200_001 };
    expect(table.cost(long, 'gpt-5.5')).to.include({ input: 2.00001, cachedRead: 0.072, output: 0.27, reasoning: 0.18 });
    expect(table.cost(u, 'gpt-5.5-2026-04-23')).to.deep.equal(table.cost(u, 'gpt-5.5'));
    // The pro model is its own price, not gpt-5.5's.
    expect(table.cost({ ...emptyUsage(), inputTokens: 100_000, outputTokens: M }, 'gpt-5.5-pro')!.total).to.equal(183);
    expect(table.pricesFor('gpt-5.4-mini')).to.include({ input: 0.75, cached_read: 0.075, output: 4.5 });
    // GPT-5.4 and the pro models: the same 2 × input, 1.5 × output past 272k (OpenAI's model pages).
    expect(table.cost({ ...emptyUsage(), inputTokens: 272_001, outputTokens: M }, 'gpt-5.4')).to.include({ input: 1.360005, output: 22.5 });
    expect(table.cost({ ...emptyUsage(), inputTokens: 300_000, outputTokens: M }, 'gpt-5.4-pro')).to.include({ input: 18, output: 270 });
  });

  it("prices claude-opus-5-5 at Anthropic's $4 / $20, cache read $0.20, writes $5 (5 minutes) and $8 (1 hour)", () => {
    const u = { ...emptyUsage(), inputTokens: 10_000, cacheReadTokens: 500_000, cacheWriteTokens: 200_000, cacheWrite1hTokens: 100_000, outputTokens: 20_000 };
    expect(table.cost(u, 'claude-opus-5-5')).to.deep.equal({ input: 0.04, cachedRead: 0.1, cacheWrite: 0.5 + 0.8, output: 0.4, reasoning: 0, fees: 0, total: 1.84 });
    expect(table.pricesFor('claude-opus-5')).to.include({ input: 5, cached_read: 0.5, output: 25 });
    expect(table.pricesFor('claude-sonnet-5-5')).to.include({ input: 2, cached_read: 0.1, cache_write: 2.5, output: 10 });
  });

  it('prices Claude Haiku 5.5 at five times its rates on every class once the prompt passes 100k tokens', () => {
    const short = { ...emptyUsage(), inputTokens: 40_000, cacheReadTokens: 60_000, outputTokens: M };
    expect(table.cost(short, 'claude-haiku-5-5')).to.include({ input: 0.004, cachedRead: 0.0006, output: 0.5 });
    expect(table.cost({ ...short, inputTokens: 40_001 }, 'claude-haiku-5-5')).to.include({ input: 0.0200005, cachedRead: 0.003, output: 2.5 });
  });

  it("prices gemini-3.8-flash and gemini-3.5-flash-lite at Google's paid-tier rates", () => {
    const u = { ...emptyUsage(), inputTokens: M, cacheReadTokens: M, outputTokens: M };
    expect(table.cost(u, 'gemini-3.8-flash')).to.include({ input: 0.75, cachedRead: 0.075, output: 3.75 });
    expect(table.cost(u, 'models/gemini-3.8-flash')).to.deep.equal(table.cost(u, 'gemini-3.8-flash'));
    expect(table.cost(u, 'gemini-3.5-flash-lite')).to.include({ input: 0.3, cachedRead: 0.03, output: 2.5 });
    const long = { ...emptyUsage(), inputTokens: 200_001, outputTokens: M };
    expect(table.cost(long, 'gemini-3.1-pro-preview')).to.include({ input: 0.800004, output: 18 });
  });

  it('prices gpt-5.2, gpt-5.1 and the Codex models Codex CLI runs (gpt-5-codex, gpt-5.2-codex, gpt-5.3-codex), their snapshots and priority tier', () => {
    const m = { ...emptyUsage(), inputTokens: 1_000_000, cacheReadTokens: 1_000_000, outputTokens: 1_000_000 };
    for (const model of ['gpt-5.2', 'gpt-5.2-2025-12-11', 'gpt-5.2-codex', 'gpt-5.3-codex']) expect(table.cost(m, model)!.total, model).to.equal(1.75 + 0.175 + 14);
    for (const model of ['gpt-5.1', 'gpt-5.1-2025-11-13', 'gpt-5-codex']) expect(table.cost(m, model)!.total, model).to.equal(1.25 + 0.125 + 10);
    expect(table.cost({ ...emptyUsage(), inputTokens: 1_000_000, outputTokens: 1_000_000 }, 'gpt-5.2-pro')!.total).to.equal(21 + 168);
    expect(table.cost({ ...m, serviceTier: 'priority' }, 'gpt-5.2')!.total).to.equal(3.5 + 0.35 + 28);
    expect(table.cost({ ...m, serviceTier: 'fast' }, 'gpt-5.1')!.total).to.equal(2.5 + 0.25 + 20);
    // One source only so far: left to `pricing:`.
    for (const model of ['gpt-5.1-codex', 'gpt-5.1-codex-max', 'gpt-5.1-codex-mini']) expect(table.cost(m, model), model).to.equal(null);
  });

  it("prices Gemini 2.5's cache reads at a tenth of input, as Google does (not 2.0 Flash's quarter)", () => {
    // 100k tokens read from cache: $ per million / 10.
    const cached = (model: string, input = 0) => table.cost({ ...emptyUsage(), inputTokens: input, cacheReadTokens: 100_000 }, model)!.cachedRead;
    expect(cached('gemini-2.5-pro')).to.equal(0.0125);
    expect(cached('gemini-2.5-pro', 150_000)).to.equal(0.025); // past 200k prompt tokens
    expect(cached('gemini-2.5-flash')).to.equal(0.003);
    expect(cached('gemini-2.5-flash-preview-09-2025')).to.equal(0.003);
    expect(cached('gemini-2.5-flash-lite')).to.equal(0.001);
  });

  it('leaves look-alikes of the new models unpriced rather than at a neighbour\'s price', () => {
    const u = { ...emptyUsage(), inputTokens: 10 };
    for (const m of ['gpt-5.5-mini', 'gpt-5.6-sol', 'claude-opus-5-1', 'claude-fable-5-2', 'claude-haiku-5', 'gemini-3.8-pro', 'gemini-3.8-flash-lite']) {
      expect(table.cost(u, m), m).to.equal(null);
    }
  });
});

describe('price table: Gemini 2.5 speech models are not its text models', () => {
  const table = createPriceTable({}, DEFAULT_PRICES);

  it('leaves the TTS and native-audio models unpriced (they bill audio at several times the text rates), while the dated text previews keep their model\'s price', () => {
    // Google lists gemini-2.5-flash-preview-tts, gemini-2.5-pro-preview-tts and
    // gemini-2.5-flash-preview-native-audio-dialog beside the text models; the Pro TTS model costs
    // $1 / $20 (OpenRouter's Vertex price), not Gemini 2.5 Pro's $1.25 / $10.
    const u = { ...emptyUsage(), inputTokens: 10, outputTokens: 10 };
    for (const m of ['gemini-2.5-flash-preview-tts', 'gemini-2.5-pro-preview-tts', 'gemini-2.5-pro-tts', 'gemini-2.5-flash-preview-native-audio-dialog', 'gemini-2.5-flash-lite-preview-tts']) {
      expect(table.cost(u, m), m).to.equal(null);
    }
    for (const m of ['gemini-2.5-pro', 'gemini-2.5-pro-preview-03-25', 'gemini-2.5-pro-preview-05-06', 'gemini-2.5-pro-preview-06-05']) expect(table.pricesFor(m)?.output, m).to.equal(10);
    for (const m of ['gemini-2.5-flash-preview-04-17', 'gemini-2.5-flash-preview-05-20', 'gemini-2.5-flash-preview-09-2025']) expect(table.pricesFor(m)?.output, m).to.equal(2.5);
    for (const m of ['gemini-2.5-flash-lite', 'gemini-2.5-flash-lite-preview-06-17', 'gemini-2.5-flash-lite-preview-09-2025']) expect(table.pricesFor(m)?.output, m).to.equal(0.4);
  });
});

describe('price table: Google resource names', () => {
  it('prices models/gemini-2.5-flash, which the Gemini provider serves as gemini-2.5-flash, at that model; an entry for the prefixed name wins', () => {
    const table = createPriceTable({ 'models/my-tuned': { input: 7, output: 7 } }, DEFAULT_PRICES);
    const u = { ...emptyUsage(), inputTokens: 1_000_000, outputTokens: 1_000_000 };
    expect(table.cost(u, 'models/gemini-2.5-flash')).to.deep.equal(table.cost(u, 'gemini-2.5-flash'));
    expect(table.cost({ ...emptyUsage(), inputTokens: 100_000, outputTokens: 100_000 }, 'Models/Gemini-2.5-Pro')!.total).to.equal(0.125 + 1);
    expect(table.match('models/gemini-2.5-flash')).to.include({ table: 1, pattern: 'gemini-2.5-flash' });
    expect(table.pricesFor('models/my-tuned')).to.deep.equal({ input: 7, output: 7 });
    // Only Google's own prefix: a reseller's provider/model name is its own price, not a guess.
    expect(table.cost(u, 'google/gemini-2.5-flash')).to.equal(null);
    expect(table.cost(u, 'models/gemini-7-ultra')).to.equal(null);
  });
});

describe('provider prices', () => {
  it('a provider\'s own prices win over the table, for a model the table does not know too', () => {
    const table = createPriceTable({ 'gpt-4o*': { input: 2.5, output: 10 } });
    const usage = { ...emptyUsage(), inputTokens: 1_000_000, outputTokens: 1_000_000 };
    expect(table.cost(usage, 'gpt-4o', { input: 1, output: 2 })!.total).to.equal(3);
    expect(table.cost(usage, 'unknown-model')).to.equal(null);
    expect(table.cost(usage, 'unknown-model', { input: 1, output: 2, cached_read: 0.5 })!.total).to.equal(3);
  });

  it('comes from a provider\'s `prices` in config', async () => {
    const { createProviderRegistry } = await import('../../core/providers/registry.js');
    const registry = createProviderRegistry({});
    const priced = registry.create('resold', { type: 'openai', base_url: 'http://127.0.0.1:9', prices: { input: 0.5, output: 1.5 } });
    expect(priced.prices).to.deep.equal({ input: 0.5, output: 1.5 });
    // The built-in loopback model's own prices are a known 0 (loopback-price.test.ts); other types have none of their own.
    expect(registry.create('plain', { type: 'loopback' }).prices).to.deep.equal({ input: 0, output: 0 });
    const bare = registry.create('bare', { type: 'openai', base_url: 'http://127.0.0.1:9' });
    expect(bare.prices).to.equal(undefined);
    await bare.close();
    await priced.close();
  });
});
