// One upstream HTTP exchange over undici's dispatcher API. undici's request() wraps every answer in
// a Readable stream (its state, buffer list and events) and parses every response header into an
// object; a gateway reading a small JSON answer whole, or relaying SSE chunks, needs neither: here
// the chunks go to an array, and only the headers Sluice uses are read from the raw list. On this
// machine that is some 15 µs of CPU per request (bench/results/proxy-overhead.md).
import type { Dispatcher } from 'undici';
import { RequestAbort, type AbortLike } from '../http/abort.js';
import { codingsToUndo, ContentDecoder } from './content-decoding.js';

/** What dispatch() needs of a Pool. */
interface DispatchTarget {
  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean;
}

export interface UpstreamHead {
  statusCode: number;
  /** The content-type header ('' when absent). */
  contentType: string;
  /** The headers `forward` kept, under the names it gave. */
  headers: Record<string, string>;
  body: UpstreamBody;
}

/** Decides which response headers to keep, and under which name. */
export interface HeaderFilter {
  /** False for a name that cannot be kept, judged by its first byte lower-cased: it is then not even read. */
  mayKeep(firstByte: number): boolean;
  /** The name to keep a header under, or undefined to drop it. */
  nameFor(lowerCaseName: string): string | undefined;
}

/** Above this many unread bytes an iterated body pauses the socket until its reader catches up. */
const HIGH_WATER_MARK = 64 * 1024;

/**
 * Sends one request; resolves with the status and headers once they arrive (a 1xx is skipped),
 * rejects with undici's error (or the abort reason) if the exchange fails before that.
 */
export function callUpstream(pool: DispatchTarget, options: Dispatcher.DispatchOptions, signal: AbortLike | undefined, forward: HeaderFilter): Promise<UpstreamHead> {
  return new Promise<UpstreamHead>((resolve, reject) => {
    pool.dispatch(options, new UpstreamCall(signal, forward, resolve, reject) as unknown as Dispatcher.DispatchHandler);
  });
}

/** undici's handler (its original callback interface, which undici calls without a wrapper). */
class UpstreamCall {
  private abortUpstream: ((reason: unknown) => void) | undefined = undefined;
  private abortReason: unknown = undefined;
  private body: UpstreamBody | undefined = undefined;
  /** Set when the answer has a content-encoding to undo: undici's bytes go through it to the body. */
  private decoder: ContentDecoder | undefined = undefined;
  private readonly onAbort: (() => void) | undefined;

  constructor(
    private readonly signal: AbortLike | undefined,
    private readonly forward: HeaderFilter,
    private resolve: ((head: UpstreamHead) => void) | undefined,
    private readonly reject: (err: unknown) => void,
  ) {
    if (!signal) return;
    if (signal.aborted) { this.abortReason = signal.reason; return; }
    this.onAbort = () => {
      this.abortReason = signal.reason;
      this.abortUpstream?.(signal.reason);
    };
    listen(signal, this.onAbort, true);
  }

  /** Aborts the exchange if it is still going (a body given up). */
  abort(reason: unknown): void {
    this.decoder?.destroy();
    this.abortUpstream?.(reason);
  }

  onConnect(abort: (reason: unknown) => void): void {
    if (this.abortReason !== undefined) { abort(this.abortReason); return; }
    this.abortUpstream = abort;
  }

  onHeaders(statusCode: number, raw: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true; // 100 Continue, 103 Early Hints: the answer follows
    let contentType = '';
    let contentEncoding: string | undefined;
    const headers: Record<string, string> = {};
    const forward = this.forward;
    for (let i = 0; i < raw.length; i += 2) {
      const key = raw[i]!;
      const first = key[0]! | 0x20;
      if (first === 0x63 /* c */ && key.length === 12) {
        if (key.toString('latin1').toLowerCase() === 'content-type') { contentType = raw[i + 1]!.toString('latin1'); continue; }
      }
      if (first === 0x63 /* c */ && key.length === 16) {
        if (key.toString('latin1').toLowerCase() === 'content-encoding') { contentEncoding = raw[i + 1]!.toString('latin1'); continue; }
      }
      // Most headers (date, connection, content-length, cf-*…) are passed over without a string.
      if (!forward.mayKeep(first)) continue;
      const as = forward.nameFor(key.toString('latin1').toLowerCase());
      if (as === undefined) continue;
      const value = raw[i + 1]!.toString('latin1');
      headers[as] = headers[as] === undefined ? value : `${headers[as]}, ${value}`;
    }
    const body = contentEncoding === undefined ? new UpstreamBody(resume, this) : this.decodingBody(contentEncoding, resume);
    this.body = body;
    const resolve = this.resolve!;
    this.resolve = undefined;
    resolve({ statusCode, contentType, headers, body });
    return true;
  }

  onData(chunk: Buffer): boolean {
    return this.decoder ? this.decoder.write(chunk) : this.body!.push(chunk);
  }

  onComplete(): void {
    this.done();
    if (this.decoder) this.decoder.end();
    else this.body!.end(undefined);
  }

  onError(err: unknown): void {
    this.done();
    this.decoder?.destroy();
    if (this.resolve) { this.resolve = undefined; this.reject(err); return; }
    this.body?.end(err ?? new Error('upstream request failed'));
  }

