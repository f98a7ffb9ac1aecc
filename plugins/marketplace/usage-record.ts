// From a finished request to the usage record the marketplace gets — or none, when the request did
// not involve the marketplace and `report` is `marketplace`. Cheap and synchronous: it runs in onRequest.
import type { PriceTable, RequestRecord, TokenPrices } from '../../core/index.js';
import type { Direction, UsageRecord } from './protocol.js';

export interface RecordContext {
  pricing: PriceTable;
  reportAll: boolean;
  /** This gateway's own offer, when it sells: supplied rows are priced at its price and carry its id. */
  sellOffer: { id: string; prices: TokenPrices } | undefined;
}

const isAdmin = (p: string) => p === '/admin' || p.startsWith('/admin/');

/**
 * Served: a provider answered this request — dispatch received its response (for a stream, the
 * first content), the one point where `timings.upstreamHeaders` is set — so there are tokens to
 * bill, even if the stream later broke, the client left, or a plugin blocked the answer. Not
 * served: refused before dispatch (an allow-list 403, a ratelimit 429, a firewall block of the
 * request), answered by a plugin (a dedupe copy), or failed at every provider it was sent to.
 */
export function served(record: RequestRecord): boolean {
  return record.exchange?.timings.upstreamHeaders !== undefined;
}

const NOT_MARKET = { direction: null, offerId: null } as const;

/**
 * `consumed` when an offer's provider served the request (a fallback to a local provider is not
 * bought), `supplied` when a marketplace buyer's request (a key of kind marketplace) was served.
 * The ledger marks a buyer's row `supplied` even when it was refused; the marketplace only hears
 * of what was served: a refusal is neither sold nor bought.
 */
export function directionOf(record: RequestRecord): { direction: Direction | null; offerId: string | null } {
  if (!served(record)) return NOT_MARKET;
  const provider = record.exchange?.target?.provider;
  if (provider?.offer && provider.name === record.provider) return { direction: 'consumed', offerId: provider.offer.id };
  if (record.principal?.keyKind === 'marketplace') return { direction: 'supplied', offerId: null };
  return NOT_MARKET;
}

export function usageRecordFor(record: RequestRecord, ctx: RecordContext): UsageRecord | undefined {
  const { direction, offerId } = directionOf(record);
  if (direction === null && (!ctx.reportAll || (record.endpoint === undefined && isAdmin(record.path)))) return undefined;
  const u = record.usage;
  const model = record.servedModel ?? record.model ?? null;
  // Consumed: the offer's price travels on its provider. Supplied: what the buyer owes, at this
  // gateway's own offer price. Anything else: the serving provider's prices or the price table.
  const prices = direction === 'supplied' ? ctx.sellOffer?.prices ?? record.exchange?.target?.provider.prices : record.exchange?.target?.provider.prices;
  const cost = u && model ? ctx.pricing.cost(u, model, prices) : undefined;
  return {
    id: record.id,
    time: new Date(record.time).toISOString(),
    direction,
    offer_id: direction === 'supplied' ? ctx.sellOffer?.id ?? null : offerId,
    provider: record.provider ?? null,
    model,
    input_tokens: u?.inputTokens ?? 0,
    output_tokens: u?.outputTokens ?? 0,
    cached_read_tokens: u?.cacheReadTokens ?? 0,
    cache_write_tokens: u?.cacheWriteTokens ?? 0,
    reasoning_tokens: u?.reasoningTokens ?? 0,
    cost_usd: u ? cost?.total ?? null : 0,
  };
}
