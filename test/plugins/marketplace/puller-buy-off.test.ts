// Buying turned off by a reload while a pull is in flight: the pull's answer must not put the offers
// back. Before, the reload removed them and the late answer re-added them — and with buying off no
// pull came to take them out again, so prompts kept going to sellers until the offers expired.
import { expect } from 'chai';
import { createProviderRegistry } from '../../../core/providers/registry.js';
import type { MarketplaceAnswer, MarketplaceClient } from '../../../plugins/marketplace/client.js';
import { OfferBook } from '../../../plugins/marketplace/offer-book.js';
import { marketplaceOptions, type MarketplaceOptions } from '../../../plugins/marketplace/options.js';
import { CatalogueSync } from '../../../plugins/marketplace/puller.js';
import { OfferListing } from '../../../plugins/marketplace/seller.js';
import { quietLogger, LOCAL_OFFERS } from './rig.js';

const OFFER = { id: 'o-1', seller: 'gw-x', models: ['gpt-4o*'], protocol: 'openai', base_url: 'http://127.0.0.1:9/v1', price: { input: 0.5, output: 1 } };

describe('marketplace: buying turned off while a pull is in flight', () => {
  it('the late answer puts no offer in service', async () => {
    let answer: ((a: MarketplaceAnswer) => void) | undefined;
    const client: MarketplaceClient = {
      call: () => new Promise<MarketplaceAnswer>((resolve) => { answer = resolve; }),
    };
    let options: MarketplaceOptions = marketplaceOptions.parse({ url: 'http://127.0.0.1:9', api_key: 'k', gateway_id: 'gw', buy: { enabled: true } });
    const registry = createProviderRegistry({});
    const book = new OfferBook(registry, quietLogger().logger, () => {}, () => options.buy.models, () => LOCAL_OFFERS);
    const sync = new CatalogueSync({
      client, listing: new OfferListing(client), book, logger: quietLogger().logger,
      options: () => options, intervalMs: () => 60_000, backoff: () => ({ initialMs: 50, maxMs: 100 }), onResult: () => {},
    });
    const round = sync.round();
    await new Promise((r) => setImmediate(r));
    expect(answer, 'the pull is in flight').to.not.equal(undefined);

    // The reload: new options, then the plugin clears what it bought (index.ts).
    options = marketplaceOptions.parse({ url: 'http://127.0.0.1:9', api_key: 'k', gateway_id: 'gw', buy: { enabled: false } });
    await book.clear();
    answer!({ status: 200, body: { offers: [OFFER] }, etag: undefined, retryAfterMs: undefined });
    await round;

    expect(book.inUse()).to.deep.equal([]);
    expect(registry.get('offer:o-1')).to.equal(undefined);
  });
});

describe('marketplace: selling turned off while a round is in flight', () => {
  it('the round does not publish the offer the reload just withdrew', async () => {
    const calls: string[] = [];
    let answer: ((a: MarketplaceAnswer) => void) | undefined;
    const client: MarketplaceClient = {
      call: (method, path) => {
        calls.push(`${method} ${path}`);
        if (method === 'GET') return new Promise<MarketplaceAnswer>((resolve) => { answer = resolve; });
        return Promise.resolve({ status: 200, body: {}, etag: undefined, retryAfterMs: undefined });
      },
    };
    const sell = { offer: { id: 'mine', models: ['m'], price: { input: 1, output: 1 }, base_url: 'http://127.0.0.1:9/v1' } };
    let options: MarketplaceOptions = marketplaceOptions.parse({ url: 'http://127.0.0.1:9', api_key: 'k', gateway_id: 'gw', buy: { enabled: true }, sell: { enabled: true, ...sell } });
    const listing = new OfferListing(client);
    await listing.publish(options.sell.offer!, 'gw'); // published at start
    const book = new OfferBook(createProviderRegistry({}), quietLogger().logger, () => {}, () => options.buy.models, () => LOCAL_OFFERS);
    const sync = new CatalogueSync({
      client, listing, book, logger: quietLogger().logger,
      options: () => options, intervalMs: () => 60_000, backoff: () => ({ initialMs: 50, maxMs: 100 }), onResult: () => {},
    });
    const round = sync.round();
    await new Promise((r) => setImmediate(r));
    // The reload: selling off, the offer withdrawn (index.ts).
    options = marketplaceOptions.parse({ url: 'http://127.0.0.1:9', api_key: 'k', gateway_id: 'gw', buy: { enabled: true }, sell: { enabled: false, ...sell } });
    expect(await listing.withdraw('mine')).to.equal(true);
    answer!({ status: 200, body: { offers: [] }, etag: undefined, retryAfterMs: undefined });
    await round;
    expect(calls).to.deep.equal(['PUT /v1/offers/mine', 'GET /v1/offers', 'DELETE /v1/offers/mine']);
  });
});
