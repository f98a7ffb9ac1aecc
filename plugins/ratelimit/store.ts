// The counter store: check-and-reserve and settle, each atomic and idempotent by reservation id.
// Two implementations with one meaning: memory (one instance) and Redis (one Lua script each).
import type { Counter } from './counters.js';

export interface Announcement {
  /** Index of the budget counter in the request's list. */
  counter: number;
  /** 80 (warning) or 100 (exhausted). */
  level: 80 | 100;
  /** Committed spend of the window, nano-USD. */
  spent: number;
}

export interface ReserveResult {
  admitted: boolean;
  /** Index of the first counter that refused. */
  refused: number;
  /** Per counter: usage after this admission (or as it stands, when refused). */
  used: number[];
  /**
   * Per counter, admitted or refused alike: ms until its window frees (a calendar budget's end, a
   * sliding window's oldest second leaving), -1 for a lifetime budget. The refusing counter's: until
   * this request would fit — 1000 when only reservations in flight stand in the way on a budget or a
   * token window (a settle gives back what they did not use; an rpm reservation stays whole); for a
   * request larger than the limit, which never fits, its window's own reset (0 for an empty window).
   */
  resetMs: number[];
  /** The second whose bucket got this request's sliding amounts (settle adjusts that bucket). */
  bucket: number;
  announce: Announcement[];
}

export interface SettleInput {
  id: string;
  now: number;
  counters: Counter[];
  /** What the request really used, per counter (requests, tokens, nano-USD). */
  actual: number[];
  bucket: number;
}

export interface LimitStore {
  reserve(id: string, now: number, counters: Counter[]): Promise<ReserveResult>;
  settle(input: SettleInput): Promise<Announcement[]>;
  close(): void | Promise<void>;
}

/** The store could not answer (Redis down or slow): on_store_error decides. */
export class StoreUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailable';
  }
}

/** Seconds-bucket bounds of the sliding window at `now`: buckets ≥ floor count. */
export function slidingFloor(now: number): { sec: number; floor: number } {
  const sec = Math.floor(now / 1000);
  return { sec, floor: sec - 59 };
}
