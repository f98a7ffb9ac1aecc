// The ledger's writer: onRequest only queues; a cycle (every flush interval, or sooner when a batch
// is full) turns records into rows, writes them in batches, and replays the spill file. Failed
// writes and overflow go to the spill file at once, so what a crash can lose is bounded by the
// flush interval: the records received since the last cycle (plus a batch mid-write).
//
// A cycle also runs after a young-generation collection (cycleAfterYoungGc; at most one every
// MIN_GC_CYCLE_GAP_MS). A scavenge keeps what is still referenced and the next one promotes it to
// the old generation; a record waiting a whole flush interval outlives several scavenges under load
// (one every ~0.3 s at 700 streamed requests/s), so nearly every record was promoted, to be freed by
// a mark-compact (a pause of 4–12 ms). Taken between two scavenges, records die young: promotion
// with the ledger fell from ~780 to ~300 B a streamed request (~290 without it) and the ledger's
// mark-compacts of the main heap stopped; CPU a request did not change measurably
// (bench/results/ledger.md, round 15). Rows a cycle stay about constant whatever the load: a
// scavenge comes once per young generation's worth of allocation, so faster traffic means
// proportionally more frequent cycles.
import type { Logger } from '../../core/index.js';
import type { LedgerMetrics } from './metrics.js';
import type { LedgerRow } from './row.js';
import { SpillCutShort, type SpillFile } from './spill.js';
import type { RowStore } from './store.js';
import { settlesWithin } from './settles-within.js';
import { afterYoungGc } from './young-gc.js';

/**
 * Scavenge-started cycles at most this often (40 a second). With a small young generation (an
 * operator's `--max-semi-space-size=1`) or large requests, scavenges can come every few ms: a cycle
 * of one or two rows would pay a transaction and a tokenizer message each. A scavenge sooner than
 * this after the last cycle defers its cycle to the end of the gap rather than dropping it: its
 * records have now survived one scavenge, and the next would promote them. Kept short because a
 * cycle's own allocation often brings the next scavenge within ~100 ms: a 100 ms floor let ~60% of
 * the promotion back (513–532 B a streamed request against 315–323 at 0–30 ms; round 15).
 */
const MIN_GC_CYCLE_GAP_MS = 25;

export interface WriterOptions {
  flushIntervalMs: number;
  batchSize: number;
  maxBufferRows: number;
  /** A write that takes longer counts as failed (its rows spill; a late commit is harmless). */
  writeTimeoutMs: number;
  /** Also run a cycle after each scavenge while records wait (see the top of this file). */
  cycleAfterYoungGc?: boolean;
}

/** What onRequest queued for one request (the plugin's LedgerEntry; tests queue plain records). */
export interface Queued { readonly id: string }

export interface WriterDeps<T extends Queued> {
  /**
   * The rows of a cycle's items, in order (prepared together: one tokenizer message per cycle);
   * an item whose row cannot be built gets `failed(item, error)`'s row.
   */
  prepare(items: readonly T[], failed: (item: T, err: unknown) => LedgerRow): Promise<LedgerRow[]>;
  /** A row with only what the record says (used when prepare fails: never lose the request). */
  fallbackRow(item: T): LedgerRow;
  store: RowStore;
  spill: SpillFile;
  metrics: LedgerMetrics;
  logger: Logger;
}

export class LedgerWriter<T extends Queued> {
  private incoming: T[] = [];
  private pending: LedgerRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopGcCycles: (() => void) | undefined;
  private gcCycleTimer: NodeJS.Timeout | undefined;
  private cycleRunning: Promise<void> | undefined;
  private lastCycleAt = 0;
  /**
   * A write that outlived the flush interval and is still running (a database that stopped
   * answering): its rows are already in the spill file. While it runs, cycles spill rather than
   * write, so what waits in memory — what a crash loses — stays within an interval or two instead of
   * `writeTimeoutMs` of traffic.
   */
  private stuck: Promise<void> | undefined;
  private again = false;
  private started = false;
  private closed = false;
  private failing = false;
  /**
   * The last spill failed too (a full disk, a read-only directory): rows the disk did not take wait
   * in memory (within maxBufferRows) for the database, rather than being dropped at once.
   */
  private spillFailing = false;

  constructor(private readonly opts: WriterOptions, private readonly deps: WriterDeps<T>) {}

  /** Records waiting in memory (not yet rows) plus rows waiting to be written. */
  get depth(): number { return this.incoming.length + this.pending.length; }

