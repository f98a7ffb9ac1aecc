// A reference point between the floor and Sluice: what a framework plus JSON costs. koa in front,
// the same undici Pool behind; the request body is parsed and re-serialised, the answer parsed and
// handed to koa as an object (koa serialises it). No routing, no plugins, no logging.
//
// Run standalone: `node dist/bench/koa-proxy.js UPSTREAM_ORIGIN [port]` prints `{"url": …}`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import Koa from 'koa';
import { Pool } from 'undici';
import { readBody } from './bare-proxy.js';

export interface KoaProxy {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startKoaProxy(upstream: string, port = 0, connections = 128): Promise<KoaProxy> {
  const pool = new Pool(upstream, { connections, keepAliveTimeout: 30_000 });
  const app = new Koa();
  app.silent = true;
  app.use(async (ctx) => {
    const request = JSON.parse((await readBody(ctx.req)).toString('utf8')) as unknown;
    const up = await pool.request({
      method: 'POST',
      path: ctx.path,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    const answer = (await up.body.json()) as object;
    ctx.status = up.statusCode;
    ctx.body = answer;
  });
  const server = http.createServer(app.callback());
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
  if (!upstream) { process.stderr.write('usage: koa-proxy.js UPSTREAM_ORIGIN [port]\n'); process.exit(2); }
  const proxy = await startKoaProxy(upstream, Number(process.argv[3] ?? 0));
  process.stdout.write(JSON.stringify({ url: proxy.url, port: proxy.port }) + '\n');
  process.once('SIGTERM', () => { void proxy.close().then(() => process.exit(0)); });
}
