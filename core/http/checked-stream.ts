// A committed upstream stream, checked to its end (stream-commit.ts): the events held back before
// the commit first (observed already, as they were read), then the rest as they come; each observed
// (usage) and passed on, or replaced or dropped by `pass`; the protocol's sentinel consumed; a stream that stops without its terminal
// event fails as truncated. The upstream iterator is returned (its connection released) once the
// stream is over, whichever way.
//
// An iterator object rather than an async generator: a generator adds its own promise, queue and
// resumption per event on every stream; this adds one `then` per upstream event. It behaves as the
// generator did for its one consumer reading in turn (egress, or a plugin's wrapper): nothing is
// read before the first `next`; a stream returned before it was started does not touch the source.
import type { StreamPhase } from '../protocols/stream-phase.js';
import type { StreamEvent } from '../protocols/types.js';
import { DONE } from '../protocols/observe-stream.js';

export interface CheckedStreamParts {
  /** Events read (and observed) before the commit, replayed first. */
  held: StreamEvent[];
  source: AsyncIterator<StreamEvent>;
  /** A read of `source` already in flight (the hold expired while it waited). */
  pending: Promise<IteratorResult<StreamEvent>> | undefined;
  /** `source` already ended before the commit. */
  sourceDone: boolean;
  /** The terminal event was seen (or the protocol cannot be checked). */
  complete: boolean;
  /**
   * Content (or the terminal event) was seen. A stream committed on the hold's expiry has seen only
   * preamble: its sentinel must not pass an empty stream for a complete one.
   */
  answered: boolean;
  read(ev: StreamEvent): StreamPhase;
  /** A sentinel (`[DONE]`) ends this protocol's stream once it has answered. */
  sentinelEnds: boolean;
  /** The terminal event is this protocol's last (Anthropic `message_stop`, Responses `response.completed`): nothing after it is passed on. */
  terminalEnds: boolean;
  /** The stream's end (its terminal event or sentinel, as above) was read before the commit. */
  ended: boolean;
  observe(ev: StreamEvent): void;
  pass: ((ev: StreamEvent) => StreamEvent | undefined) | undefined;
  /** The error of a stream that stopped before its end. */
  truncated(): Error;
  /** The error of a stream that sent an event that is not JSON (its answer is lost from there). */
  malformed(): Error;
  /** Closes the upstream connection at once (StreamResponse.release), when the provider can. */
  release: (() => void) | undefined;
}

export class CheckedStream implements AsyncIterableIterator<StreamEvent> {
  private heldAt = 0;
  private started = false;
  private over = false;
  // Bound once: no closures per event.
  private readonly onStep = (step: IteratorResult<StreamEvent>): IteratorResult<StreamEvent> | Promise<IteratorResult<StreamEvent>> => {
    if (this.over) return DONE;
    const p = this.parts;
    try {
      if (step.done) return p.complete ? this.finish() : this.fail(p.truncated());
      const phase = p.read(step.value);
      if (phase === 'malformed') return this.fail(p.malformed());
      if (phase === 'sentinel') {
        if (p.sentinelEnds && p.answered) { p.complete = p.ended = true; return this.finishAtEnd(); }
        return this.next();
      }
      if (phase === 'terminal' && p.terminalEnds) p.ended = true;
      if (phase === 'terminal' || phase === 'error') p.complete = true;
      if (phase !== 'preamble') p.answered = true;
      return this.emit(step.value) ?? this.next();
    } catch (err) {
      return this.fail(err);
    }
  };
  private readonly onError = (err: unknown): Promise<never> => this.fail(err);

  constructor(private readonly parts: CheckedStreamParts) {}

  [Symbol.asyncIterator](): this { return this; }

  next(): Promise<IteratorResult<StreamEvent>> {
    if (this.over) return Promise.resolve(DONE);
    this.started = true;
    const p = this.parts;
    try {
      while (this.heldAt < p.held.length) {
        const out = this.passOn(p.held[this.heldAt++]!);
        if (out) return Promise.resolve(out);
      }
    } catch (err) {
      return this.fail(err);
    }
    if (this.heldAt > 0) { p.held.length = 0; this.heldAt = 0; } // replayed: not kept for the stream's life
    if (p.ended) return this.finishAtEnd();
    if (p.sourceDone) return p.complete ? this.finish() : this.fail(p.truncated());
    let read: Promise<IteratorResult<StreamEvent>>;
    try {
      // Promise.resolve: the same promise when it is one (every source here), a promise when a source returns a plain result.
      read = Promise.resolve(p.pending ?? p.source.next());
    } catch (err) {
      return this.fail(err);
    }
    p.pending = undefined;
    return read.then(this.onStep, this.onError);
  }

  async return(): Promise<IteratorResult<StreamEvent>> {
    if (this.over) return DONE;
    this.over = true;
    if (this.started) await this.parts.source.return?.();
    return DONE;
  }

  async throw(err: unknown): Promise<IteratorResult<StreamEvent>> {
    // A generator thrown into while suspended leaves as for `return`, then throws.
    await this.return();
    throw err;
  }

  /** Observes `ev` and gives the result to pass on, if any. */
  private emit(ev: StreamEvent): IteratorResult<StreamEvent> | undefined {
    this.parts.observe(ev);
    return this.passOn(ev);
  }

  private passOn(ev: StreamEvent): IteratorResult<StreamEvent> | undefined {
    const pass = this.parts.pass;
    const out = pass ? pass(ev) : ev;
    return out === undefined ? undefined : { value: out, done: false };
  }

  /** The stream is over: the source returned (a no-op for one that ran out), then done. */
  private async finish(): Promise<IteratorResult<StreamEvent>> {
    this.over = true;
    await this.parts.source.return?.();
    return DONE;
  }

  /**
   * The stream's last event was read: the client's stream ends now, whatever the upstream does
   * next. Some go on — a second answer, garbage, a connection held open after `[DONE]`, a reset —
   * and none of that is the answer, nor worth the client's wait. What follows is read and dropped
   * in the background, so a connection whose body ends soon stays reusable; after
   * MAX_DRAINED_EVENTS, or DRAIN_MS without its end, it is given up (else a connection held open
   * would also hold a graceful shutdown, which waits for the pool, for the provider's idle_ms).
   */
  private finishAtEnd(): Promise<IteratorResult<StreamEvent>> {
    this.over = true;
    const p = this.parts;
    if (!p.sourceDone) void drainAfterEnd(p.source, p.pending, p.release);
    p.pending = undefined;
    return Promise.resolve(DONE);
  }

  /** The stream failed: the source returned (its connection released), then `err`. */
  private async fail(err: unknown): Promise<never> {
    this.over = true;
    await this.parts.source.return?.();
    throw err;
  }
}

/** Events read past a stream's end before its upstream connection is given up instead of drained. */
const MAX_DRAINED_EVENTS = 64;
/** How long a body may take to end after its stream's end before its connection is closed. */
const DRAIN_MS = 1000;

async function drainAfterEnd(source: AsyncIterator<StreamEvent>, pending: Promise<IteratorResult<StreamEvent>> | undefined, release: (() => void) | undefined): Promise<void> {
  // An async generator cannot be returned while a read is pending: the provider closes the connection instead.
  const timer = release ? setTimeout(release, DRAIN_MS) : undefined;
  timer?.unref();
  try {
    if (pending && (await pending).done) return;
    for (let i = 0; i < MAX_DRAINED_EVENTS; i++) {
      if ((await source.next()).done) return;
    }
    await source.return?.();
  } catch {
    // A failure after the end (a reset, the release above) changes nothing for an answer already whole.
  } finally {
    clearTimeout(timer);
  }
}
