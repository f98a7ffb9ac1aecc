// Fills the outbox: onRequest queues a record in memory (synchronous, no I/O), and the writer
// inserts what is queued as soon as the previous insert finished, so a record waits at most one
// insert before it is on disk. Inserts are idempotent by record id. A database that is down is
// retried each second; the records a failed insert (or the last one, at shutdown) did not write go to
// the spill file on local disk, and the next insert that works writes the spilled ones first — so a
// crash while the database is down loses at most the records since the last failed insert. Without
// a spill file, or when the disk does not take them either, records wait in memory (up to a bound,
// then they are dropped and said so).
import type { Logger } from '../../core/index.js';
import type { OutboxSpill } from './outbox-spill.js';
import type { OutboxStore } from './outbox-store.js';
import type { UsageRecord } from './protocol.js';

const RETRY_MS = 1000;
/** How often a writer looks for files another instance sharing the spill directory left (it shut down while the database was down). */
const LOOK_MS = 60_000;

export interface OutboxWriterDeps {
  store: OutboxStore;
  logger: Logger;
  maxQueued: number;
  /** Where records the database did not take wait (none: they wait in memory only). */
  spill?: OutboxSpill;
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
  private spillFailing = false;
  /** Spilled records may be waiting (files an earlier run left, or this one saved): replayed before the queue. */
  private spilled = false;
  private lastLook = 0;

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
    // Whether an earlier run left records on disk is learnt by the first drain (lastLook is 0), not here.
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
    // Only a started writer replays: `config validate` and other commands run setup and close, never start.
    if (this.deps.spill && this.started && !this.spilled && Date.now() - this.lastLook >= LOOK_MS) this.spilled = true;
    if (this.spilled && !await this.replay()) return;
    while (this.queue.length) {
      const batch = this.queue.slice(0, 500);
      try {
        await this.deps.store.insert(batch);
      } catch (err) {
        if (!this.failing) this.deps.logger.error(`marketplace outbox insert failed; records wait ${this.deps.spill ? 'in the spill file' : 'in memory'} and are retried`, { records: this.queue.length, error: err, spill: this.deps.spill?.dir });
        this.failing = true;
        await this.spill();
        this.scheduleRetry();
        return;
      }
      if (this.failing) this.deps.logger.info('marketplace outbox inserts work again', { records: batch.length });
      this.failing = false;
      this.queue.splice(0, batch.length);
      this.deps.onWritten(batch.length);
    }
  }

  /** Writes what spilled records wait into the table; false (and a retry scheduled) when the database did not take them. */
  private async replay(): Promise<boolean> {
    const spill = this.deps.spill!;
    this.lastLook = Date.now();
    try {
      const n = await spill.replay(500, async (records) => { await this.deps.store.insert(records); this.deps.onWritten(records.length); });
      this.spilled = false;
      if (n) this.deps.logger.info('marketplace outbox: spilled usage records written', { records: n });
      if (n && this.failing) this.deps.logger.info('marketplace outbox inserts work again', { records: n });
      if (n) this.failing = false;
      return true;
    } catch (err) {
      if (!this.failing) this.deps.logger.error('marketplace outbox insert failed; records wait in the spill file and are retried', { error: err, spill: spill.dir });
      this.failing = true;
      await this.spill();
      this.scheduleRetry();
      return false;
    }
  }

  /** Queued records to the spill file; when the disk does not take them they stay queued (in memory). */
  private async spill(): Promise<void> {
    const spill = this.deps.spill;
    if (!spill || this.queue.length === 0) return;
    const batch = this.queue.slice();
    try {
      await spill.save(batch);
    } catch (err) {
      if (!this.spillFailing) this.deps.logger.error('marketplace outbox spill file could not be written; records wait in memory for the database', { records: batch.length, error: err, spill: spill.dir });
      this.spillFailing = true;
      return;
    }
    this.spillFailing = false;
    this.spilled = true;
    this.queue.splice(0, batch.length);
  }

  /** Stops retrying and writes what is left, once; what the database does not take goes to the spill file. */
  async close(): Promise<void> {
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    await this.running;
    await this.flush();
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    this.started = false;
    await this.spill();
    if (this.spilled && this.deps.spill) this.deps.logger.warn('marketplace usage records kept in the spill file at shutdown: the next start writes them to the outbox', { spill: this.deps.spill.dir });
    if (this.queue.length) this.deps.logger.error('marketplace usage records lost at shutdown: the outbox could not be written', { records: this.queue.length });
  }

  private scheduleRetry(): void {
    if (this.retry || !this.started) return;
    this.retry = setTimeout(() => { this.retry = undefined; void this.flush(); }, RETRY_MS);
    this.retry.unref();
  }
}
