// Prices per model glob and token class (USD per million tokens), and the cost of a request's usage.
// An unknown model costs null, never 0: "free" and "we do not know" must not look alike in a report.
import { compileGlob, type GlobMatcher } from '../glob.js';
import type { Usage } from '../protocols/types.js';
import { feesOf, pricesForTier } from './tier-prices.js';

/** Prices that replace the base ones once a request's prompt is longer than `above_input_tokens`. */
export interface LongContextPrices {
  /** Prompt size (input + cache read + cache write tokens) beyond which these prices apply to the whole request. */
  above_input_tokens: number;
  input: number;
  output: number;
  cached_read?: number;
  cache_write?: number;
  cache_write_1h?: number;
  /** Reasoning tokens past the threshold; defaults to the long-context output price. */
  reasoning?: number;
}

export interface TokenPrices {
  input: number;
  output: number;
  /** Cache reads; defaults to the input price when a provider has no discount. */
  cached_read?: number;
  /** Cache writes; defaults to the input price. */
  cache_write?: number;
  /**
   * One-hour cache writes (only Anthropic reports them apart: Usage.cacheWrite1hTokens); defaults
   * to 2 × the input price, Anthropic's rule for them.
   */
  cache_write_1h?: number;
  /** Reasoning tokens; defaults to the output price (they are billed as output everywhere today). */
  reasoning?: number;
  /** Where a provider prices long prompts differently (Gemini 2.5 Pro, Claude Sonnet 4 past 200k tokens). */
  long_context?: LongContextPrices;
  /** The service tiers the answer may name (tier-prices.ts); default / standard are these base prices, and a tier not listed costs null. */
  tiers?: Record<string, TierPrices>;
  /** Web searches, USD per 1,000 calls (Usage.webSearchCalls). */
  web_search?: number;
  /** Web fetches, USD per 1,000 calls (Usage.webFetchCalls). */
  web_fetch?: number;
}

/** A tier's prices: its own per class, or a multiple of the base (long context included). */
export type TierPrices = { multiplier: number } | { input: number; output: number; cached_read?: number; cache_write?: number; cache_write_1h?: number; reasoning?: number };

export interface Cost {
  input: number;
  output: number;
  cachedRead: number;
  cacheWrite: number;
  reasoning: number;
  /** Calls billed apart from tokens (web search, web fetch). */
  fees: number;
  total: number;
}

/** Which entry prices a model: its table (by position, in the order given) and its name or glob. */
export interface PriceMatch { table: number; pattern: string; prices: TokenPrices }

/** Every class's price, each default filled in: what a token of each class costs. */
export interface EffectivePrices { input: number; output: number; cached_read: number; cache_write: number; cache_write_1h: number; reasoning: number }

export interface PriceTable {
  /** The prices for a model: the first table with a match wins, and within a table an exact name before globs. */
  pricesFor(model: string): TokenPrices | undefined;
  /** The entry pricesFor reads, with where it is (for `sluice prices`); uncached. */
  match(model: string): PriceMatch | undefined;
  /**
   * Cost of `usage` on `model`, or null when the model has no price. `prices`, when given, are what
   * the serving provider charges (`Provider.prices`) and win over the table.
   */
  cost(usage: Usage, model: string, prices?: TokenPrices): Cost | null;
}

const PER_TOKEN = 1 / 1_000_000;
const RESOURCE_PREFIX = 'models/';
const round = (usd: number) => Math.round(usd * 1e9) / 1e9;

/** An entry's name or glob, matched in lower case (model names are priced whatever their case). */
interface Entry { match: GlobMatcher; exact: string; prices: TokenPrices }

/** The defaults of the classes a price leaves out (see TokenPrices), base or long-context alike. */
export function effectivePrices(p: TokenPrices | LongContextPrices): EffectivePrices {
  return {
    input: p.input, output: p.output, cached_read: p.cached_read ?? p.input, cache_write: p.cache_write ?? p.input,
    cache_write_1h: p.cache_write_1h ?? 2 * p.input, reasoning: p.reasoning ?? p.output,
  };
}

/**
 * Tables are tried in order (the config's `pricing:` before the shipped defaults), so an operator's
 * glob overrides a default's exact name; within one table an exact name beats a glob, then the
 * first glob in the table's order wins. Output tokens include reasoning tokens (as every provider
 * reports them); reasoning is priced separately only where a price says so.
 */
export function createPriceTable(...tables: Record<string, TokenPrices>[]): PriceTable {
  const compiled: Entry[][] = tables.map((t) => Object.entries(t).map(([glob, prices]) => ({ match: compileGlob(glob.toLowerCase()), exact: glob, prices })));
  const cache = new Map<string, TokenPrices | null>();
  const lookup = (lower: string): PriceMatch | undefined => {
    for (const [table, entries] of compiled.entries()) {
      const hit = entries.find((e) => e.exact.toLowerCase() === lower) ?? entries.find((e) => e.match(lower));
      if (hit) return { table, pattern: hit.exact, prices: hit.prices };
    }
    return undefined;
  };
  const match = (model: string): PriceMatch | undefined => {
    const lower = model.toLowerCase();
    // `models/gemini-2.5-flash` is Google's resource name for gemini-2.5-flash: clients write either,
    // the Gemini provider serves and Google bills both as the bare model. An entry for the prefixed
    // name itself still wins.
    return lookup(lower) ?? (lower.startsWith(RESOURCE_PREFIX) ? lookup(lower.slice(RESOURCE_PREFIX.length)) : undefined);
  };
  const pricesFor = (model: string): TokenPrices | undefined => {
    let hit = cache.get(model);
    if (hit === undefined) {
      hit = match(model)?.prices ?? null;
      if (cache.size < 10_000) cache.set(model, hit);
    }
    return hit ?? undefined;
  };
  return {
    pricesFor,
    match,
    cost(usage, model, prices) {
      const entry = prices ?? pricesFor(model);
      if (!entry) return null;
      // The tier the answer names: its prices, or null when they are not known (never the default's).
      const base = usage.serviceTier === undefined ? entry : pricesForTier(entry, usage.serviceTier);
      if (!base) return null;
      const fees = feesOf(usage, entry);
      if (fees === null) return null;
      const prompt = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
      const p = effectivePrices(base.long_context && prompt > base.long_context.above_input_tokens ? base.long_context : base);
      const reasoning = Math.min(usage.reasoningTokens, usage.outputTokens);
      const hour = Math.min(usage.cacheWrite1hTokens ?? 0, usage.cacheWriteTokens);
      const c = {
        input: usage.inputTokens * p.input * PER_TOKEN,
        output: (usage.outputTokens - reasoning) * p.output * PER_TOKEN,
        cachedRead: usage.cacheReadTokens * p.cached_read * PER_TOKEN,
        cacheWrite: ((usage.cacheWriteTokens - hour) * p.cache_write + hour * p.cache_write_1h) * PER_TOKEN,
        reasoning: reasoning * p.reasoning * PER_TOKEN,
      };
      return {
        input: round(c.input), output: round(c.output), cachedRead: round(c.cachedRead), cacheWrite: round(c.cacheWrite), reasoning: round(c.reasoning),
        fees: round(fees), total: round(c.input + c.output + c.cachedRead + c.cacheWrite + c.reasoning + fees),
      };
    },
  };
}
