// Deadlines for many short waits of one length (a request body's arrival), checked by one timer
// rather than a setTimeout per wait: almost every body arrives in the tick its headers did, and a
// Timeout object plus its insertion into and removal from the timer list cost more than the wait.
// A deadline fires between `ms` and `ms` + one sweep interval (a quarter of `ms`, at most 1 s) late.

export interface Deadline {
  cancel(): void;
}

/**
 * One wait, linked into its queue in arrival order. A list rather than a Set: a Set that grows and
 * shrinks by tens of entries a millisecond reallocates its hash table each time it crosses a size
 * class, and those tables, held by the long-lived queue, outlive two scavenges and are promoted
 * (~110 B a request of the old generation's garbage, by the sampling heap profiler).
 */
class Entry implements Deadline {
  prev: Entry | undefined = undefined;
  next: Entry | undefined = undefined;
  /** False once fired or cancelled. */
  linked = true;
  constructor(readonly at: number, readonly fire: () => void, private readonly queue: DeadlineQueue) {}

  cancel(): void {
    this.queue.remove(this);
  }
}

/** Waits of `ms` each, swept in arrival order (equal lengths: the oldest expires first). */
export class DeadlineQueue {
  private head: Entry | undefined = undefined;
  private tail: Entry | undefined = undefined;
  private timer: NodeJS.Timeout | undefined = undefined;
  private readonly everyMs: number;

  constructor(private readonly ms: number) {
    this.everyMs = Math.max(1, Math.min(1000, Math.ceil(ms / 4)));
  }

  /** Calls `fire` once `ms` have passed, unless cancelled first. */
  add(fire: () => void): Deadline {
    const entry = new Entry(performance.now() + this.ms, fire, this);
    const tail = this.tail;
    entry.prev = tail;
    if (tail) tail.next = entry;
    else this.head = entry;
    this.tail = entry;
    if (!this.timer) {
      this.timer = setInterval(() => this.sweep(), this.everyMs);
      this.timer.unref();
    }
    return entry;
  }

  /** @internal Unlinks `entry` (a second call is harmless). */
  remove(entry: Entry): void {
    if (!entry.linked) return;
    entry.linked = false;
    const { prev, next } = entry;
    if (prev) prev.next = next;
    else this.head = next;
    if (next) next.prev = prev;
    else this.tail = prev;
    entry.prev = entry.next = undefined;
  }

  private sweep(): void {
    if (!this.head) {
      // Idle: the timer stops until the next wait.
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const now = performance.now();
    for (let entry = this.head; entry && entry.at <= now; entry = this.head) {
      this.remove(entry);
      entry.fire();
    }
  }
}

const queues = new Map<number, DeadlineQueue>();
/** The shared queue for waits of `ms`. */
export function deadlineQueue(ms: number): DeadlineQueue {
  let q = queues.get(ms);
  if (!q) queues.set(ms, (q = new DeadlineQueue(ms)));
  return q;
}
