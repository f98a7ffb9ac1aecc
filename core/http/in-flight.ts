// The data-plane requests still being answered, so a shutdown that cannot wait any longer can end
// each one properly — an in-stream error, or an HTTP error when nothing was sent yet — before the
// sockets are destroyed, instead of leaving clients with a bare connection reset.
import type { GatewayError } from '../errors.js';

/** A request that can be ended with `error`; `cut` resolves once what it wrote has left (or the client is gone). */
export interface Cuttable {
  cut(error: GatewayError): Promise<void>;
  /** The gateway is draining: this response is the connection's last (a client reusing it would only be refused). */
  lastOnConnection(): void;
  /** The list's links, kept on the request itself (InFlight's, not the request's to touch). */
  inFlightPrev: Cuttable | undefined;
  inFlightNext: Cuttable | undefined;
}

/**
 * A doubly linked list through the requests themselves: adding and removing is two pointer writes,
 * where a Set would hash each request object (its first hash allocates) on every request.
 */
export class InFlight {
  private head: Cuttable | undefined = undefined;
  private count = 0;

  add(request: Cuttable): void {
    request.inFlightPrev = undefined;
    request.inFlightNext = this.head;
    if (this.head) this.head.inFlightPrev = request;
    this.head = request;
    this.count++;
  }

  /** Removes `request` if it is in the list (removing twice is harmless). */
  delete(request: Cuttable): void {
    const { inFlightPrev: prev, inFlightNext: next } = request;
    if (prev) prev.inFlightNext = next;
    else if (this.head === request) this.head = next;
    else return; // not in the list
    if (next) next.inFlightPrev = prev;
    request.inFlightPrev = request.inFlightNext = undefined;
    this.count--;
  }

  get size(): number { return this.count; }

  /** Makes every open request's response the last on its connection (a drain has begun). */
  lastOnConnections(): void {
    for (let r = this.head; r; r = r.inFlightNext) r.lastOnConnection();
  }

  /** Cuts every request still open; resolves when all have flushed, or after `waitMs` at most. */
  async cutAll(error: GatewayError, waitMs: number): Promise<number> {
    const open: Cuttable[] = [];
    for (let r = this.head; r; r = r.inFlightNext) open.push(r);
    for (const r of open) this.delete(r);
    const pending = open.map((request) => request.cut(error).catch(() => undefined));
    if (pending.length === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(pending), new Promise((resolve) => { timer = setTimeout(resolve, waitMs); })]);
    clearTimeout(timer);
    return pending.length;
  }
}
