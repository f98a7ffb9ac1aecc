// Watching a response stream without changing it. Wrapping `events` in a generator of one's own
// would make egress serialise every event anew (a wrapper might have changed them); an observer
// only reads, so a stream whose bytes were going to the client untouched still does.
import { isUntouchedStream, PASSES_UNTOUCHED } from './raw-json.js';
import type { StreamEvent } from './types.js';

export interface StreamObserver {
  /** Sees each event before it goes on. Must not change it; an exception is ignored. */
  event(ev: StreamEvent): void;
  /** Called once when the stream is over: `complete` is false when it was cut (client gone, error). */
  end(complete: boolean): void;
}

export function observeStream(events: AsyncIterable<StreamEvent>, observer: StreamObserver): AsyncIterable<StreamEvent> {
  return new ObservedStream(events, observer);
}

/**
 * An iterator object rather than an async generator: a generator adds its own promise, queue and
 * resumption per event (≈0.13 µs each, on every stream the ledger watches); this adds one `then`.
 * It behaves as the generator did: the source is opened on the first `next`, `end(true)` when it
 * is exhausted, `end(false)` when it fails or is returned early (after the source's own `return`),
 * and nothing at all for a stream returned before it was started.
 */
class ObservedStream implements AsyncIterableIterator<StreamEvent> {
  private source: AsyncIterator<StreamEvent> | undefined;
  private over = false;
  // Bound once: no closures per event.
  private readonly onResult = (r: IteratorResult<StreamEvent>): IteratorResult<StreamEvent> => {
    if (this.over) return DONE;
    if (r.done) { this.finish(true); return DONE; }
    try { this.observer.event(r.value); } catch { /* an observer never breaks the client's stream */ }
    return r;
  };
  private readonly onError = (err: unknown): never => {
    this.finish(false);
    throw err;
  };

  /** Untouched if its source is: observing changes nothing. */
  readonly [PASSES_UNTOUCHED]: boolean;

  constructor(readonly events: AsyncIterable<StreamEvent>, private readonly observer: StreamObserver) {
    this[PASSES_UNTOUCHED] = isUntouchedStream(events);
  }

  /** Nobody has begun to read it (nor taken its observer). */
  get unread(): boolean { return this.source === undefined && !this.over; }

  /** Hands the observer to the final reader (takeObservers); this object is spent. */
  take(): StreamObserver {
    this.over = true;
    return this.observer;
  }

  [Symbol.asyncIterator](): this { return this; }

  next(): Promise<IteratorResult<StreamEvent>> {
    if (this.over) return Promise.resolve(DONE);
    const source = (this.source ??= this.events[Symbol.asyncIterator]());
    let pending: Promise<IteratorResult<StreamEvent>>;
    try { pending = source.next(); } catch (err) { this.finish(false); return Promise.reject(err as Error); }
    return pending.then(this.onResult, this.onError);
  }

  async return(): Promise<IteratorResult<StreamEvent>> {
    if (this.over) return DONE;
    const source = this.source;
    if (!source) { this.over = true; return DONE; }
    try {
      await source.return?.();
    } finally {
      this.finish(false);
    }
    return DONE;
  }

  async throw(err: unknown): Promise<IteratorResult<StreamEvent>> {
    // A generator thrown into at a `yield` inside `for await` leaves the loop as for `return`.
    if (this.over || !this.source) { this.over = true; throw err; }
    await this.return();
    throw err;
  }

  private finish(complete: boolean): void {
    if (this.over) return;
    this.over = true;
    try { this.observer.end(complete); } catch { /* as above */ }
  }
}

/**
 * For the stream's final reader (egress): when `events` is a stack of observed streams nobody has
 * begun to read, the source beneath them and one observer standing for all of them (innermost
 * first, each observer's exception ignored, as above). Reading the source and calling `event` on
 * each event, then `end` once, replaces the stack's promise hop per event per observer; the
 * stack's objects must not be read afterwards. Undefined when `events` is anything else.
 */
export function takeObservers(events: AsyncIterable<StreamEvent>): { source: AsyncIterable<StreamEvent>; observer: StreamObserver } | undefined {
  if (!(events instanceof ObservedStream) || !events.unread) return undefined;
  const observers: StreamObserver[] = [];
  let source: AsyncIterable<StreamEvent> = events;
  while (source instanceof ObservedStream && source.unread) {
    observers.unshift(source.take());
    source = source.events;
  }
  let over = false;
  return {
    source,
    observer: {
      event(ev) {
        if (over) return;
        for (const o of observers) { try { o.event(ev); } catch { /* an observer never breaks the client's stream */ } }
      },
      end(complete) {
        if (over) return;
        over = true;
        for (const o of observers) { try { o.end(complete); } catch { /* as above */ } }
      },
    },
  };
}

/** The result of a stream that is over, shared by core's stream iterators (one frozen object, not one per end). */
export const DONE: IteratorResult<StreamEvent> = Object.freeze({ done: true, value: undefined }) as IteratorResult<StreamEvent>;
