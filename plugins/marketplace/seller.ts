// Selling: PUT {url}/v1/offers/{id} publishes this gateway's offer (at start, then with every pull
// round so a marketplace that lost it gets it back, and after a reload changed it); DELETE withdraws
// it on shutdown. Buyers then call `base_url` with a key of kind marketplace; their rows are `supplied`.
import type { MarketplaceClient } from './client.js';
import type { SellOffer } from './options.js';

/** The PUT body: the fields, plus where and how buyers call (protocol, the key they use). */
export function offerBody(offer: SellOffer, gatewayId: string): Record<string, unknown> {
  return {
    id: offer.id, seller: gatewayId, models: offer.models, protocol: offer.protocol, base_url: offer.base_url,
    price: offer.price, capacity: offer.capacity, ...(offer.api_key ? { api_key: offer.api_key } : {}),
  };
}

export async function publishOffer(client: MarketplaceClient, offer: SellOffer, gatewayId: string): Promise<void> {
  await client.call('PUT', `/v1/offers/${encodeURIComponent(offer.id)}`, { body: offerBody(offer, gatewayId) });
}

/** 404 is fine: the offer is gone either way. */
export async function withdrawOffer(client: MarketplaceClient, offerId: string): Promise<void> {
  await client.call('DELETE', `/v1/offers/${encodeURIComponent(offerId)}`, { okStatuses: [404] });
}
