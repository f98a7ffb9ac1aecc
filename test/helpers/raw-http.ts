// Raw HTTP/1.1 over a socket, for what fetch will not send: malformed request lines and headers,
// stalled or oversized bodies, and for watching when the server closes the connection.
import net from 'node:net';

export interface RawResult {
  /** Everything the server sent. */
  text: string;
  status: number | undefined;
  headers: Record<string, string>;
  body: string;
  /** ms from connect until the server closed the socket (undefined: still open when we gave up). */
  closedAfterMs: number | undefined;
}

export interface RawOptions {
  /** Later writes: [ms after connect, bytes]; null closes our side abruptly. */
  writes?: [number, string | Buffer | null][];
  /** Give up (and destroy the socket) after this long. */
  waitMs?: number;
}

export function rawRequest(port: number, payload: string | Buffer, opts: RawOptions = {}): Promise<RawResult> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const started = Date.now();
    const chunks: Buffer[] = [];
    const timers: NodeJS.Timeout[] = [];
    let weClosed = false;
    const closeOurselves = () => { weClosed = true; socket.destroy(); };
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => { /* a reset is an answer too: 'close' reports it */ });
    socket.on('close', () => {
      for (const t of timers) clearTimeout(t);
      resolve(parseResponse(Buffer.concat(chunks).toString('latin1'), weClosed ? undefined : Date.now() - started));
    });
    if (payload.length) socket.write(payload);
    for (const [ms, bytes] of opts.writes ?? []) {
      timers.push(setTimeout(() => {
        if (socket.destroyed) return;
        if (bytes === null) closeOurselves(); else socket.write(bytes);
      }, ms));
    }
    timers.push(setTimeout(() => { if (!socket.destroyed) closeOurselves(); }, opts.waitMs ?? 3000));
  });
}

function parseResponse(text: string, closedAfterMs: number | undefined): RawResult {
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const [statusLine, ...lines] = head.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1];
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = end < 0 ? '' : text.slice(end + 4);
  const length = Number(headers['content-length']);
  if (Number.isFinite(length)) body = body.slice(0, length);
  return { text, status: status === undefined ? undefined : Number(status), headers, body: Buffer.from(body, 'latin1').toString('utf8'), closedAfterMs };
}
