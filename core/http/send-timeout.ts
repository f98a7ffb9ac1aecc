// The write-stall timeout (server.send_timeout_ms, nginx's send_timeout): a client that stops
// reading its answer — stalled, asleep, or holding the connection on purpose — must not keep its
// connection, its upstream request and its buffers for ever. Watched only while a write is held
// back (a write returned false, or an answer ended with bytes still queued): one timer per such
// wait, none per chunk. Progress is any byte leaving for the kernel, so a slow reader that keeps
// reading is never cut, however slowly it drains.
import type { Duplex } from 'node:stream';
import { GatewayError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { ResponseSink } from './response-sink.js';

/**
 * What libuv still holds of the write in progress (Node's own socket timeout reads the same field
 * to tell a slow write from a stalled one): a large write moves in pieces, each of which is
 * progress, though the write completes only at its end. Read defensively: without it, progress is
 * seen write by write.
 */
interface WriteQueue { _handle?: { writeQueueSize?: unknown } | null }

/** How many checks a timeout is split into: a stall is seen between send_timeout_ms and a quarter more. */
const CHECKS = 4;

export class SendWatch {
  private timer: NodeJS.Timeout | undefined = undefined;
  private sent = 0;
  private queued = 0;
  private movedAt = 0;

  /**
   * `settled`: nothing is held back any more (drained, finished, or closed). `stalled`: nothing
   * left for the client for `ms` while something was held back; called once.
   */
  constructor(private readonly socket: Duplex, private readonly ms: number, private readonly settled: () => boolean, private readonly stalled: () => void) {}

  /** Whether a held-back write is being watched. */
  get armed(): boolean {
    return this.timer !== undefined;
  }

  /** A write was held back: counts from now, unless already counting. */
  arm(): void {
    if (this.timer !== undefined) return;
    this.moved();
    this.movedAt = performance.now();
    this.timer = setTimeout(this.check, Math.max(1, Math.ceil(this.ms / CHECKS)));
    this.timer.unref(); // the socket itself keeps the process up while it is open
  }

  /** What was held back has left (a 'drain'). */
  disarm(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Whether bytes left for the client since the last look. */
  private moved(): boolean {
    const s = this.socket;
    // bytesWritten counts what was handed to the socket; writableLength what it has not finished
    // writing: their difference only grows, and only as writes complete.
    const sent = ((s as { bytesWritten?: number }).bytesWritten ?? 0) - s.writableLength;
    const q = (s as WriteQueue)._handle?.writeQueueSize;
    const queued = typeof q === 'number' ? q : 0;
    const moved = sent !== this.sent || queued !== this.queued;
    this.sent = sent;
    this.queued = queued;
    return moved;
  }

  private readonly check = (): void => {
    const timer = this.timer;
    if (timer === undefined) return;
    if (this.settled()) { this.timer = undefined; return; }
    const now = performance.now();
    if (this.moved()) this.movedAt = now;
    else if (now - this.movedAt >= this.ms) {
      this.timer = undefined;
      this.stalled();
      return;
    }
    timer.refresh();
  };
}

/** Why a stalled client's request ended: recorded as a client disconnect, with this code and message. */
export function sendTimedOut(ms: number): GatewayError {
  return new GatewayError('SLUICE_E_CLIENT_CLOSED', `the client read none of the answer for ${ms} ms (server.send_timeout_ms); the connection was closed`);
}

/** The log line of a connection closed for a stall (`request_id` when one request's answer was held). */
export function logStall(logger: Logger, ms: number, requestId?: string): void {
  logger.info('client stopped reading its answer: connection closed', requestId === undefined ? { send_timeout_ms: ms } : { request_id: requestId, send_timeout_ms: ms });
}

/** Answers closed for a stall, with the reason: the request's record says it (handler.ts). */
const stalls = new WeakMap<ResponseSink, GatewayError>();

export function markStalled(res: ResponseSink, error: GatewayError): void {
  stalls.set(res, error);
}

/** Why `res` was closed, if the send timeout closed it. */
export function stallOf(res: ResponseSink): GatewayError | undefined {
  return stalls.get(res);
}

/**
 * Watches an HTTP answer whose bytes are held back: while a write waits for 'drain', and once
 * ended, until its last byte has left. Destroys the connection when the client stopped reading.
 * Undefined when there is no socket to watch, or no timeout. `onStall`: said before it is closed
 * (a data-plane answer is logged by its handler instead, which records it).
 */
export function watchAnswer(res: ResponseSink, ms: number, onStall?: () => void): SendWatch | undefined {
  const socket = res.socket;
  if (!socket || !(ms > 0)) return undefined;
  return new SendWatch(socket, ms,
    () => res.destroyed || res.writableFinished || (!res.writableEnded && !res.writableNeedDrain),
    () => { markStalled(res, sendTimedOut(ms)); onStall?.(); res.destroy(); });
}
