// What the data-plane handler and egress write an answer to: the part of node:http's
// ServerResponse they use. An HTTP request passes its ServerResponse itself (no wrapper, no cost);
// a Responses turn on a WebSocket passes one that sends each event as a message (socket-response.ts).
import type { OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';

export type SinkEvent = 'close' | 'drain' | 'finish';

export interface ResponseSink {
  statusCode: number;
  readonly headersSent: boolean;
  readonly destroyed: boolean;
  readonly writableEnded: boolean;
  readonly writableFinished: boolean;
  readonly writableNeedDrain: boolean;
  /** Whether the connection stays open after this answer (HTTP keep-alive; always false for a socket turn). */
  shouldKeepAlive: boolean;
  readonly socket: Socket | null;
  setHeader(name: string, value: number | string | readonly string[]): this;
  getHeader(name: string): number | string | string[] | undefined;
  writeHead(statusCode: number, headers?: OutgoingHttpHeaders): this;
  write(chunk: string): boolean;
  end(chunk?: string | Buffer): this;
  destroy(): this;
  on(event: SinkEvent, listener: () => void): this;
  once(event: SinkEvent, listener: () => void): this;
  off(event: SinkEvent, listener: () => void): this;
}
