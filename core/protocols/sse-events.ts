// A byte stream as parsed SSE events: the upstream end of every stream's pipeline.
//
// An iterator object rather than an async generator: a generator adds its own promise, queue and
// resumption per event; this reads the body once per chunk (one `then`) and hands out the events
// that chunk completed from a list. It behaves as the generator did for its one consumer reading
// in turn: nothing is read before the first `next`; returned early, it returns the body's iterator
// and calls `onClose`; a stream returned before it was started touches nothing.
import { SseDecoder, SseEventTooLargeError, toStreamEvent, type RawSseEvent, type SseDecoderOptions } from './sse.js';
import type { StreamEvent } from './types.js';
import { DONE } from './observe-stream.js';

/** decodeSse's options: the decoder's, and what its owner does when the stream fails or is over. */
export interface DecodeSseOptions extends SseDecoderOptions {
  /** What is thrown in place of an error reading or decoding the body (e.g. a provider's coded error). */
  mapError?(err: unknown): unknown;
  /** Called once the iteration is over: run to its end, failed, or returned early by its consumer. */
  onClose?(): void;
}

/**
 * Decodes a byte stream into parsed events. With `maxEventSize`, an oversized event ends the
 * iteration with SseEventTooLargeError after the events completed before it. The owner's error
 * mapping and release are options, not a generator of its own around this one.
 */
export function decodeSse(body: AsyncIterable<Uint8Array | string>, options: DecodeSseOptions = {}): AsyncGenerator<StreamEvent> {
  return new SseEvents(body, options);
}

class SseEvents implements AsyncGenerator<StreamEvent> {
  private readonly decoder: SseDecoder;
  private readonly utf8 = new TextDecoder('utf-8');
  private source: AsyncIterator<Uint8Array | string> | undefined;
  /** Events decoded and not yet handed out, from `at`. */
  private ready: RawSseEvent[] = [];
  private at = 0;
  /** An oversize error, thrown once the events completed before it are handed out. */
  private tooLarge: SseEventTooLargeError | undefined;
  private sourceDone = false;
  private started = false;
  private over = false;
  // Bound once: no closures per chunk.
  private readonly onChunk = (r: IteratorResult<Uint8Array | string>): Promise<IteratorResult<StreamEvent>> => {
    if (this.over) return Promise.resolve(DONE);
    try {
      if (r.done) {
        this.sourceDone = true;
        this.take(this.utf8.decode());
        if (!this.tooLarge) for (const e of this.decoder.end()) this.ready.push(e);
      } else {
        this.take(typeof r.value === 'string' ? r.value : this.utf8.decode(r.value, { stream: true }));
      }
    } catch (err) {
      return this.fail(err, true);
    }
    return this.next();
  };
  private readonly onSourceError = (err: unknown): Promise<never> => this.fail(err, false);

  constructor(private readonly body: AsyncIterable<Uint8Array | string>, private readonly options: DecodeSseOptions) {
    this.decoder = new SseDecoder(options);
  }

  [Symbol.asyncIterator](): this { return this; }

  next(): Promise<IteratorResult<StreamEvent>> {
    if (this.over) return Promise.resolve(DONE);
    this.started = true;
    if (this.at < this.ready.length) return Promise.resolve({ value: toStreamEvent(this.ready[this.at++]!), done: false });
    if (this.tooLarge) return this.fail(this.tooLarge, true);
    if (this.sourceDone) return this.finish();
    let read: Promise<IteratorResult<Uint8Array | string>>;
    try {
      // Promise.resolve: the same promise when it is one, a promise when a body's iterator returns a plain result.
      read = Promise.resolve((this.source ??= this.body[Symbol.asyncIterator]()).next());
    } catch (err) {
      return this.fail(err, false);
    }
    return read.then(this.onChunk, this.onSourceError);
  }

  async return(): Promise<IteratorResult<StreamEvent>> {
    if (this.over) return DONE;
    this.over = true;
    if (!this.started) return DONE;
    try {
      await this.source?.return?.();
    } finally {
      this.options.onClose?.();
    }
    return DONE;
  }

  async throw(err: unknown): Promise<IteratorResult<StreamEvent>> {
    // A generator thrown into while suspended leaves as for `return`, then throws.
    await this.return();
    throw err;
  }

  /** The events `text` completes become `ready` (all handed out by now); an oversize event keeps those before it and the error for later. */
  private take(text: string): void {
    this.at = 0;
    try {
      this.ready = this.decoder.push(text);
    } catch (err) {
      if (!(err instanceof SseEventTooLargeError)) throw err;
      this.tooLarge = err;
      this.ready = err.events;
    }
  }

  private async finish(): Promise<IteratorResult<StreamEvent>> {
    this.over = true;
    this.options.onClose?.();
    return DONE;
  }

  /**
   * Over with `err` (mapped). A failure of our own (decoding) returns the body's iterator first, as
   * leaving a for-await loop by an exception does; one the body's iterator raised does not.
   */
  private async fail(err: unknown, ours: boolean): Promise<never> {
    this.over = true;
    try {
      if (ours) await this.source?.return?.();
    } finally {
      this.options.onClose?.();
    }
    throw this.options.mapError ? this.options.mapError(err) : err;
  }
}
