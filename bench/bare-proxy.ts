// The floor: the least a Node pass-through proxy can do — node:http in front, one keep-alive undici
// Pool behind (the same client and pool size Sluice uses per provider), the request body streamed
// to the upstream and the response piped back. No framework, no parsing, no logging.
//
// Run standalone: `node dist/bench/bare-proxy.js UPSTREAM_ORIGIN [port]` prints `{"url": …}`.
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
export async function startBareProxy(upstream: string, port = 0, connections = 128): Promise<BareProxy> {
  const pool = new Pool(upstream, { connections, keepAliveTimeout: 30_000 });
  const server = http.createServer((req, res) => {
    const headers: Record<string, string> = { 'content-type': req.headers['content-type'] ?? 'application/json' };
    if (req.headers['content-length'] !== undefined) headers['content-length'] = req.headers['content-length'];
    pool.request({ method: req.method as 'POST', path: req.url!, headers, body: req }).then(
      (up) => {
        const out: Record<string, string> = {};
        const type = up.headers['content-type'];
        const length = up.headers['content-length'];
        if (typeof type === 'string') out['content-type'] = type;
        if (typeof length === 'string') out['content-length'] = length;
        res.writeHead(up.statusCode, out);
        pipeline(up.body, res, () => { /* client gone or upstream cut: nothing to clean up here */ });
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
  if (!upstream) { process.stderr.write('usage: bare-proxy.js UPSTREAM_ORIGIN [port]\n'); process.exit(2); }
  const proxy = await startBareProxy(upstream, Number(process.argv[3] ?? 0));
  process.stdout.write(JSON.stringify({ url: proxy.url, port: proxy.port }) + '\n');
  process.once('SIGTERM', () => { void proxy.close().then(() => process.exit(0)); });
}
