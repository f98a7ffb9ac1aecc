// The push loop: unsent outbox records, oldest first, in batches to POST /v1/usage; each record is
// marked sent only once the marketplace named it accepted or duplicate. A failure (timeout, 429,
// 5xx, anything else) leaves the batch unsent and waits (backoff with jitter, at least retry-after).
// Delivery is at least once — a crash between the marketplace's answer and the mark re-sends the
// batch — and exactly once in effect, because the marketplace dedupes by record id.
import type { Logger } from '../../core/index.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import { MarketplaceCallError, type MarketplaceClient } from './client.js';
import { RoundLoop } from './loop.js';
import type { OutboxStore } from './outbox-store.js';
import { usageAnswer } from './protocol.js';

const PRUNE_EVERY_MS = 3_600_000;
/** Sent records are kept this long (for `marketplace status` and a look back), then deleted. */
const KEEP_SENT_MS = 7 * 86_400_000;

export interface PushResult { ok: boolean; result: string; detail: string; sent: number }

export interface PusherDeps {
  client: MarketplaceClient;
  store: OutboxStore;
  logger: Logger;
  settings(): { gatewayId: string; batchSize: number; intervalMs: number; backoff: BackoffPolicy };
  onResult(r: PushResult): void;
  onDepth(unsent: number): void;
}

export class UsagePusher {
  private readonly loop = new RoundLoop(() => this.pushAll());
  private failures = 0;
  private lastPrune = 0;
  /** Records written to the outbox since the last push: a full batch pushes without waiting. */
  private fresh = 0;
  private started = false;

  constructor(private readonly deps: PusherDeps) {}

  start(): void {
    this.started = true;
    this.loop.start();
  }

  /** Told after records went into the outbox. */
  noteWritten(n: number): void {
    this.fresh += n;
    if (this.failures === 0 && !this.loop.busy && this.fresh >= this.deps.settings().batchSize) this.loop.schedule(0);
  }

  /**
   * Stops the loop; then one last push of what is waiting, bounded by the client's timeout — only
   * when start() ran: a process that never pushed (`config validate`) must not send the outbox of
   * a gateway that shares its database.
   */
  async close(): Promise<void> {
    await this.loop.stop();
    if (this.started && this.failures === 0) await this.pushAll();
    this.started = false;
  }

  /** Pushes until the outbox is empty or a call fails; resolves to the wait before the next round. Never rejects. */
  async pushAll(): Promise<number> {
    const { client, store, logger } = this.deps;
    const s = this.deps.settings();
    this.fresh = 0;
    let sent = 0;
    try {
      for (;;) {
        const batch = await store.unsent(s.batchSize);
        if (batch.length === 0) break;
        const answer = await client.call('POST', '/v1/usage', { body: { gateway_id: s.gatewayId, records: batch } });
        const parsed = usageAnswer.safeParse(answer.body);
        if (!parsed.success) throw new MarketplaceCallError('malformed answer to POST /v1/usage (expected {accepted, duplicates})', answer.status, undefined);
        const inBatch = new Set(batch.map((r) => r.id));
        const acknowledged = [...parsed.data.accepted, ...parsed.data.duplicates].filter((id) => inBatch.has(id));
        await store.markSent(acknowledged, Date.now());
        sent += acknowledged.length;
        this.deps.onResult({ ok: true, result: 'accepted', detail: `accepted ${parsed.data.accepted.length}, duplicates ${parsed.data.duplicates.length}`, sent: acknowledged.length });
        if (acknowledged.length < batch.length) {
          // Not named either way: they stay unsent and go again next round (never a hot loop).
          logger.warn('the marketplace did not acknowledge some usage records; they will be sent again', { records: batch.length - acknowledged.length });
          break;
        }
        if (batch.length < s.batchSize) break;
      }
      if (this.failures > 0) logger.info('marketplace usage push works again', { after_failures: this.failures, sent });
      this.failures = 0;
      await this.prune();
      await this.reportDepth();
      return s.intervalMs;
    } catch (err) {
      this.failures++;
      const e = err instanceof MarketplaceCallError ? err : undefined;
      const wait = backoffDelay(this.failures, s.backoff, e?.retryAfterMs);
      const result = e?.result ?? 'error';
      this.deps.onResult({ ok: false, result, detail: (err as Error).message, sent });
      logger.warn('marketplace usage push failed; records stay in the outbox and are retried', { result, error: (err as Error).message, failures: this.failures, retry_in_ms: wait });
      await this.reportDepth();
      return wait;
    }
  }

  private async reportDepth(): Promise<void> {
    try {
      this.deps.onDepth((await this.deps.store.depth()).unsent);
    } catch { /* the database is down: the writer says so */ }
  }

  private async prune(): Promise<void> {
    const now = Date.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    try {
      await this.deps.store.prune(now - KEEP_SENT_MS);
    } catch (err) {
      this.deps.logger.warn('marketplace outbox prune failed', { error: err });
    }
  }
}
