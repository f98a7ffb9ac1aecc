// A catalogue answer that is a success but no catalogue (a proxy's HTML page, `{"error": …}`) is a
// failed pull: the offers in use stay in use, as while pulls fail. Before, it read as an empty
// catalogue and every bought offer was taken out of service at once.
import { expect } from 'chai';
import { createProviderRegistry } from '../../../core/providers/registry.js';
import type { MarketplaceAnswer, MarketplaceClient } from '../../../plugins/marketplace/client.js';
import { OfferBook } from '../../../plugins/marketplace/offer-book.js';
import { marketplaceOptions } from '../../../plugins/marketplace/options.js';
import { CatalogueSync, type SyncResult } from '../../../plugins/marketplace/puller.js';
import { OfferListing } from '../../../plugins/marketplace/seller.js';
import { quietLogger, LOCAL_OFFERS } from './rig.js';

const OFFER = { id: 'o-1', seller: 'gw-x', models: ['gpt-4o*'], protocol: 'openai', base_url: 'http://127.0.0.1:9/v1', price: { input: 0.5, output: 1 } };

describe('marketplace: a catalogue answer that holds no catalogue', () => {
  for (const [what, body] of [['a body that is not JSON', undefined], ['JSON without an offers list', { error: 'maintenance' }]] as const) {
    it(`${what}: a failed pull, the offers in use are kept`, async () => {
      const answers: MarketplaceAnswer[] = [
        { status: 200, body: { offers: [OFFER] }, etag: '"v1"', retryAfterMs: undefined },
        { status: 200, body, etag: '"junk"', retryAfterMs: undefined },
      ];
      const etags: (string | undefined)[] = [];
      const client: MarketplaceClient = {
        call: (_method, _path, opts) => { etags.push(opts?.headers?.['if-none-match']); return Promise.resolve(answers.shift() ?? { status: 304, body: undefined, etag: undefined, retryAfterMs: undefined }); },
      };
      const options = marketplaceOptions.parse({ url: 'http://127.0.0.1:9', api_key: 'k', gateway_id: 'gw', buy: { enabled: true } });
      const registry = createProviderRegistry({});
      const book = new OfferBook(registry, quietLogger().logger, () => {}, () => options.buy.models, () => LOCAL_OFFERS);
      const results: SyncResult[] = [];
      const sync = new CatalogueSync({
        client, listing: new OfferListing(client), book, logger: quietLogger().logger,
        options: () => options, intervalMs: () => 0, backoff: () => ({ initialMs: 0, maxMs: 0 }), onResult: (r) => results.push(r),
      });
      await sync.round();
      expect(book.inUse().map((o) => o.id)).to.deep.equal(['o-1']);
      await sync.round();
      expect(results[1]).to.include({ kind: 'pull', ok: false });
      expect(book.inUse().map((o) => o.id), 'still in use').to.deep.equal(['o-1']);
      expect(registry.get('offer:o-1')).to.not.equal(undefined);
      // The next pull still asks with the last good catalogue's ETag (a 304 keeps it).
      await sync.round();
      expect(etags).to.deep.equal([undefined, '"v1"', '"v1"']);
      expect(book.inUse().map((o) => o.id)).to.deep.equal(['o-1']);
      await book.clear();
    });
  }
});
