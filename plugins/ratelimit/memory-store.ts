// Counters in this process: the same meaning as the Redis scripts (redis-scripts.ts), for one
// instance. Entries expire as Redis keys would; a sweep every minute drops the forgotten ones.
import type { Counter } from './counters.js';
import { slidingFloor, type Announcement, type LimitStore, type ReserveResult, type SettleInput } from './store.js';

/**
 * `held`: per second, the part of that bucket still reserved by requests in flight. Only token
 * windows keep it — a settle may shrink their reservation (a request counts fully against rpm
 * whatever its fate) — so that a refusal can tell "wait a second" from "wait for the window".
 */
interface Sliding { buckets: Map<number, number>; held: Map<number, number>; expiresAt: number }
interface Budget { used: number; held: number; pending: Map<string, { amount: number; deadline: number }>; expiresAt: number }
interface Marker { settled: boolean; verdict: ReserveResult | undefined; expiresAt: number }

export class MemoryStore implements LimitStore {
  private readonly sliding = new Map<string, Sliding>();
  private readonly budgets = new Map<string, Budget>();
  private readonly markers = new Map<string, Marker>();
  private readonly announced = new Map<string, number>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly reservationTtlMs: number) {}

  start(): void {
    this.sweeper = setInterval(() => this.sweep(Date.now()), 60_000);
    this.sweeper.unref();
  }

  async reserve(id: string, now: number, counters: Counter[]): Promise<ReserveResult> {
    return this.reserveNow(id, now, counters);
  }

  reserveNow(id: string, now: number, counters: Counter[]): ReserveResult {
    const marker = this.live(this.markers, id, now);
    if (marker) return marker.verdict ?? { admitted: true, refused: -1, used: [], resetMs: [], bucket: 0, announce: [] };
    const { sec, floor } = slidingFloor(now);
    const used: number[] = [];
    const resetMs: number[] = [];
    let refused = -1;
    for (let i = 0; i < counters.length; i++) {
      const c = counters[i]!;
      let u: number;
      if (c.window === 'sliding') {
        const s = this.live(this.sliding, c.key, now);
        u = 0;
        if (s) {
          for (const [b, v] of s.buckets) { if (b < floor) s.buckets.delete(b); else u += v; }
          for (const b of s.held.keys()) if (b < floor) s.held.delete(b);
        }
      } else {
        const b = this.live(this.budgets, c.key, now);
        if (b) for (const [rid, r] of b.pending) if (r.deadline <= now) { b.held -= r.amount; b.pending.delete(rid); }
        u = b ? b.used + b.held : 0;
      }
      used.push(u);
      resetMs.push(0);
      if (refused < 0 && (u + c.amount > c.limit || u >= c.limit)) refused = i;
    }
    const announce: Announcement[] = [];
    if (refused >= 0) {
      const c = counters[refused]!;
      // Every limit's own reset in the headers, whichever refused; the refusing one says when this request fits.
      for (let i = 0; i < counters.length; i++) resetMs[i] = i === refused ? this.fitsIn(c, now, used[i]!) : this.resetsIn(counters[i]!, now);
      if (c.window === 'budget') {
        const committed = this.budgets.get(c.key)?.used ?? 0;
        // A request larger than the whole budget is refused on its own, at any spend: it says nothing
        // about the window, and announcing it would set the once-per-window marker before the real
        // exhaustion, which would then go unannounced.
        if (c.amount <= c.limit && committed + c.amount > c.limit) {
          if (committed >= 0.8 * c.limit) this.announceOnce(c, 80, committed, now, announce, refused);
          this.announceOnce(c, 100, committed, now, announce, refused);
        }
      }
      return { admitted: false, refused, used, resetMs, bucket: sec, announce };
    }
    for (let i = 0; i < counters.length; i++) {
      const c = counters[i]!;
      if (c.window === 'sliding') {
        let s = this.live(this.sliding, c.key, now);
        if (!s) { s = { buckets: new Map(), held: new Map(), expiresAt: 0 }; this.sliding.set(c.key, s); }
        if (c.amount > 0) {
          s.buckets.set(sec, (s.buckets.get(sec) ?? 0) + c.amount);
          if (c.kind === 'tpm') s.held.set(sec, (s.held.get(sec) ?? 0) + c.amount);
        }
        s.expiresAt = now + c.ttlMs;
      } else if (c.amount > 0) {
        let b = this.live(this.budgets, c.key, now);
        if (!b) { b = { used: 0, held: 0, pending: new Map(), expiresAt: 0 }; this.budgets.set(c.key, b); }
        b.held += c.amount;
        b.pending.set(id, { amount: c.amount, deadline: now + this.reservationTtlMs });
        b.expiresAt = now + c.ttlMs;
      }
      used[i] = used[i]! + c.amount;
      resetMs[i] = this.resetsIn(c, now);
    }
    const verdict: ReserveResult = { admitted: true, refused: -1, used, resetMs, bucket: sec, announce };
    this.markers.set(id, { settled: false, verdict, expiresAt: now + this.reservationTtlMs });
    return verdict;
  }

  async settle(input: SettleInput): Promise<Announcement[]> {
    return this.settleNow(input);
  }

  settleNow({ id, now, counters, actual, bucket }: SettleInput): Announcement[] {
    const marker = this.live(this.markers, id, now);
    if (marker?.settled) return [];
    const { floor } = slidingFloor(now);
    const announce: Announcement[] = [];
    for (let i = 0; i < counters.length; i++) {
      const c = counters[i]!;
      const real = actual[i] ?? 0;
      if (c.window === 'sliding') {
        const delta = real - (marker ? c.amount : 0);
        if (bucket < floor) continue;
        let s = this.live(this.sliding, c.key, now);
        // No longer in flight, whatever it used.
        if (s && marker && c.kind === 'tpm' && c.amount > 0) {
          const h = (s.held.get(bucket) ?? 0) - c.amount;
          if (h <= 0) s.held.delete(bucket); else s.held.set(bucket, h);
        }
        if (delta === 0) continue;
        if (!s) { s = { buckets: new Map(), held: new Map(), expiresAt: now + c.ttlMs }; this.sliding.set(c.key, s); }
        const v = (s.buckets.get(bucket) ?? 0) + delta;
        if (v <= 0) s.buckets.delete(bucket); else s.buckets.set(bucket, v);
        continue;
      }
      let b = this.live(this.budgets, c.key, now);
      const r = b?.pending.get(id);
      if (b && r) { b.held -= r.amount; b.pending.delete(id); }
      if (real <= 0) continue;
      if (!b) { b = { used: 0, held: 0, pending: new Map(), expiresAt: 0 }; this.budgets.set(c.key, b); }
      b.used += real;
      b.expiresAt = now + c.ttlMs;
      if (b.used >= 0.8 * c.limit) this.announceOnce(c, 80, b.used, now, announce, i);
      if (b.used >= c.limit) this.announceOnce(c, 100, b.used, now, announce, i);
    }
    this.markers.set(id, { settled: true, verdict: undefined, expiresAt: now + this.reservationTtlMs });
    return announce;
  }

  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  private announceOnce(c: Counter, level: 80 | 100, spent: number, now: number, out: Announcement[], index: number): void {
    const name = `${c.key}:e${level}`;
    const until = this.announced.get(name);
    if (until !== undefined && until > now) return;
    this.announced.set(name, now + c.ttlMs);
    out.push({ counter: index, level, spent });
  }

  /**
   * ms until the counter's window frees: a calendar budget's end (-1 for a lifetime budget, which
   * never resets), or when the oldest second of a sliding window leaves it (0 when it holds nothing).
   */
  private resetsIn(c: Counter, now: number): number {
    if (c.window === 'budget') return c.resetAt > 0 ? c.resetAt - now : -1;
    const s = this.sliding.get(c.key);
    let oldest = Infinity;
    if (s) for (const b of s.buckets.keys()) if (b < oldest) oldest = b;
    return oldest === Infinity ? 0 : (oldest + 60) * 1000 - now;
  }

  /**
   * ms until the refusing counter has room for `c.amount` (used: its usage now): 1000 when only
   * reservations in flight stand in the way, else until enough of its window leaves. A request larger
   * than the limit never fits: its window's own reset then (0 for an empty window — the header is
   * kept, as every 429 carries the limit's three headers; the refusal itself has no retry-after).
   */
  private fitsIn(c: Counter, now: number, used: number): number {
    if (c.window === 'budget') {
      const committed = this.budgets.get(c.key)?.used ?? 0;
      // Only reservations in flight stand in the way: they settle soon.
      if (used > 0 && committed + c.amount <= c.limit) return 1000;
      return this.resetsIn(c, now);
    }
    if (c.amount > c.limit) return this.resetsIn(c, now);
    const s = this.sliding.get(c.key);
    const buckets = s ? [...s.buckets].sort((a, b) => a[0] - b[0]) : [];
    let freed = 0;
    let wait = 60_000;
    const need = used + c.amount - c.limit;
    for (const [b, v] of buckets) {
      freed += v;
      if (freed >= need) { wait = Math.max(0, (b + 60) * 1000 - now); break; }
    }
    // As for a budget: when only reservations in flight stand in the way, they settle soon (and
    // usually for less than their output cap), long before their seconds leave the window.
    const held = s ? this.inFlight(s, now) : 0;
    if (held > 0 && used - held + c.amount <= c.limit) return Math.min(wait, 1000);
    return wait;
  }

  /** Tokens still held by reservations in flight; one whose instance died stops counting after reservation_ttl_ms. */
  private inFlight(s: Sliding, now: number): number {
    let held = 0;
    for (const [b, v] of s.held) if ((b + 1) * 1000 + this.reservationTtlMs > now) held += v;
    return held;
  }

  private live<T extends { expiresAt: number }>(map: Map<string, T>, key: string, now: number): T | undefined {
    const v = map.get(key);
    if (v && v.expiresAt <= now) { map.delete(key); return undefined; }
    return v;
  }

  private sweep(now: number): void {
    for (const map of [this.sliding, this.budgets, this.markers] as Map<string, { expiresAt: number }>[]) {
      for (const [k, v] of map) if (v.expiresAt <= now) map.delete(k);
    }
    for (const [k, until] of this.announced) if (until <= now) this.announced.delete(k);
  }
}
