// A response whose head went out promising keep-alive before a shutdown began (a stream in flight)
// cannot tell its client the connection is closing: only ending the connection says so. Ended the
// moment the response completes, it meets the proxy's next request on the way: the proxy took the
// connection back as reusable, and its keep-alive pool hands out the connection it got back last,
// so that next request goes out on it at once — nginx's 502 "upstream prematurely closed
// connection", which it does not retry for a POST. Such a connection therefore carries one more
// request, answered as its last (`connection: close`), and is ended only once none came for a while.
import type { Socket } from 'node:net';

/**
 * How long a connection waits for that request. A proxy with requests to send reuses the
 * connection within a few milliseconds; one without any has nothing to lose to the close after.
 */
export const LAST_REQUEST_WAIT_MS = 250;

export class LastRequests {
  private readonly waiting = new Map<Socket, NodeJS.Timeout>();
  private ended = false;

  /**
   * `leftToClients`: true while a shutdown leaves open connections to their clients (server.ts):
   * the connection is then idle like any other, served as its last if a request comes, and closed
   * by the client or with the idle ones after that — not ended by this side after a moment, which
   * could cross the request a proxy is sending on it.
   */
  constructor(private readonly waitMs = LAST_REQUEST_WAIT_MS, private readonly leftToClients: () => boolean = () => false) {}

  /** The response on `socket` is complete: one more request may come; the socket is ended if none does. */
  await(socket: Socket): void {
    if (this.ended) { socket.end(); return; }
    if (this.leftToClients()) return;
    if (this.waiting.has(socket) || socket.destroyed) return;
    const timer = setTimeout(() => { this.waiting.delete(socket); socket.end(); }, this.waitMs);
    this.waiting.set(socket, timer);
    socket.once('close', () => { clearTimeout(timer); this.waiting.delete(socket); });
  }

  /** A request arrived on `socket`: true when it is that last request (served even while draining). */
  take(socket: Socket): boolean {
    const timer = this.waiting.get(socket);
    if (timer === undefined) return false;
    clearTimeout(timer);
    this.waiting.delete(socket);
    return true;
  }

  /** The shutdown deadline: requests are being cut, so none more is taken on; waiting connections end now. */
  endAll(): void {
    this.ended = true;
    for (const [socket, timer] of this.waiting) { clearTimeout(timer); socket.end(); }
    this.waiting.clear();
  }

  /** Some connection still waits for its last request (the idle sweep must leave it open). */
  get awaiting(): boolean { return this.waiting.size > 0; }
}