  /** Synchronous and cheap: the request path only appends. */
  push(item: T): void {
    this.incoming.push(item);
    if (this.closed) { void this.kick(); return; }
    if (this.started && this.incoming.length >= this.opts.batchSize) void this.kick();
  }

  /** Begins the flush timer and replays what an earlier run spilled. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.deps.spill.open();
    this.deps.metrics.init();
    this.deps.metrics.spillRows(this.deps.spill.rows);
    // Re-armed as each cycle begins (see kick): a cycle that a full batch started also counts as the
    // interval's, so under load cycles run once per batch instead of once per batch plus once per
    // interval — and every record still waits at most one interval, counted from the last cycle.
    this.timer = setTimeout(() => { void this.kick(); }, this.opts.flushIntervalMs);
    this.timer.unref();
    if (this.opts.cycleAfterYoungGc) this.stopGcCycles = afterYoungGc(this.afterScavenge);
    void this.kick();
  }

  /** Writes everything still waiting (or spills it), then stops. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopGcCycles?.();
    clearTimeout(this.gcCycleTimer);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // Records may still be arriving from requests that ended during close: drain until none are left
    // (or until neither the database nor the disk takes rows: retrying can only fail again).
    for (let i = 0; i < 100 && (this.cycleRunning || this.depth > 0); i++) {
      await this.kick();
      if (this.failing && this.spillFailing && !this.cycleRunning) break;
    }
    const left = this.depth;
    if (left > 0) {
      this.pending = [];
      this.incoming = [];
      this.deps.metrics.dropped(left);
      this.deps.logger.error('ledger rows lost at shutdown: neither the database nor the spill file could take them', { rows: left });
    }
  }

  /** Runs a cycle now, or right after the one running. Never rejects. */
  kick(): Promise<void> {
    if (this.cycleRunning) {
      this.again = true;
      return this.cycleRunning;
    }
    this.cycleRunning = (async () => {
      try {
        do {
          this.again = false;
          this.lastCycleAt = performance.now();
          if (!this.closed) this.timer?.refresh(); // the next timed cycle: one interval from this one
          try { await this.cycle(); } catch (err) { this.deps.logger.error('ledger cycle failed', { error: err }); }
        } while (this.again || (this.closed && this.depth > 0 && !this.failing));
      } finally {
        // Cleared in the same turn as the last check of `again`: a push in between cannot be missed.
        this.cycleRunning = undefined;
      }
    })();
    return this.cycleRunning;
  }

  private async cycle(): Promise<void> {
    const { metrics } = this.deps;
    const records = this.incoming.splice(0);
    if (records.length) {
      let rows: LedgerRow[];
      try {
        rows = await this.deps.prepare(records, this.failed);
      } catch (err) {
        rows = records.map((r) => this.failed(r, err));
      }
      for (const row of rows) { metrics.row(row); this.pending.push(row); }
      metrics.flush();
    }
    // Overflow (the database slower than the traffic) goes to disk rather than growing memory.
    if (this.pending.length > this.opts.maxBufferRows) await this.spill(this.pending.splice(0, this.pending.length - this.opts.maxBufferRows));

    let ok = true;
    // Recovered means a write went through: a cycle with nothing to write (its rows dropped, say)
    // proves nothing about the database.
    let wrote = false;
    while (this.pending.length) {
      if (this.stuck) {
        // A write still hangs: the database is not answering, so these go straight to disk.
        ok = false;
        await this.spill(this.pending.splice(0));
        break;
      }
      const batch = this.pending.slice(0, this.opts.batchSize);
      try {
        const stored = await this.writeOrGiveUp(batch);
        this.pending.splice(0, batch.length);
        metrics.written(stored);
        wrote = true;
      } catch (err) {
        ok = false;
        this.noteFailure(err);
        await this.spill(this.pending.splice(0));
        break; // what the disk did not take waits for the next cycle
      }
    }
    if (ok && !this.stuck && this.deps.spill.rows > 0) {
      try {
        // Counted batch by batch as each lands (a replay cut short has stored some), and only what the
        // table did not hold: a write that timed out but committed stored some of these already.
        let stored = 0;
        const n = await this.deps.spill.replay(this.opts.batchSize, async (rows) => {
          const added = await this.writeOrGiveUp(rows);
          metrics.written(added);
          stored += added;
        });
        if (n) { wrote = true; this.deps.logger.info('ledger replayed spilled rows', { rows: n, new: stored }); }
      } catch (err) {
        ok = false;
        this.noteFailure(err);
      }
      metrics.spillRows(this.deps.spill.rows);
    }
    if (ok && wrote && this.failing) {
      this.failing = false;
      this.deps.logger.info('ledger database writes recovered');
    }
  }

