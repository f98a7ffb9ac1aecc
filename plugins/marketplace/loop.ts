// A background loop on a timer: runs one round, waits what the round says (the interval, or a
// backoff), runs again — one round at a time, never overlapping, stoppable between rounds.

export class RoundLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  /** A round was asked for while one ran: run it right after. */
  private again = false;

  /** `round` resolves to the wait before the next round and never rejects. */
  constructor(private readonly round: () => Promise<number>) {}

  get busy(): boolean { return this.running !== undefined; }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Runs a round after `ms` instead of whenever the next one was due (no-op once stopped). */
  schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.running) { this.again = true; return; }
      this.running = this.round().then((wait) => {
        this.running = undefined;
        if (this.again) { this.again = false; this.schedule(0); } else if (!this.timer) this.schedule(wait);
      });
    }, ms);
    this.timer.unref();
  }

  /** Stops scheduling and waits for a round in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
