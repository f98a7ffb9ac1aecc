// The catalogue loop: every pull interval, GET /v1/offers (If-None-Match: a 304 keeps what is in
// use) and turn the offers that pass the filter into providers; and re-publish this gateway's own
// offer. Each side backs off on its own failures (jitter, retry-after) without stopping the other.
import type { Logger } from '../../core/index.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import { MarketplaceCallError, type MarketplaceClient } from './client.js';
import { RoundLoop } from './loop.js';
import type { OfferBook } from './offer-book.js';
import { offerRefusal } from './offer-filter.js';
import type { MarketplaceOptions } from './options.js';
import { isCatalogue, readOffers, type Offer } from './protocol.js';
import type { OfferListing } from './seller.js';

/**
 * When the next pull and publish are due, on the monotonic clock: a wall clock stepped back (an NTP
 * correction, a VM resumed from a snapshot) would otherwise push them out by the size of the step.
 */
const monotonicMs = () => performance.now();

export interface SyncResult { kind: 'pull' | 'publish'; ok: boolean; result: string; detail: string }

export interface PullerDeps {
  client: MarketplaceClient;
  listing: OfferListing;
  book: OfferBook;
  logger: Logger;
  options(): MarketplaceOptions;
  intervalMs(): number;
  backoff(): BackoffPolicy;
  onResult(r: SyncResult): void;
}

export class CatalogueSync {
  private readonly loop = new RoundLoop(() => this.round());
  private etag: string | undefined;
  /** The catalogue as last received (a 304 re-filters it: expiry moves on, options may have changed). */
  private catalogue: Offer[] = [];
  private failures = { pull: 0, publish: 0 };
  private nextAt = { pull: 0, publish: 0 };

  constructor(private readonly deps: PullerDeps) {}

  start(): void {
    this.loop.start();
  }

  /** Runs a round now (after a reload), forgetting backoff waits. */
  refresh(): void {
    this.nextAt = { pull: 0, publish: 0 };
    this.etag = undefined;
    this.loop.schedule(0);
  }

  close(): Promise<void> {
    return this.loop.stop();
  }

  /** One round; resolves to the wait before the next. Never rejects. */
  async round(): Promise<number> {
    const now = monotonicMs();
    if (this.deps.options().buy.enabled && now >= this.nextAt.pull) await this.step('pull', () => this.pull());
    // Read after the pull, which may have taken until its timeout: a reload in between may have
    // stopped selling (and withdrawn the offer), which a publish from the old options would undo.
    const o = this.deps.options();
    if (o.sell.enabled && o.sell.offer && now >= this.nextAt.publish) {
      const offer = o.sell.offer;
      await this.step('publish', async () => { await this.deps.listing.publish(offer, o.gateway_id!); return { result: 'published', detail: offer.id }; });
    }
    const interval = this.deps.intervalMs();
    const due = [o.buy.enabled ? this.nextAt.pull : Infinity, o.sell.enabled ? this.nextAt.publish : Infinity];
    const end = monotonicMs();
    return Math.max(0, Math.min(...due, end + interval) - end);
  }

  private async step(kind: 'pull' | 'publish', run: () => Promise<{ result: string; detail: string }>): Promise<void> {
    try {
      const { result, detail } = await run();
      if (this.failures[kind] > 0) this.deps.logger.info(`marketplace ${kind} works again`, { after_failures: this.failures[kind] });
      this.failures[kind] = 0;
      this.nextAt[kind] = monotonicMs() + this.deps.intervalMs();
      this.deps.onResult({ kind, ok: true, result, detail });
    } catch (err) {
      const n = ++this.failures[kind];
      const e = err instanceof MarketplaceCallError ? err : undefined;
      const wait = backoffDelay(n, this.deps.backoff(), e?.retryAfterMs);
      this.nextAt[kind] = monotonicMs() + wait;
      this.deps.onResult({ kind, ok: false, result: e?.result ?? 'error', detail: (err as Error).message });
      this.deps.logger.warn(kind === 'pull' ? 'marketplace offer pull failed; offers in use are kept until they expire' : 'marketplace offer publish failed; retried',
        { result: e?.result ?? 'error', error: (err as Error).message, failures: n, retry_in_ms: wait });
      // Offers past their expiry go even while the catalogue cannot be read.
      if (kind === 'pull') await this.apply();
    }
  }

  private async pull(): Promise<{ result: string; detail: string }> {
    const answer = await this.deps.client.call('GET', '/v1/offers', { okStatuses: [304], headers: this.etag ? { 'if-none-match': this.etag } : {} });
    let result = 'not_modified';
    if (answer.status !== 304) {
      // A success that holds no catalogue (a proxy's HTML page, `{"error": …}`) is a failed pull,
      // not an empty catalogue: read as one, it took every bought offer out of service at once.
      if (!isCatalogue(answer.body)) throw new MarketplaceCallError('malformed answer to GET /v1/offers (expected {offers: [...]})', answer.status, answer.retryAfterMs);
      const { offers, rejected } = readOffers(answer.body);
      if (rejected.length) this.deps.logger.warn('marketplace offers ignored: malformed', { rejected: rejected.slice(0, 10) });
      this.catalogue = offers;
      this.etag = answer.etag;
      result = 'updated';
    }
    const used = await this.apply();
    return { result, detail: `${used} of ${this.catalogue.length} offers in use` };
  }

  /** Puts the catalogue's acceptable offers in service (and takes the rest out); returns how many. */
  private async apply(): Promise<number> {
    const o = this.deps.options();
    // Read now, not when the pull began: a reload may have turned buying off while the answer was
    // on its way, and with buying off no later pull would take the offers out again.
    const usable = o.buy.enabled ? this.catalogue.filter((offer) => offerRefusal(offer, o) === undefined) : [];
    await this.deps.book.replace(usable);
    return usable.length;
  }
}
