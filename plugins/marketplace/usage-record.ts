// From a finished request to the usage record the marketplace gets — or none, when the request did
// not involve the marketplace and `report` is `marketplace`. Cheap and synchronous: it runs in onRequest.
import { abandonedCallUsage, cutStreamUsage, type Exchange, type PriceTable, type RequestRecord, type TokenPrices } from '../../core/index.js';
import type { Direction, UsageRecord } from './protocol.js';
import { recordIdFor } from './record-id.js';

export interface RecordContext {
  pricing: PriceTable;
  reportAll: boolean;
  /** This gateway's own offer, when it sells: supplied rows are priced at its price and carry its id. */
  sellOffer: { id: string; prices: TokenPrices } | undefined;
}

const isAdmin = (p: string) => p === '/admin' || p.startsWith('/admin/');

/**
 * `consumed` when an offer's provider answered (a fallback to a local provider is not bought),
 * `supplied` when a marketplace buyer asked with a key of kind marketplace — the same rule the ledger
 * marks its rows with. Every ledger row that involved the marketplace is reported (issue 15), a
 * buyer's refused request too (403, 429: its tokens and cost are 0), so the marketplace's count of
 * a buyer's requests matches the seller's ledger.
 */
export function directionOf(record: RequestRecord): { direction: Direction | null; offerId: string | null } {
  const provider = record.exchange?.target?.provider;
  if (provider?.offer && provider.name === record.provider) return { direction: 'consumed', offerId: provider.offer.id };
  if (record.principal?.keyKind === 'marketplace') return { direction: 'supplied', offerId: null };
  return { direction: null, offerId: null };
}

/** Whether the record of this exchange will be reported, known once it was answered (the middleware meters only those streams). */
export function isReported(exchange: Exchange, ctx: RecordContext): boolean {
  return ctx.reportAll || exchange.target?.provider.offer !== undefined || exchange.principal?.keyKind === 'marketplace';
}

export function usageRecordFor(record: RequestRecord, ctx: RecordContext): UsageRecord | undefined {
  const { direction, offerId } = directionOf(record);
  if (direction === null && (!ctx.reportAll || (record.endpoint === undefined && isAdmin(record.path)))) return undefined;
  // A stream cut before its final usage report (client gone, shutdown, upstream cut) goes with
  // what was reported so far and estimates for the rest — input from the request, output from the
  // text that went out (index.ts meters reported streams) — as the ledger's `partial` row does;
  // else a seller would bill nothing for an answer its buyer read half of. A call abandoned before
  // any answer goes with its prompt's estimate (the provider bills the prompt), as the ledger's
  // `estimated` row and the limits charge it.
  const ex = record.exchange;
  const u = (ex && (cutStreamUsage(ex, record.usage) ?? abandonedCallUsage(ex, record.outcome, record.usage))) || record.usage;
  const model = record.servedModel ?? record.model ?? null;
  // Consumed: the offer's price travels on its provider. Supplied: what the buyer owes, at this
  // gateway's own offer price. Anything else: the serving provider's prices or the price table.
  const prices = direction === 'supplied' ? ctx.sellOffer?.prices ?? record.exchange?.target?.provider.prices : record.exchange?.target?.provider.prices;
  const cost = u && model ? ctx.pricing.cost(u, model, prices) : undefined;
  return {
    id: recordIdFor(record),
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
