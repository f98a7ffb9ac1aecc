// A request's abort without an AbortController until someone asks for one. Every data-plane
// request must be abortable (the client leaves, the shutdown deadline cuts it), but an
// AbortController costs an EventTarget, its listener map, and undici's addEventListener and
// removeEventListener around each upstream call: several µs and ~1.7 KB per request that almost
// never aborts. undici takes an EventEmitter-shaped signal (`on`/`once`/`removeListener`,
// `aborted`, `reason`) as readily as an AbortSignal, so the HTTP provider gets this object, and
// `exchange.signal` (the public AbortSignal) is made on first use, already aborted if it is late.

/** Where the HTTP provider finds the request's RequestAbort on its SendContext (core-internal, not in the public type). */
export const UPSTREAM_ABORT: unique symbol = Symbol('sluice.upstreamAbort');

/** What the HTTP provider hands undici: an AbortSignal, or a RequestAbort. */
export type AbortLike = AbortSignal | RequestAbort;

type Listener = () => void;

export class RequestAbort {
  aborted = false;
  /** What an AbortController would give as its reason: an `AbortError` DOMException. */
  reason: unknown = undefined;
  private controller: AbortController | undefined = undefined;
  private listeners: Listener[] | undefined = undefined;

  /** The public AbortSignal, made on first use. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new DOMException('This operation was aborted', 'AbortError');
    this.controller?.abort(this.reason);
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }

  // The EventEmitter surface undici uses (util.addAbortListener): listeners of 'abort' only, each
  // called once.
  on(event: string, listener: Listener): this {
    if (event === 'abort' && !this.aborted) (this.listeners ??= []).push(listener);
    return this;
  }

  once(event: string, listener: Listener): this {
    return this.on(event, listener);
  }

  addListener(event: string, listener: Listener): this {
    return this.on(event, listener);
  }

  removeListener(event: string, listener: Listener): this {
    const list = this.listeners;
    if (event !== 'abort' || !list) return this;
    const i = list.indexOf(listener);
    if (i >= 0) list.splice(i, 1);
    return this;
  }

  off(event: string, listener: Listener): this {
    return this.removeListener(event, listener);
  }
}
