// Fills the outbox: onRequest queues a record in memory (synchronous, no I/O), and the writer
// inserts what is queued as soon as the previous insert finished, so a record waits at most one
// insert before it is on disk. Inserts are idempotent by record id. A database that is down keeps
// records in memory (up to a bound, then they are dropped and said so) and is retried each second.
import type { Logger } from '../../core/index.js';
import type { OutboxStore } from './outbox-store.js';
import type { UsageRecord } from './protocol.js';

const RETRY_MS = 1000;

export interface OutboxWriterDeps {
  store: OutboxStore;
  logger: Logger;
  maxQueued: number;
  onWritten(n: number): void;
  onDropped(n: number): void;
}

export class OutboxWriter {
  private queue: UsageRecord[] = [];
  private running: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private started = false;
  private failing = false;
  private dropping = false;

  constructor(private readonly deps: OutboxWriterDeps) {}

  get queued(): number { return this.queue.length; }

  push(record: UsageRecord): void {
    if (this.queue.length >= this.deps.maxQueued) {
      this.deps.onDropped(1);
      if (!this.dropping) this.deps.logger.error('marketplace outbox queue full (the database is not taking records): usage records dropped', { queued: this.queue.length });
      this.dropping = true;
      return;
    }
    this.dropping = false;
    this.queue.push(record);
    // Off the request path: the insert starts on a later turn of the event loop.
    if (this.started && !this.running && !this.retry) setImmediate(() => { void this.flush(); });
  }

  start(): void {
    this.started = true;
    void this.flush();
  }

  /** Inserts everything queued; resolves once the queue is empty or an insert failed. Never rejects. */
  flush(): Promise<void> {
    // `finally` runs on a later turn, so `running` is always set before it is cleared.
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
      // Records pushed after the loop's last look (push saw it running and did not schedule).
      if (this.queue.length && this.started && !this.retry) setImmediate(() => { if (this.started) void this.flush(); });
    });
    return this.running;
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.slice(0, 500);
      try {
        await this.deps.store.insert(batch);
      } catch (err) {
        if (!this.failing) this.deps.logger.error('marketplace outbox insert failed; records wait in memory and are retried', { records: this.queue.length, error: err });
        this.failing = true;
        this.scheduleRetry();
        return;
      }
      if (this.failing) this.deps.logger.info('marketplace outbox inserts work again', { records: batch.length });
      this.failing = false;
      this.queue.splice(0, batch.length);
      this.deps.onWritten(batch.length);
    }
  }

  /** Stops retrying and writes what is left, once. */
  async close(): Promise<void> {
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    await this.running;
    await this.flush();
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    this.started = false;
    if (this.queue.length) this.deps.logger.error('marketplace usage records lost at shutdown: the outbox could not be written', { records: this.queue.length });
  }

  private scheduleRetry(): void {
    if (this.retry || !this.started) return;
    this.retry = setTimeout(() => { this.retry = undefined; void this.flush(); }, RETRY_MS);
    this.retry.unref();
  }
}
