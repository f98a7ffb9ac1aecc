// Prices per model glob and token class (USD per million tokens), and the cost of a request's usage.
// An unknown model costs null, never 0: "free" and "we do not know" must not look alike in a report.
import type { Usage } from '../protocols/types.js';

export interface TokenPrices {
  input: number;
  output: number;
  /** Cache reads; defaults to the input price when a provider has no discount. */
  cached_read?: number;
  /** Cache writes; defaults to the input price. */
  cache_write?: number;
  /** Reasoning tokens; defaults to the output price (they are billed as output everywhere today). */
  reasoning?: number;
}

export interface Cost {
  input: number;
  output: number;
  cachedRead: number;
  cacheWrite: number;
  reasoning: number;
  total: number;
}

export interface PriceTable {
  /** The prices for a model, first matching glob wins (the config's entries before the defaults). */
  pricesFor(model: string): TokenPrices | undefined;
  /** Cost of `usage` on `model`, or null when the model has no price. */
  cost(usage: Usage, model: string): Cost | null;
}

/** `*` matches any run of characters; everything else is literal. */
function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
}

const PER_TOKEN = 1 / 1_000_000;
const round = (usd: number) => Math.round(usd * 1e9) / 1e9;

/**
 * Entries are tried in order; put overrides first. Output tokens include reasoning tokens (as
 * every provider reports them); reasoning is priced separately only where a price says so.
 */
export function createPriceTable(...tables: Record<string, TokenPrices>[]): PriceTable {
  const entries = tables.flatMap((t) => Object.entries(t)).map(([glob, prices]) => ({ match: globToRegExp(glob), exact: glob, prices }));
  const cache = new Map<string, TokenPrices | null>();
  const pricesFor = (model: string): TokenPrices | undefined => {
    let hit = cache.get(model);
    if (hit === undefined) {
      hit = entries.find((e) => e.exact === model)?.prices ?? entries.find((e) => e.match.test(model))?.prices ?? null;
      if (cache.size < 10_000) cache.set(model, hit);
    }
    return hit ?? undefined;
  };
  return {
    pricesFor,
    cost(usage, model) {
      const p = pricesFor(model);
      if (!p) return null;
      const reasoning = Math.min(usage.reasoningTokens, usage.outputTokens);
      const c = {
        input: usage.inputTokens * p.input * PER_TOKEN,
        output: (usage.outputTokens - reasoning) * p.output * PER_TOKEN,
        cachedRead: usage.cacheReadTokens * (p.cached_read ?? p.input) * PER_TOKEN,
        cacheWrite: usage.cacheWriteTokens * (p.cache_write ?? p.input) * PER_TOKEN,
        reasoning: reasoning * (p.reasoning ?? p.output) * PER_TOKEN,
      };
      return {
        input: round(c.input), output: round(c.output), cachedRead: round(c.cachedRead), cacheWrite: round(c.cacheWrite), reasoning: round(c.reasoning),
        total: round(c.input + c.output + c.cachedRead + c.cacheWrite + c.reasoning),
      };
    },
  };
}
