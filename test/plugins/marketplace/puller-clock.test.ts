// The catalogue loop keeps its rhythm when the wall clock steps: an NTP correction or a VM resumed
// from a snapshot can move Date.now() back by an hour, and pulls (and re-publishing this gateway's
// offer) must not stop for that hour. Waits are measured on the monotonic clock.
import { expect } from 'chai';
import type { MarketplaceClient } from '../../../plugins/marketplace/client.js';
import type { OfferBook } from '../../../plugins/marketplace/offer-book.js';
import { marketplaceOptions } from '../../../plugins/marketplace/options.js';
import { CatalogueSync } from '../../../plugins/marketplace/puller.js';
import { OfferListing } from '../../../plugins/marketplace/seller.js';
import { quietLogger, sleep } from './rig.js';

describe('marketplace: the catalogue loop and a wall clock that steps back', () => {
  const realNow = Date.now;
  afterEach(() => { Date.now = realNow; });

  it('pulls and publishes again after the interval even when Date.now() went back an hour', async () => {
    const calls: string[] = [];
    const client: MarketplaceClient = {
      call: async (method, path) => { calls.push(`${method} ${path}`); return { status: 200, body: { offers: [] }, etag: undefined, retryAfterMs: undefined }; },
    };
    const options = marketplaceOptions.parse({
      url: 'http://127.0.0.1:9', api_key: 'k', gateway_id: 'gw', buy: { enabled: true },
      sell: { enabled: true, offer: { id: 'mine', models: ['m'], price: { input: 1, output: 1 }, base_url: 'http://127.0.0.1:9/v1' } },
    });
    const book = { replace: async () => {} } as unknown as OfferBook;
    const sync = new CatalogueSync({
      client, listing: new OfferListing(client), book, logger: quietLogger().logger,
      options: () => options, intervalMs: () => 100, backoff: () => ({ initialMs: 50, maxMs: 100 }), onResult: () => {},
    });
    await sync.round();
    expect(calls).to.deep.equal(['GET /v1/offers', 'PUT /v1/offers/mine']);

    Date.now = () => realNow() - 3_600_000;
    await sleep(150);
    const wait = await sync.round();
    expect(calls).to.deep.equal(['GET /v1/offers', 'PUT /v1/offers/mine', 'GET /v1/offers', 'PUT /v1/offers/mine']);
    expect(wait).to.be.within(50, 100);
  });
});
