// Counters in Redis, shared by every instance: one EVALSHA per admission and one per settle
// (ioredis defineCommand; it falls back to EVAL after a Redis restart flushed the script cache).
// A Redis that is not connected, errs or is slower than store_timeout_ms is a StoreUnavailable:
// the request is never left waiting in ioredis's offline queue.
import type { Redis } from 'ioredis';
import type { Counter } from './counters.js';
import { RESERVE_LUA, SETTLE_LUA } from './redis-scripts.js';
import { StoreUnavailable, type Announcement, type LimitStore, type ReserveResult, type SettleInput } from './store.js';

type ScriptCall = (numKeys: number, ...args: (string | number)[]) => Promise<string>;
interface WithScripts {
  sluiceRatelimitReserve: ScriptCall;
  sluiceRatelimitSettle: ScriptCall;
}

interface Verdict { a: number; r: number; u: number[] | Record<string, never>; t: number[] | Record<string, never>; b: number; e: [number, number, number][] | Record<string, never> }
const list = <T>(v: T[] | Record<string, never>): T[] => (Array.isArray(v) ? v : []);

export class RedisStore implements LimitStore {
  private readonly redis: Redis & WithScripts;

  constructor(redis: Redis, private readonly options: { prefix: string; reservationTtlMs: number; timeoutMs: number }) {
    this.redis = redis as Redis & WithScripts;
    if (!('sluiceRatelimitReserve' in redis)) {
      redis.defineCommand('sluiceRatelimitReserve', { lua: RESERVE_LUA });
      redis.defineCommand('sluiceRatelimitSettle', { lua: SETTLE_LUA });
    }
  }

  markerKey(id: string): string {
    return `${this.options.prefix}req:${id}`;
  }

  async reserve(id: string, now: number, counters: Counter[]): Promise<ReserveResult> {
    const args: (string | number)[] = [counters.length + 1, this.markerKey(id)];
    for (const c of counters) args.push(c.key);
    args.push(id, now, this.options.reservationTtlMs);
    for (const c of counters) args.push(c.window === 'sliding' ? 's' : 'b', c.limit, c.amount, c.ttlMs, c.resetAt);
    const raw = await this.call(() => this.redis.sluiceRatelimitReserve(...(args as [number, ...string[]])));
    const v = JSON.parse(raw) as Verdict;
    return {
      admitted: v.a === 1, refused: v.r, used: list(v.u), resetMs: list(v.t), bucket: v.b,
      announce: list(v.e).map(([counter, level, spent]) => ({ counter, level: level as 80 | 100, spent })),
    };
  }

  async settle({ id, now, counters, actual, bucket }: SettleInput): Promise<Announcement[]> {
    const args: (string | number)[] = [counters.length + 1, this.markerKey(id)];
    for (const c of counters) args.push(c.key);
    args.push(id, now, this.options.reservationTtlMs, bucket);
    counters.forEach((c, i) => args.push(c.window === 'sliding' ? 's' : 'b', c.limit, c.amount, Math.round(actual[i] ?? 0), c.ttlMs));
    const raw = await this.call(() => this.redis.sluiceRatelimitSettle(...(args as [number, ...string[]])));
    return list(JSON.parse(raw) as [number, number, number][] | Record<string, never>).map(([counter, level, spent]) => ({ counter, level: level as 80 | 100, spent }));
  }

  close(): void {}

  private async call(run: () => Promise<string>): Promise<string> {
    if (this.redis.status !== 'ready') throw new StoreUnavailable(`redis is ${this.redis.status}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      // The timer runs before the event loop reads its sockets: after a busy spell of this process
      // (a burst of requests) it fires although Redis answered long ago, and the answer waits unread.
      // Deciding after one poll phase (setImmediate) takes that answer; only a Redis still silent
      // then is a timeout — else on_store_error: open admitted the burst unchecked, past its limit.
      timer = setTimeout(() => setImmediate(() => reject(new StoreUnavailable(`redis did not answer within ${this.options.timeoutMs} ms`))), this.options.timeoutMs);
    });
    try {
      return await Promise.race([run(), timeout]);
    } catch (err) {
      if (err instanceof StoreUnavailable) throw err;
      throw new StoreUnavailable(`redis: ${(err as Error).message}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }
}
