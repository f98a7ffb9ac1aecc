// What a request costs beyond its base token prices: the service tier that served it (OpenAI's
// flex / priority / scale, Anthropic's priority / batch, and its fast mode and US-only inference,
// joined on as `fast+us` — priced differently by the providers) and
// calls billed per request (web search, web fetch). Both are read from the answer (usage-fees.ts).
import type { TierPrices, TokenPrices } from './price-table.js';
import type { Usage } from '../protocols/types.js';

/**
 * The names providers give their standard tier: OpenAI `default`, Anthropic `standard`, Groq
 * `on_demand`. Those are the entry's own prices; any other tier is priced only by `tiers`.
 */
const BASE_TIERS = new Set(['default', 'standard', 'on_demand']);

/** The prices of `tier` for an entry; undefined when the entry does not know them (the row costs null, not the default's price). */
export function pricesForTier(entry: TokenPrices, tier: string): TokenPrices | undefined {
  if (BASE_TIERS.has(tier)) return entry;
  const t = entry.tiers?.[tier] ?? composed(entry, tier);
  if (!t) return undefined;
  if (!('multiplier' in t)) return t;
  const m = t.multiplier;
  const scaled = (p: { input: number; output: number; cached_read?: number; cache_write?: number; cache_write_1h?: number; reasoning?: number }) => ({
    input: p.input * m, output: p.output * m,
    ...(p.cached_read === undefined ? {} : { cached_read: p.cached_read * m }),
    ...(p.cache_write === undefined ? {} : { cache_write: p.cache_write * m }),
    ...(p.cache_write_1h === undefined ? {} : { cache_write_1h: p.cache_write_1h * m }),
    ...(p.reasoning === undefined ? {} : { reasoning: p.reasoning * m }),
  });
  const lc = entry.long_context;
  return lc ? { ...scaled(entry), long_context: { ...scaled(lc), above_input_tokens: lc.above_input_tokens } } : scaled(entry);
}

/**
 * A tier joined from others (`fast+us`: fast mode on US-only inference) that the entry does not list
 * whole: the product of its parts' multipliers, each part listed as one (or a base tier). Anthropic's
 * modifiers stack so; a part priced as a block, or not listed, leaves the tier unknown.
 */
function composed(entry: TokenPrices, tier: string): TierPrices | undefined {
  if (!tier.includes('+')) return undefined;
  let multiplier = 1;
  for (const part of tier.split('+')) {
    if (BASE_TIERS.has(part)) continue;
    const t = entry.tiers?.[part];
    if (!t || !('multiplier' in t)) return undefined;
    multiplier *= t.multiplier;
  }
  return { multiplier };
}

/** USD of the calls billed per request, or null when a call was made whose price is not known. */
export function feesOf(usage: Usage, entry: TokenPrices): number | null {
  let usd = 0;
  if (usage.webSearchCalls) {
    if (entry.web_search === undefined) return null;
    usd += usage.webSearchCalls * entry.web_search / 1000;
  }
  if (usage.webFetchCalls) {
    if (entry.web_fetch === undefined) return null;
    usd += usage.webFetchCalls * entry.web_fetch / 1000;
  }
  return usd;
}
