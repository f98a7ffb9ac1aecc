// A PostgreSQL restart while serving (simulated by cutting a TCP proxy in front of the real server,
// so other tests sharing it are not disturbed): cached keys keep working, a key never seen gets a
// retryable 503 rather than a 401, and everything works again once the database is back.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import OpenAI from 'openai';
import { startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';
import { pgSchema } from '../plugins/auth/helpers.js';
import { authConfig, cli, cliKey, sleep } from './auth-helpers.js';

const PG = process.env['SLUICE_TEST_PG'];

/** A TCP proxy to PostgreSQL that can be cut (every connection dropped, new ones refused) and restored. */
async function cuttableProxy(target: URL): Promise<{ port: number; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let server: net.Server;
  let port = 0;
  const open = () => new Promise<void>((resolve) => {
    server = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, upstream]) { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => s.destroy()); }
      client.pipe(upstream).pipe(client);
    });
    server.listen(port, '127.0.0.1', () => { port = (server.address() as net.AddressInfo).port; resolve(); });
  });
  await open();
  const cut = async () => {
    await new Promise<void>((r) => { server.close(() => r()); for (const s of sockets) s.destroy(); });
  };
  return { port, cut, restore: open, close: cut };
}

async function ask(gw: TestGateway, key: string): Promise<{ status: number; code?: string; retryAfter?: string | null }> {
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
  try {
    await client.chat.completions.create({ model: 'loopback', messages: [{ role: 'user', content: 'ping' }] });
    return { status: 200 };
  } catch (err) {
    const e = err as { status: number; error: { code: string }; headers: Headers };
    if (e.status === 503) expect(e.headers.get('x-should-retry')).to.equal('true');
    return { status: e.status, code: e.error?.code, retryAfter: e.headers?.get('retry-after') };
  }
}

describe('auth: the database goes away while serving', function () {
  this.timeout(60_000);
  before(function () { if (!PG) this.skip(); });

  it('serves cached keys, answers unknown ones 503 (never 401), and recovers', async () => {
    const schema = await pgSchema();
    const proxy = await cuttableProxy(new URL(PG!));
    const viaProxy = new URL(schema.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const dir = tempDir('sluice-outage-');
    const yaml = authConfig({ storage: `  database: "${viaProxy.href}"`, auth: '{ mode: api_key, cache_ttl_ms: 300, lookup_timeout_ms: 1000 }' });
    const config = path.join(dir, 'sluice.yaml');
    writeFileSync(config, yaml);
    let gw: TestGateway | undefined;
    try {
      await cli(config, 'user', 'add', 'alice');
      const warm = await cliKey(config, '--user', 'alice');
      const cold = await cliKey(config, '--user', 'alice');
      gw = await startGateway(yaml, { dir });
      expect(await ask(gw, warm.key)).to.deep.equal({ status: 200 });

      await proxy.cut();
      await sleep(400); // past the TTL: the cached entry must be refreshed, and cannot be
      for (let i = 0; i < 5; i++) expect(await ask(gw, warm.key), `request ${i}`).to.deep.equal({ status: 200 });
      expect(await ask(gw, cold.key)).to.deep.equal({ status: 503, code: 'SLUICE_E_AUTH_UNAVAILABLE', retryAfter: '1' });
      const unknown = await ask(gw, 'sk-sluice-' + 'Q'.repeat(40));
      expect(unknown.status).to.equal(503);
      expect(gw.logs.some((l) => l.includes('serving cached verdicts'))).to.equal(true);

      await proxy.restore();
      let recovered = 0;
      const start = Date.now();
      while ((await ask(gw, cold.key)).status !== 200) {
        if (Date.now() - start > 10_000) throw new Error('no recovery within 10 s');
        await sleep(50);
      }
      recovered = Date.now() - start;
      expect(recovered).to.be.below(5000);
      expect(await ask(gw, warm.key)).to.deep.equal({ status: 200 });
      expect((await ask(gw, 'sk-sluice-' + 'Q'.repeat(40))).status).to.equal(401);
    } finally {
      await gw?.close();
      await proxy.close();
      await schema.drop();
    }
  });
});
