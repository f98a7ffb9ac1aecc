// Publishing and withdrawing this gateway's offer reach the marketplace in the order they were
// asked for. A reload that turns selling off (or shutdown) while a PUT is still on its way must not
// have its DELETE overtaken by that PUT: the marketplace would list the offer again, and this
// gateway — which thinks it withdrew it — would never withdraw it.
import { expect } from 'chai';
import type { MarketplaceAnswer, MarketplaceClient } from '../../../plugins/marketplace/client.js';
import { marketplaceOptions } from '../../../plugins/marketplace/options.js';
import { OfferListing } from '../../../plugins/marketplace/seller.js';

describe('marketplace: publish and withdraw in order', () => {
  it('a withdraw asked for while a publish is in flight is sent after it, so the offer ends withdrawn', async () => {
    const listed = new Set<string>();
    const seen: string[] = [];
    let releasePut: (() => void) | undefined;
    const ok: MarketplaceAnswer = { status: 200, body: {}, etag: undefined, retryAfterMs: undefined };
    const client: MarketplaceClient = {
      async call(method, path) {
        const id = decodeURIComponent(path.split('/').pop()!);
        seen.push(`${method} sent`);
        // The PUT is slow (the marketplace or the network); it lands when released.
        if (method === 'PUT') await new Promise<void>((r) => { releasePut = r; });
        if (method === 'PUT') listed.add(id); else listed.delete(id);
        seen.push(`${method} done`);
        return ok;
      },
    };
    const offer = marketplaceOptions.parse({
      url: 'http://127.0.0.1:9', api_key: 'k', gateway_id: 'gw',
      sell: { enabled: true, offer: { id: 'mine', models: ['m'], price: { input: 1, output: 1 }, base_url: 'http://127.0.0.1:9/v1' } },
    }).sell.offer!;
    const listing = new OfferListing(client);
    const publishing = listing.publish(offer, 'gw');
    await new Promise((r) => setImmediate(r));
    const withdrawing = listing.withdraw('mine');
    await new Promise((r) => setImmediate(r));
    releasePut!();
    await publishing;
    expect(await withdrawing).to.equal(true);
    expect(seen).to.deep.equal(['PUT sent', 'PUT done', 'DELETE sent', 'DELETE done']);
    expect(listed.has('mine')).to.equal(false);
  });
});
