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

/**
 * The offers this process asked the marketplace to list — the only ones it may withdraw. Another
 * process with the same config (a `sluice config validate` in CI, the live gateway's successor
 * still starting) must never delist the offer a running gateway is selling.
 */
export class OfferListing {
  private readonly published = new Set<string>();
  /**
   * Calls go out one after another, in the order asked: a DELETE asked for (a reload that stops
   * selling, shutdown) while a PUT is on its way would otherwise overtake it, and the late PUT would
   * list the offer again behind this process's back.
   */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly client: MarketplaceClient) {}

  private inTurn<T>(call: () => Promise<T>): Promise<T> {
    const next = this.queue.then(call, call);
    this.queue = next.catch(() => {});
    return next;
  }

  publish(offer: SellOffer, gatewayId: string): Promise<void> {
    // Noted before the call: a PUT that timed out may still have been listed.
    this.published.add(offer.id);
    return this.inTurn(() => publishOffer(this.client, offer, gatewayId));
  }

  /** DELETEs the offer when this process published it; false (and no call) otherwise. */
  withdraw(offerId: string): Promise<boolean> {
    if (!this.published.has(offerId)) return Promise.resolve(false);
    return this.inTurn(async () => {
      await withdrawOffer(this.client, offerId);
      this.published.delete(offerId);
      return true;
    });
  }
}
