// The floor: the least a Node pass-through proxy can do — node:http in front, one keep-alive undici
// Pool behind (the same client and pool size Sluice uses per provider), the request body streamed
// to the upstream and the response piped back. No framework, no parsing, no logging.
//
// Run standalone: `node dist/bench/bare-proxy.js UPSTREAM_ORIGIN [port] [streamed|buffered]` prints `{"url": …}`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { Pool } from 'undici';

export interface BareProxy {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** `upstream` is an origin such as http://127.0.0.1:9000; request paths are forwarded as they are. */
/**
 * `streamed` pipes bodies both ways; `buffered` reads each (small) body whole and writes it in one
 * go, which on small JSON bodies is cheaper than stream machinery — the lower of the two floors.
 */
export type BareMode = 'streamed' | 'buffered';

function collect(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

export async function startBareProxy(upstream: string, port = 0, mode: BareMode = 'streamed', connections = 128): Promise<BareProxy> {
  const pool = new Pool(upstream, { connections, keepAliveTimeout: 30_000 });
  const server = http.createServer((req, res) => {
    const headers: Record<string, string> = { 'content-type': req.headers['content-type'] ?? 'application/json' };
    if (req.headers['content-length'] !== undefined) headers['content-length'] = req.headers['content-length'];
    const forward = (body: Buffer | http.IncomingMessage) => pool.request({ method: req.method as 'POST', path: req.url!, headers, body });
    const sent = mode === 'streamed' ? forward(req) : collect(req).then(forward);
    sent.then(
      (up) => {
        const out: Record<string, string> = {};
        const type = up.headers['content-type'];
        const length = up.headers['content-length'];
        if (typeof type === 'string') out['content-type'] = type;
        if (typeof length === 'string') out['content-length'] = length;
        res.writeHead(up.statusCode, out);
        if (mode === 'streamed') pipeline(up.body, res, () => { /* client gone or upstream cut: nothing to clean up */ });
        else up.body.arrayBuffer().then((ab) => res.end(Buffer.from(ab)), () => res.destroy());
      },
      () => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"upstream unavailable"}}');
      },
    );
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
  if (!upstream) { process.stderr.write('usage: bare-proxy.js UPSTREAM_ORIGIN [port] [streamed|buffered]\n'); process.exit(2); }
  const mode = (process.argv[4] ?? 'streamed') as BareMode;
  const proxy = await startBareProxy(upstream, Number(process.argv[3] ?? 0), mode);
  process.stdout.write(JSON.stringify({ url: proxy.url, port: proxy.port }) + '\n');
  process.once('SIGTERM', () => { void proxy.close().then(() => process.exit(0)); });
}
