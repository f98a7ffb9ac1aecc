// The marketplace: reports usage that involved the marketplace (or all of it) exactly once through
// an outbox, buys capacity by turning catalogue offers into providers, and sells this gateway's own
// capacity by publishing an offer. The wire protocol and its guarantees: docs/marketplace.md.
import path from 'node:path';
import { definePlugin, meterStreamText, spillDatabase, type Host, type TokenPrices } from '../../core/index.js';
import { marketplaceClient } from './client.js';
import { toMs } from './duration.js';
import { marketplaceMetrics } from './metrics.js';
import { marketplaceMigrations } from './migrations.js';
import { OfferBook } from './offer-book.js';
import { marketplaceOptions, type MarketplaceOptions } from './options.js';
import { OutboxSpill } from './outbox-spill.js';
import { outboxStore } from './outbox-store.js';
import { OutboxWriter } from './outbox-writer.js';
import { CatalogueSync } from './puller.js';
import { UsagePusher } from './pusher.js';
import { OfferListing } from './seller.js';
import { statusCommand } from './status-command.js';
import { offerHostsFor } from './offer-hosts.js';
import { writeStatus, type StatusKind } from './status-store.js';
import { isReported, usageRecordFor, type RecordContext } from './usage-record.js';

/** Records held in memory while the database does not take them; beyond, they are dropped (and counted). */
const MAX_QUEUED = 100_000;

function required(o: MarketplaceOptions): { url: string; apiKey: string; gatewayId: string } {
  const missing = (['url', 'api_key', 'gateway_id'] as const).filter((k) => !o[k]);
  if (missing.length) throw new Error(`marketplace: ${missing.join(missing.length > 2 ? ', ' : ' and ').replace(/, ([^,]*)$/, ' and $1')} ${missing.length > 1 ? 'are' : 'is'} required`);
  return { url: o.url!, apiKey: o.api_key!, gatewayId: o.gateway_id! };
}

function recordContext(o: MarketplaceOptions, host: Host): RecordContext {
  const offer = o.sell.enabled ? o.sell.offer : undefined;
  const prices: TokenPrices | undefined = offer ? { ...offer.price } : undefined;
  return { pricing: host.pricing, reportAll: o.report === 'all', sellOffer: offer && prices ? { id: offer.id, prices } : undefined };
}

export default definePlugin<MarketplaceOptions>({
  name: 'marketplace',
  version: '0.1.0',
  sluice: '^0.1.0',
  description: 'Marketplace sync: usage pushed exactly once from an outbox, offers bought as providers, this gateway\'s offer published',
  options: marketplaceOptions,
  migrations: marketplaceMigrations,
  commands: { marketplace: statusCommand },
  setup(initial, host) {
    // Built without side effects: no timer, no request, no write until start().
    let options = initial;
    let credentials = required(initial);
    let recordCtx = recordContext(initial, host);
    const logger = host.logger;
    const metrics = marketplaceMetrics(host.metrics);
    const client = marketplaceClient(() => ({ ...credentials, timeoutMs: toMs(options.timeout) }));
    const backoff = () => ({ initialMs: toMs(options.retry.initial), maxMs: toMs(options.retry.max) });
    const listing = new OfferListing(client);
    const store = outboxStore(() => host.database());
    // Status rows are written one after another, so the last word is the latest.
    let statusChain = Promise.resolve();
    const status = (kind: StatusKind, ok: boolean, result: string, detail: string | null) => {
      const now = Date.now();
      statusChain = statusChain.then(async () => writeStatus(await host.database(), kind, ok, result, detail, now))
        .catch((err: unknown) => logger.debug('marketplace status not recorded', { error: err }));
    };

    const pusher = new UsagePusher({
      client, store, logger,
      settings: () => ({ gatewayId: credentials.gatewayId, batchSize: options.batch_size, intervalMs: toMs(options.push_interval), backoff: backoff() }),
      // Only calls are recorded: with nothing to send, "last push" stays the last real one (the outbox depth says nothing waits).
      onResult: (r) => { metrics.push(r.result, r.sent); status('push', r.ok, r.result, r.detail); },
      onDepth: (n) => metrics.outboxDepth(n),
    });
    // Records the database cannot take wait on disk, tagged with the database they are for (a host
    // without storage settings, as core's plugin test harness gives, keeps them in memory only).
    const database = host.config.storage?.database;
    const spill = database === undefined ? undefined : new OutboxSpill(path.resolve(host.configDir, initial.spill_dir), spillDatabase(database, host.configDir),
      (file, line) => logger.warn('marketplace outbox spill file has a torn line; skipped', { file, line }));
    const writer = new OutboxWriter({
      store, logger, maxQueued: MAX_QUEUED, spill,
      onWritten: (n) => { metrics.queued(n); pusher.noteWritten(n); },
      onDropped: (n) => metrics.dropped(n),
    });
    const book = new OfferBook(host.providers, logger, () => {
      const inUse = book.inUse();
      metrics.offers(inUse.length);
      status('offers', true, `${inUse.length} in use`, JSON.stringify(inUse));
    }, () => options.buy.models, () => offerHostsFor(options.buy.offer_hosts, options.url));
    const sync = new CatalogueSync({
      client, listing, book, logger,
      options: () => options,
      intervalMs: () => toMs(options.pull_interval),
      backoff,
      onResult: (r) => { metrics.sync(r.kind, r.result); status(r.kind, r.ok, r.result, r.detail); },
    });

    // Only an offer this process published: see OfferListing.
    const withdraw = async (offerId: string) => {
      try {
        if (!await listing.withdraw(offerId)) return;
        logger.info('marketplace offer withdrawn', { offer: offerId });
        status('publish', true, 'withdrawn', offerId);
      } catch (err) {
        logger.warn('marketplace offer withdraw failed; it stays listed until the marketplace expires it', { offer: offerId, error: (err as Error).message });
      }
    };

    return {
      // A stream's answer is metered as it passes (its bytes still go out untouched), so a stream
      // cut before its usage report is reported with the output that went out. Only streams this
      // plugin reports; JSON requests pass straight on.
      middleware: (ctx, next) => {
        const ex = ctx.exchange;
        if (!ex.stream) return next();
        return next().then(() => { if (isReported(ex, recordCtx)) meterStreamText(ex); });
      },
      onRequest(record) {
        const usage = usageRecordFor(record, recordCtx);
        if (usage) writer.push(usage);
      },
      start() {
        metrics.init();
        writer.start();
        pusher.start();
        sync.start();
      },
      reload(next) {
        const nextCredentials = required(next);
        const nextCtx = recordContext(next, host);
        return () => {
          const before = options.sell.enabled ? options.sell.offer?.id : undefined;
          const after = next.sell.enabled ? next.sell.offer?.id : undefined;
          options = next;
          credentials = nextCredentials;
          recordCtx = nextCtx;
          if (before && before !== after) void withdraw(before);
          if (!next.buy.enabled) void book.clear();
          // Re-publish and re-pull at once with the new options.
          sync.refresh();
        };
      },
      async close() {
        await sync.close();
        await writer.close();
        await pusher.close();
        await statusChain;
        if (options.sell.enabled && options.sell.offer) await withdraw(options.sell.offer.id);
        await book.clear();
        await statusChain;
      },
    };
  },
});
