// The marketplace's Prometheus series: how pushes and pulls go, how deep the outbox is, which offers are in use.
import type { Metrics } from '../../core/index.js';

export interface MarketplaceMetrics {
  /**
   * Exports the unlabelled counters at 0: an alert on drops (or a rate() of sends) needs the series
   * before its first event. Called from start(), never setup(): `config validate` runs setup, and a
   * metric's first update loads prom-client.
   */
  init(): void;
  push(result: string, sent: number): void;
  sync(kind: 'pull' | 'publish', result: string): void;
  outboxDepth(n: number): void;
  queued(n: number): void;
  dropped(n: number): void;
  offers(n: number): void;
}

export function marketplaceMetrics(metrics: Metrics): MarketplaceMetrics {
  const pushes = metrics.counter('sluice_marketplace_push_total', 'POST /v1/usage calls by result (accepted, throttled, server_error, timeout, unreachable, refused).', { labelNames: ['result'] });
  const sent = metrics.counter('sluice_marketplace_records_sent_total', 'Usage records the marketplace acknowledged (accepted or duplicate).');
  const syncs = metrics.counter('sluice_marketplace_sync_total', 'Offer pulls and publishes by result.', { labelNames: ['kind', 'result'] });
  const depth = metrics.gauge('sluice_marketplace_outbox_unsent', 'Usage records in the outbox not yet acknowledged (grows while the marketplace is down).');
  const queued = metrics.counter('sluice_marketplace_records_queued_total', 'Usage records written to the outbox.');
  const dropped = metrics.counter('sluice_marketplace_records_dropped_total', 'Usage records lost because the database did not take them and the memory queue was full.');
  const offers = metrics.gauge('sluice_marketplace_offers_in_use', 'Offers turned into providers.');
  return {
    init() {
      for (const c of [sent, queued, dropped]) c.inc(undefined, 0);
    },
    push(result, n) { pushes.inc({ result }); if (n) sent.inc(undefined, n); },
    sync(kind, result) { syncs.inc({ kind, result }); },
    outboxDepth(n) { depth.set(n); },
    queued(n) { queued.inc(undefined, n); },
    dropped(n) { dropped.inc(undefined, n); },
    offers(n) { offers.set(n); },
  };
}
