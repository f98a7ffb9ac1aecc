// Buying: offers pulled from the catalogue become providers named `offer:<id>` (protocol, base URL,
// credential and price from the offer), so router targets and fallbacks like `offer:*` reach them.
// An offer gone from the catalogue, changed, or past its expires_at is removed (or rebuilt) without
// a restart: at the next pull, and expiry also by its own timer.
//
// An offer provider takes only the models both the offer sells and `buy.models` allows: an offer
// admitted because it overlaps `buy.models` (`*` overlaps `gpt-4o*`) must not then receive every
// model the router sends it. Glob targets (`offer:*`) skip it through `serves`; a route naming it
// outright is refused in `send`, before any upstream call, as unavailable — so dispatch falls back.
import { GatewayError, type Logger, type Provider, type ProviderRegistry } from '../../core/index.js';
import { offerServes, patternMatches } from './offer-filter.js';
import type { OfferHosts } from './options.js';
import { expiresAt, type Offer } from './protocol.js';

export const OFFER_PREFIX = 'offer:';
/** setTimeout's longest delay; later expiries are caught by a pull first. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Held { offer: Offer; key: string; timer: NodeJS.Timeout | undefined }

export interface OfferInUse { id: string; provider: string; seller: string | null; protocol: string; models: string[]; price: Offer['price']; expires_at: string | null }

/** The created provider with the offer it came from, and the models it takes (for glob targets and in `send`). */
function offerProvider(inner: Provider, offer: Offer, bought: (model: string) => boolean): Provider {
  const models = offer.models;
  const takes = (model: string) => offerServes({ models }, model) && bought(model);
  return {
    name: inner.name, type: inner.type, protocols: inner.protocols, models: inner.models,
    ...(inner.prices ? { prices: inner.prices } : {}),
    offer: offer.seller === undefined ? { id: offer.id } : { id: offer.id, seller: offer.seller },
    serves: takes,
    send: (request, ctx) => takes(request.model)
      ? inner.send(request, ctx)
      : Promise.reject(new GatewayError('SLUICE_E_UPSTREAM_UNAVAILABLE',
        `marketplace offer ${offer.id} does not take model \`${request.model}\` (the offer's models and buy.models)`, { status: 503 })),
    ...(inner.check ? { check: () => inner.check!() } : {}),
    close: () => inner.close(),
  };
}

export class OfferBook {
  private held = new Map<string, Held>();

  /** `buyModels`: the current `buy.models` (read on every request, so a reload narrows it at once). */
  constructor(
    private readonly providers: ProviderRegistry,
    private readonly logger: Logger,
    private readonly onChange: () => void,
    private readonly buyModels: () => readonly string[],
    /** `buy.offer_hosts`: where an offer's base_url may lead (checked by core when it connects). */
    private readonly offerHosts: () => OfferHosts,
  ) {}

  private readonly bought = (model: string): boolean => this.buyModels().some((p) => patternMatches(p, model));

  /** Makes the registry hold exactly these offers' providers. */
  async replace(offers: readonly Offer[]): Promise<void> {
    const next = new Map(offers.map((o) => [OFFER_PREFIX + o.id, o]));
    const buyModels = this.buyModels();
    const untrusted = this.offerHosts();
    for (const [name] of this.held) {
      if (!next.has(name)) await this.drop(name, 'withdrawn');
    }
    for (const [name, offer] of next) {
      // buy.models and offer_hosts too: the models a provider lists and where it may connect are
      // fixed when it is built.
      const key = JSON.stringify([offer, buyModels, untrusted]);
      if (this.held.get(name)?.key === key) continue;
      let provider: Provider;
      try {
        provider = offerProvider(this.providers.create(name, {
          type: offer.protocol, base_url: offer.base_url, ...(offer.api_key ? { api_key: offer.api_key } : {}),
          models: offer.models.filter((m) => !m.includes('*') && this.bought(m)),
          prices: offer.price, untrusted,
        }), offer, this.bought);
      } catch (err) {
        this.logger.warn('marketplace offer skipped: it does not make a provider', { offer: offer.id, error: (err as Error).message });
        continue;
      }
      const old = this.held.get(name);
      if (old?.timer) clearTimeout(old.timer);
      this.held.set(name, { offer, key, timer: this.expiryTimer(name, offer) });
      this.providers.add(provider);
      this.logger.info(old ? 'marketplace offer changed; provider rebuilt' : 'marketplace offer in use', { offer: offer.id, provider: name, seller: offer.seller, models: offer.models });
    }
    this.onChange();
  }

  inUse(): OfferInUse[] {
    return [...this.held.entries()].map(([provider, { offer }]) => ({
      id: offer.id, provider, seller: offer.seller ?? null, protocol: offer.protocol, models: offer.models, price: offer.price, expires_at: offer.expires_at ?? null,
    }));
  }

  /** Removes every offer provider (shutdown). */
  async clear(): Promise<void> {
    if (this.held.size === 0) return;
    for (const name of [...this.held.keys()]) await this.drop(name, 'no longer bought');
    this.onChange();
  }

  private expiryTimer(name: string, offer: Offer): NodeJS.Timeout | undefined {
    const exp = expiresAt(offer);
    if (exp === undefined) return undefined;
    const ms = exp - Date.now();
    if (ms > MAX_TIMER_MS) return undefined;
    const t = setTimeout(() => { void this.drop(name, 'expired').then(() => this.onChange()); }, Math.max(0, ms));
    t.unref();
    return t;
  }

  private async drop(name: string, why: string): Promise<void> {
    const held = this.held.get(name);
    if (!held) return;
    if (held.timer) clearTimeout(held.timer);
    this.held.delete(name);
    this.logger.info(`marketplace offer ${why}; provider removed`, { offer: held.offer.id, provider: name });
    // In-flight requests to it finish first (the registry closes it after them).
    await this.providers.remove(name).catch((err: unknown) => this.logger.warn('closing an offer provider failed', { provider: name, error: err }));
  }
}
