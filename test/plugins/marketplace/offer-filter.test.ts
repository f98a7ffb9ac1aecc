import { expect } from 'chai';
import { parseOptions } from '../../../core/index.js';
import { createProviderRegistry } from '../../../core/providers/registry.js';
import { OfferBook } from '../../../plugins/marketplace/offer-book.js';
import { offerRefusal, patternsOverlap } from '../../../plugins/marketplace/offer-filter.js';
import { marketplaceOptions } from '../../../plugins/marketplace/options.js';
import type { Offer } from '../../../plugins/marketplace/protocol.js';
import { readOffers } from '../../../plugins/marketplace/protocol.js';
import { quietLogger, LOCAL_OFFERS } from './rig.js';

const base = { url: 'http://m', api_key: 'k', gateway_id: 'gw-1' };
const offer = (over: Partial<Offer> = {}): Offer => ({
  id: 'o1', seller: 'gw-2', models: ['gpt-4o-mini'], protocol: 'openai', base_url: 'http://seller/v1', api_key: 'sk',
  price: { input: 0.1, output: 0.4 }, ...over,
});

describe('marketplace: which offers are bought', () => {
  it('model patterns overlap as names and prefixes', () => {
    expect(patternsOverlap('gpt-4o*', 'gpt-4o-mini')).to.equal(true);
    expect(patternsOverlap('gpt-4o-mini', 'gpt-4o*')).to.equal(true);
    expect(patternsOverlap('gpt-*', 'gpt-4o*')).to.equal(true);
    expect(patternsOverlap('*', 'claude-x')).to.equal(true);
    expect(patternsOverlap('claude*', 'gpt-4o*')).to.equal(false);
  });

  it('a * inside a pattern matches as in key allow-lists (core globs), for the offer\'s models and buy.models', async () => {
    // An offer selling `claude-*-sonnet`, bought under `buy.models: ["*-sonnet"]`.
    const o = parseOptions(marketplaceOptions, { ...base, buy: { enabled: true, models: ['*-sonnet', 'gpt-4*-mini'] } });
    const sonnet = offer({ id: 'o-s', models: ['claude-*-sonnet'] });
    expect(offerRefusal(sonnet, o)).to.equal(undefined);
    const registry = createProviderRegistry({});
    const book = new OfferBook(registry, quietLogger().logger, () => {}, () => o.buy.models, () => LOCAL_OFFERS);
    await book.replace([sonnet, offer({ id: 'o-g', models: ['gpt-*'] })]);
    try {
      const s = registry.get('offer:o-s')!;
      expect(s.serves!('claude-4-sonnet')).to.equal(true);
      expect(s.serves!('claude-4-opus')).to.equal(false);
      const g = registry.get('offer:o-g')!;
      expect(g.serves!('gpt-4o-mini'), 'gpt-4o-mini is in buy.models (gpt-4*-mini)').to.equal(true);
      expect(g.serves!('gpt-4o'), 'gpt-4o is not').to.equal(false);
    } finally { await book.clear(); }
  });

  it('refuses dearer offers class by class, foreign models, expired and own offers', () => {
    const o = parseOptions(marketplaceOptions, { ...base, buy: { enabled: true, max_price: { input: 0.2, output: 0.5, cached_read: 0.05 }, models: ['gpt-4o*'] } });
    expect(offerRefusal(offer({ price: { input: 0.1, output: 0.4, cached_read: 0.01 } }), o)).to.equal(undefined);
    expect(offerRefusal(offer({ price: { input: 0.3, output: 0.4, cached_read: 0.01 } }), o)).to.equal('input price 0.3 above max_price 0.2');
    expect(offerRefusal(offer({ price: { input: 0.1, output: 0.6, cached_read: 0.01 } }), o)).to.equal('output price 0.6 above max_price 0.5');
    // An unset cache price is the input price (0.1 here, above the 0.05 allowed for cache reads).
    expect(offerRefusal(offer(), o)).to.equal('cached_read price 0.1 above max_price 0.05');
    expect(offerRefusal(offer({ price: { input: 0.1, output: 0.4, cached_read: 0.01 }, models: ['claude-3*'] }), o)).to.equal('no model in buy.models');
    expect(offerRefusal(offer({ price: { input: 0.1, output: 0.4, cached_read: 0.01 }, expires_at: new Date(Date.now() - 1000).toISOString() }), o)).to.equal('expired');
    expect(offerRefusal(offer({ price: { input: 0.1, output: 0.4, cached_read: 0.01 }, seller: 'gw-1' }), o)).to.equal('own offer');
  });

  it('keeps the well-formed offers of a catalogue and says why the others were dropped', () => {
    const { offers, rejected } = readOffers({ offers: [offer(), { id: 'bad', models: [] }, offer({ id: 'o2', protocol: 'gemini' })] });
    expect(offers.map((x) => x.id)).to.deep.equal(['o1', 'o2']);
    expect(rejected).to.have.length(1);
    expect(rejected[0]).to.match(/^offers\[1\]: /);
    expect(readOffers({ nope: 1 }).rejected).to.deep.equal(['the answer has no "offers" list']);
    // An expiry that is no time is a malformed offer, not one that never expires.
    const late = readOffers({ offers: [offer({ id: 'o3', expires_at: 'tomorrow' }), offer({ id: 'o4', expires_at: '2099-01-01T00:00:00Z' })] });
    expect(late.offers.map((x) => x.id)).to.deep.equal(['o4']);
    expect(late.rejected[0]).to.match(/^offers\[0\]: expires_at: expected an ISO 8601 time/);
  });

  it('durations are milliseconds or a string with a unit; sell needs an offer', () => {
    const o = parseOptions(marketplaceOptions, { ...base, push_interval: '250ms', pull_interval: 2000, retry: { initial: '1.5s', max: '2m' } });
    expect([o.push_interval, o.pull_interval, o.retry.initial, o.retry.max]).to.deep.equal(['250ms', 2000, '1.5s', '2m']);
    expect(() => parseOptions(marketplaceOptions, { ...base, push_interval: '10 parsecs' })).to.throw(/push_interval/);
    expect(() => parseOptions(marketplaceOptions, { ...base, push_interval: '1ms' })).to.throw(/push_interval/);
    expect(() => parseOptions(marketplaceOptions, { ...base, sell: { enabled: true } })).to.throw(/sell/);
    expect(() => parseOptions(marketplaceOptions, { ...base, reprot: 'all' })).to.throw(/reprot/);
  });
});