  /**
   * A cycle for the records a scavenge found waiting: now, or at the end of MIN_GC_CYCLE_GAP_MS. Not
   * while writes fail: the rows would only go to the spill file, one failed attempt a scavenge.
   */
  private readonly afterScavenge = (): void => {
    if (this.incoming.length === 0 || this.failing || this.gcCycleTimer || this.closed) return;
    const wait = this.lastCycleAt + MIN_GC_CYCLE_GAP_MS - performance.now();
    if (wait <= 0) { void this.kick(); return; }
    // Whole milliseconds: Node keeps the delay on the Timeout object, and the first fractional one
    // turns that field from small integer to double in every timer's shape, deoptimising Node's
    // timer and socket functions (setTimeout, insert, _unrefTimer, setStreamTimeout…) all at once
    // (--trace-deopt: "not a Smi", then "wrong map" in each).
    this.gcCycleTimer = setTimeout(() => { this.gcCycleTimer = undefined; void this.kick(); }, Math.ceil(wait));
    this.gcCycleTimer.unref();
  };

  private readonly failed = (item: T, err: unknown): LedgerRow => {
    this.deps.logger.error('ledger could not prepare a row; writing what the record says', { request_id: item.id, error: err });
    return this.deps.fallbackRow(item);
  };

  /**
   * The store's insert, given up on after the flush interval (or the write timeout, if shorter): the
   * caller then spills the rows (or leaves them in the spill file). The insert is not cancelled (a
   * database call cannot be): until it settles or the write timeout runs out it is `stuck`, and
   * cycles spill rather than write. Resolves with how many of the rows were new to the table.
   */
  private async writeOrGiveUp(rows: LedgerRow[]): Promise<number> {
    const insert = this.deps.store.insert(rows, this.failing);
    const patience = Math.min(this.opts.flushIntervalMs, this.opts.writeTimeoutMs);
    if (await settlesWithin(insert, patience)) return insert;
    // A late commit stores its rows after all, however late: counted then (their replay finds them stored).
    insert.then((n) => { this.deps.metrics.written(n); }, () => undefined);
    const stuck: Promise<void> = settlesWithin(insert, this.opts.writeTimeoutMs - patience).then(() => undefined)
      .finally(() => { if (this.stuck === stuck) this.stuck = undefined; });
    this.stuck = stuck;
    throw new Error(`ledger write still running after ${patience} ms; its rows go to the spill file (it may yet commit: the replay skips what it wrote)`);
  }

  private noteFailure(err: unknown): void {
    this.deps.metrics.writeError();
    // One error line per outage, not one per batch.
    if (!this.failing) this.deps.logger.error('ledger database write failed; rows go to the spill file until it is back', { error: err, spill: this.deps.spill.dir });
    this.failing = true;
  }

  /**
   * Rows to the spill file. What the disk does not take (full, read-only) goes back to the front of
   * the queue, as far as maxBufferRows allows, and is written when the database returns: a full disk
   * during a database restart used to drop every row of the outage, with memory to spare. Only rows
   * beyond the bound are lost, and said so.
   */
  private async spill(rows: LedgerRow[]): Promise<void> {
    try {
      await this.deps.spill.append(rows);
      this.spillFailing = false;
    } catch (err) {
      const left = rows.slice(err instanceof SpillCutShort ? err.landed : 0);
      const room = Math.max(0, this.opts.maxBufferRows - this.pending.length);
      const kept = left.slice(0, room);
      this.pending = kept.concat(this.pending);
      const lost = left.length - kept.length;
      if (!this.spillFailing) this.deps.logger.error('ledger spill file could not be written; rows wait in memory for the database, up to max_buffer_rows', { rows: kept.length, max_buffer_rows: this.opts.maxBufferRows, error: err });
      this.spillFailing = true;
      if (lost > 0) {
        this.deps.metrics.dropped(lost);
        this.deps.logger.error('ledger rows lost: the spill file could not be written either, and max_buffer_rows are waiting in memory', { rows: lost, error: err });
      }
    }
    this.deps.metrics.spillRows(this.deps.spill.rows);
  }
}
