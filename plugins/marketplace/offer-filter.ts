// Which offers this gateway buys from: not its own, not expired, no dearer than `buy.max_price` in
// any class it sets, and overlapping `buy.models`.
import { compileGlob } from '../../core/index.js';
import type { MarketplaceOptions } from './options.js';
import { expiresAt, type Offer } from './protocol.js';

/**
 * A model pattern against a name: core's globs (`*` anywhere matches any run of characters), as key
 * allow-lists and the router read them — an offer selling `claude-*-sonnet` takes `claude-4-sonnet`.
 */
export function patternMatches(pattern: string, name: string): boolean {
  return compileGlob(pattern)(name);
}

/**
 * Two patterns overlap when one, read as a name, matches the other (`gpt-4o*` and `gpt-4o-mini`,
 * `gpt-*` and `gpt-4o*`). Not a full intersection of globs, but exact for names and prefixes —
 * what offers and buy lists are made of.
 */
export function patternsOverlap(a: string, b: string): boolean {
  return patternMatches(a, b) || patternMatches(b, a);
}

export function offerServes(offer: Pick<Offer, 'models'>, model: string): boolean {
  return offer.models.some((p) => patternMatches(p, model));
}

/** Why an offer is not used, or undefined when it is. */
export function offerRefusal(offer: Offer, options: Pick<MarketplaceOptions, 'gateway_id' | 'buy' | 'sell'>, now = Date.now()): string | undefined {
  if (offer.seller === options.gateway_id || (options.sell.enabled && options.sell.offer?.id === offer.id)) return 'own offer';
  const exp = expiresAt(offer);
  if (exp !== undefined && exp <= now) return 'expired';
  const max = options.buy.max_price;
  const p = offer.price;
  const classes: [string, number | undefined, number][] = [
    ['input', max.input, p.input],
    ['output', max.output, p.output],
    ['cached_read', max.cached_read, p.cached_read ?? p.input],
    ['cache_write', max.cache_write, p.cache_write ?? p.input],
  ];
  for (const [name, limit, price] of classes) if (limit !== undefined && price > limit) return `${name} price ${price} above max_price ${limit}`;
  if (!offer.models.some((m) => options.buy.models.some((b) => patternsOverlap(m, b)))) return 'no model in buy.models';
  return undefined;
}
