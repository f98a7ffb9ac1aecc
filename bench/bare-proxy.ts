// The floor: the least a Node proxy in front of a JSON API can do — node:http in front, one
// keep-alive undici Pool behind (the same client and pool size Sluice uses per provider), each small
// body read whole and written with one `end(buffer)` call. No framework, no parsing, no logging.
// (Piping bodies through streams costs more than buffering them at these sizes, which made an
// earlier piping floor slow enough to flatter whatever was compared with it.)
//
// Run standalone: `node dist/bench/bare-proxy.js UPSTREAM_ORIGIN [port]` prints `{"url": …}`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { Pool } from 'undici';

export interface BareProxy {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A whole (small) body: one chunk as it came, several concatenated once. */
export function readBody(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

const UNAVAILABLE = Buffer.from('{"error":{"message":"upstream unavailable"}}');

/** `upstream` is an origin such as http://127.0.0.1:9000; request paths are forwarded as they are. */
export async function startBareProxy(upstream: string, port = 0, connections = 128): Promise<BareProxy> {
  const pool = new Pool(upstream, { connections, keepAliveTimeout: 30_000 });
  const server = http.createServer((req, res) => {
    readBody(req)
      .then((body) => pool.request({
        method: req.method as 'POST',
        path: req.url!,
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json', 'content-length': String(body.length) },
        body,
      }))
      .then(async (up) => {
        const answer = await readBody(up.body);
        const type = up.headers['content-type'];
        res.writeHead(up.statusCode, { 'content-type': typeof type === 'string' ? type : 'application/json', 'content-length': answer.length });
        res.end(answer);
      })
      .catch(() => {
        if (res.headersSent) { res.destroy(); return; }
        res.writeHead(502, { 'content-type': 'application/json', 'content-length': UNAVAILABLE.length });
        res.end(UNAVAILABLE);
      });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    close: async () => {
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
      await pool.close();
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const upstream = process.argv[2];
  if (!upstream) { process.stderr.write('usage: bare-proxy.js UPSTREAM_ORIGIN [port]\n'); process.exit(2); }
  const proxy = await startBareProxy(upstream, Number(process.argv[3] ?? 0));
  process.stdout.write(JSON.stringify({ url: proxy.url, port: proxy.port }) + '\n');
  process.once('SIGTERM', () => { void proxy.close().then(() => process.exit(0)); });
}
