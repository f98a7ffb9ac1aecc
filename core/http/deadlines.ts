// Deadlines for many short waits of one length (a request body's arrival), checked by one timer
// rather than a setTimeout per wait: almost every body arrives in the tick its headers did, and a
// Timeout object plus its insertion into and removal from the timer list cost more than the wait.
// A deadline fires between `ms` and `ms` + one sweep interval (a quarter of `ms`, at most 1 s) late.

export interface Deadline {
  cancel(): void;
}

interface Entry extends Deadline {
  at: number;
  fire: () => void;
  queue: DeadlineQueue;
}

/** Waits of `ms` each, swept in arrival order (equal lengths: the oldest expires first). */
export class DeadlineQueue {
  private readonly entries = new Set<Entry>();
  private timer: NodeJS.Timeout | undefined = undefined;
  private readonly everyMs: number;

  constructor(private readonly ms: number) {
    this.everyMs = Math.max(1, Math.min(1000, Math.ceil(ms / 4)));
  }

  /** Calls `fire` once `ms` have passed, unless cancelled first. */
  add(fire: () => void): Deadline {
    const entry: Entry = { at: performance.now() + this.ms, fire, queue: this, cancel: cancelEntry };
    this.entries.add(entry);
    if (!this.timer) {
      this.timer = setInterval(() => this.sweep(), this.everyMs);
      this.timer.unref();
    }
    return entry;
  }

  /** @internal */
  remove(entry: Entry): void {
    this.entries.delete(entry);
  }

  private sweep(): void {
    if (this.entries.size === 0) {
      // Idle: the timer stops until the next wait.
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const now = performance.now();
    for (const entry of this.entries) {
      if (entry.at > now) break;
      this.entries.delete(entry);
      entry.fire();
    }
  }
}

function cancelEntry(this: Entry): void {
  this.queue.remove(this);
}

const queues = new Map<number, DeadlineQueue>();
/** The shared queue for waits of `ms`. */
export function deadlineQueue(ms: number): DeadlineQueue {
  let q = queues.get(ms);
  if (!q) queues.set(ms, (q = new DeadlineQueue(ms)));
  return q;
}
