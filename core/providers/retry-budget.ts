// The retry budget of one provider (as Envoy's and Finagle's): retries in a sliding 10-second window
// may be at most a share of the requests sent to it in that window, or a small floor, so that an
// outage, where every request fails, does not multiply the load on the provider that is failing.
// In-process: each gateway instance keeps its own. Per-second counts in two rings of ten slots, so
// noting a request is O(1) and deciding on a retry (only after a failure) sums ten numbers.

const WINDOW_SECONDS = 10;

/** Counts per whole second over the last WINDOW_SECONDS seconds; a slot is reset when its second comes round again. */
class SecondCounts {
  private readonly counts = new Array<number>(WINDOW_SECONDS).fill(0);
  /** The second each slot counts; a slot from before the window is stale. */
  private readonly seconds = new Array<number>(WINDOW_SECONDS).fill(-Infinity);

  add(second: number): void {
    const i = second % WINDOW_SECONDS;
    if (this.seconds[i] !== second) { this.seconds[i] = second; this.counts[i] = 0; }
    this.counts[i]!++;
  }

  /** The count over the window that ends with `second`. */
  sum(second: number): number {
    let n = 0;
    for (let i = 0; i < WINDOW_SECONDS; i++) if (this.seconds[i]! > second - WINDOW_SECONDS) n += this.counts[i]!;
    return n;
  }
}

export class RetryBudget {
  private readonly requests = new SecondCounts();
  private readonly retries = new SecondCounts();

  /** `now` in milliseconds, monotonic (tests pass their own clock). */
  constructor(private readonly percent: number, private readonly minPerSecond: number, private readonly now: () => number = () => performance.now()) {}

  /** A first try sent to the provider (a retry is not a request that earns budget: an outage would pay for its own retries). */
  noteRequest(): void {
    this.requests.add(this.second());
  }

  /** Takes one retry out of the budget; false, taking nothing, when the window's retries are spent. */
  withdraw(): boolean {
    const second = this.second();
    const allowed = Math.max(this.minPerSecond * WINDOW_SECONDS, (this.percent * this.requests.sum(second)) / 100);
    if (this.retries.sum(second) + 1 > allowed) return false;
    this.retries.add(second);
    return true;
  }

  private second(): number {
    return Math.floor(this.now() / 1000);
  }
}