  /**
   * The body of an answer with a content-encoding: undici's chunks are decoded on their way in. A
   * coding Sluice cannot undo (or bytes that do not decode) ends the body with a
   * ContentDecodingError and gives the exchange up.
   */
  private decodingBody(contentEncoding: string, resume: () => void): UpstreamBody {
    const codings = codingsToUndo(contentEncoding);
    if (Array.isArray(codings) && codings.length === 0) return new UpstreamBody(resume, this);
    const body = new UpstreamBody(() => this.decoder?.resume(), this);
    if (!Array.isArray(codings)) {
      body.end(codings);
      // After onHeaders returns: undici is still inside its header callback here.
      queueMicrotask(() => this.abortUpstream?.(codings));
      return body;
    }
    this.decoder = new ContentDecoder(codings, {
      push: (chunk) => body.push(chunk),
      end: (error) => {
        body.end(error);
        if (error !== undefined) this.abort(error);
      },
    }, resume);
    return body;
  }

  private done(): void {
    if (this.onAbort) listen(this.signal!, this.onAbort, false);
  }
}

/** Adds or removes an abort listener on either kind of signal (see ../http/abort.ts). */
function listen(signal: AbortLike, listener: () => void, add: boolean): void {
  if (signal instanceof RequestAbort) {
    if (add) signal.on('abort', listener);
    else signal.removeListener('abort', listener);
  } else if (add) signal.addEventListener('abort', listener, { once: true });
  else signal.removeEventListener('abort', listener);
}

type Waiting<T> = { resolve(value: T): void; reject(err: unknown): void };

/**
 * A response body: read whole (`whole()`), or iterated chunk by chunk with back-pressure. `destroy()`
 * gives it up, aborting the upstream exchange if it is still going. `onClose` runs once, when the
 * body ended, failed or was given up.
 */
export class UpstreamBody implements AsyncIterable<Buffer> {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private paused = false;
  /** Set once the exchange is over: `null` for a complete body, else the error. */
  private outcome: unknown = undefined;
  private waiting: Waiting<IteratorResult<Buffer>> | undefined = undefined;
  private wholeWaiting: Waiting<Buffer> | undefined = undefined;
  private closeListener: (() => void) | undefined = undefined;
  private iterating = false;
  /** Set by `limit()`: past this many buffered bytes the body is given up with `tooLarge`. */
  private maxBytes = Infinity;
  private tooLarge: (() => Error) | undefined = undefined;

  constructor(private readonly resume: () => void, private readonly call: { abort(reason: unknown): void }) {}

  private get finished(): boolean { return this.outcome !== undefined; }

  onClose(listener: () => void): void {
    if (this.finished) listener();
    else this.closeListener = listener;
  }

  /** undici's onData: false asks it to pause the socket. */
  push(chunk: Buffer): boolean {
    if (this.finished) return true;
    const waiting = this.waiting;
    if (waiting && this.chunks.length === 0) {
      this.waiting = undefined;
      waiting.resolve({ value: chunk, done: false });
      return true;
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered > this.maxBytes) { this.giveUp(this.tooLarge!()); return true; }
    if (this.iterating && this.buffered > HIGH_WATER_MARK) this.paused = true;
    return !this.paused;
  }

  /**
   * A body read whole is held in memory whole: past `maxBytes` it is given up (the exchange
   * aborted) and `whole()` rejects with `error()`, so an upstream that answers without end cannot
   * exhaust the gateway's memory.
   */
  limit(maxBytes: number, error: () => Error): void {
    this.maxBytes = maxBytes;
    this.tooLarge = error;
    if (this.buffered <= maxBytes) return;
    if (!this.finished) { this.giveUp(error()); return; }
    // It all came with the headers: given up all the same.
    this.chunks = [];
    this.buffered = 0;
    this.outcome = error();
  }

  /** The exchange is over: `undefined` when complete, else why not. */
  end(error: unknown): void {
    if (this.finished) return;
    this.outcome = error === undefined ? null : error;
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) {
      if (error === undefined) waiting.resolve({ value: undefined, done: true });
      else waiting.reject(error);
    }
    const whole = this.wholeWaiting;
    this.wholeWaiting = undefined;
    if (whole) {
      if (error === undefined) whole.resolve(this.concat());
      else whole.reject(error);
    }
    const listener = this.closeListener;
    this.closeListener = undefined;
    listener?.();
  }

  /** The whole body, once it has arrived. */
  whole(): Promise<Buffer> {
    if (this.finished) {
      return this.outcome === null ? Promise.resolve(this.concat()) : Promise.reject(this.outcome);
    }
    return new Promise<Buffer>((resolve, reject) => { this.wholeWaiting = { resolve, reject }; });
  }

  /** The whole body if it has already arrived in full (then like `whole()`, without a promise), else undefined. */
  received(): Buffer | undefined {
    return this.outcome === null ? this.concat() : undefined;
  }

  /** Gives the body up: the upstream exchange is aborted if it is still going. */
  destroy(): void {
    this.giveUp(new Error('the response body was given up before its end'));
  }

  private giveUp(reason: Error): void {
    if (this.finished) return;
    this.chunks = [];
    this.buffered = 0;
    this.end(reason);
    this.call.abort(reason);
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    this.iterating = true;
    return {
      next: () => this.next(),
      return: () => { this.destroy(); return Promise.resolve({ value: undefined, done: true }); },
    };
  }

  private next(): Promise<IteratorResult<Buffer>> {
    const chunk = this.chunks.shift();
    if (chunk !== undefined) {
      this.buffered -= chunk.length;
      if (this.paused && this.buffered <= HIGH_WATER_MARK / 2) { this.paused = false; this.resume(); }
      return Promise.resolve({ value: chunk, done: false });
    }
    if (this.finished) {
      return this.outcome === null ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(this.outcome);
    }
    if (this.paused) { this.paused = false; this.resume(); }
    return new Promise<IteratorResult<Buffer>>((resolve, reject) => { this.waiting = { resolve, reject }; });
  }

  private concat(): Buffer {
    const chunks = this.chunks;
    this.chunks = [];
    this.buffered = 0;
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }
}
