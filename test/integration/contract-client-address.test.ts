// The client address, from a plugin's side: `exchange.peerAddress` is the TCP peer,
// `exchange.clientAddress` what `server.trust_proxy` makes of X-Forwarded-For read from the right —
// so the left-most entry, which the client writes itself, is never believed — and the same address
// is in the access log and in onRequest, for requests refused before the chain too.
import { expect } from 'chai';
import http from 'node:http';
import WebSocket from 'ws';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { logLineFor, waitFor } from '../helpers/contract-kit.js';
import { rawRequest } from '../helpers/raw-http.js';

const PLUGIN = `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'where-from', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  setup: (o, host) => ({
    middleware: async ({ exchange }, next) => {
      (globalThis.__whereFrom ??= {})[exchange.id] = { peer: exchange.peerAddress, client: exchange.clientAddress, trusted: host.isTrustedProxy(exchange.peerAddress) };
      await next();
    },
    onRequest(r) { (globalThis.__whereRecorded ??= {})[r.id] = r.clientAddress; },
  }) });`;

declare global {
  // eslint-disable-next-line no-var
  var __whereFrom: Record<string, { peer: string; client: string; trusted: boolean }> | undefined;
  // eslint-disable-next-line no-var
  var __whereRecorded: Record<string, string> | undefined;
}

/** A request with hand-written forwarding headers (an array sends the header once per entry). */
function send(gw: TestGateway, id: string, forwardedFor: string | string[] | undefined, path = '/v1/chat/completions'): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'x-request-id': id };
    if (forwardedFor !== undefined) headers['x-forwarded-for'] = forwardedFor;
    const req = http.request(`${gw.url}${path}`, { method: 'POST', headers }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode!)); });
    req.on('error', reject);
    req.end(JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'hi' }] }));
  });
}

interface Case { what: string; xff: string | string[] | undefined; client: string }

function suite(title: string, trustProxy: string, trusted: boolean, cases: Case[]) {
  describe(`contract: client address with trust_proxy: ${title}`, () => {
    let gw: TestGateway;
    before(async () => {
      globalThis.__whereFrom = {};
      globalThis.__whereRecorded = {};
      gw = await startGateway(config({
        server: `  shutdown_grace_ms: 200\n  trust_proxy: ${trustProxy}\n`,
        chain: '  - use: ./where-from.js\n  - use: router\n    with: { default: local }',
      }), { files: { 'where-from.js': PLUGIN } });
    });
    after(async () => { await gw.close(); });

    cases.forEach((c, i) => {
      it(c.what, async () => {
        const id = `where-${title.replace(/\W+/g, '-')}-${i}`;
        expect(await send(gw, id, c.xff)).to.equal(200);
        expect(globalThis.__whereFrom![id]).to.deep.equal({ peer: '127.0.0.1', client: c.client, trusted });
        expect((await logLineFor(gw, id)).client).to.equal(c.client);
        expect(await waitFor(() => globalThis.__whereRecorded![id], 'onRequest')).to.equal(c.client);
      });
    });

    // A proxy is trusted at all (whether or not this peer is one): then one stands in front.
    const proxied = trustProxy !== 'false';
    it(proxied ? 'warns at start that whoever reaches the proxy uses the gateway without a key (no auth plugin)' : 'does not warn when it trusts no proxy', () => {
      const warned = gw.logs.some((l) => l.includes('server.trust_proxy is set and no plugin authenticates'));
      expect(warned).to.equal(proxied);
    });

    it('a request refused before the chain is recorded with the same resolution', async () => {
      const id = `where-${title.replace(/\W+/g, '-')}-404`;
      const c = cases[cases.length - 1]!;
      expect(await send(gw, id, c.xff, '/v1/not-an-endpoint')).to.equal(404);
      expect(globalThis.__whereFrom![id]).to.equal(undefined); // never reached the chain
      expect((await logLineFor(gw, id)).client).to.equal(c.client);
      expect(await waitFor(() => globalThis.__whereRecorded![id], 'onRequest')).to.equal(c.client);
    });

    // Codex's turns on the Responses WebSocket come through the same proxies: each turn is resolved
    // from the upgrade's forwarding headers, as an HTTP request's would be.
    it('a turn on the Responses WebSocket is resolved from the upgrade\'s forwarding headers', async () => {
      const c = cases[cases.length - 1]!;
      const xff = c.xff === undefined ? [] : Array.isArray(c.xff) ? c.xff : [c.xff];
      const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/v1/responses`, { headers: xff.length ? { 'x-forwarded-for': xff.join(', ') } : {} });
      const id = await new Promise<string>((resolve, reject) => {
        ws.once('open', () => ws.send(JSON.stringify({ type: 'response.create', model: 'loopback', input: 'where am I' })));
        ws.on('message', (d) => {
          const m = JSON.parse(d.toString()) as { type: string };
          if (m.type !== 'response.completed') return;
          ws.close();
          const seen = Object.entries(globalThis.__whereFrom!).filter(([k]) => !k.startsWith('where-'));
          resolve(seen.at(-1)![0]);
        });
        ws.once('error', reject);
      });
      expect(globalThis.__whereFrom![id]).to.deep.equal({ peer: '127.0.0.1', client: c.client, trusted });
      expect((await logLineFor(gw, id)).client).to.equal(c.client);
      expect(await waitFor(() => globalThis.__whereRecorded![id], 'onRequest')).to.equal(c.client);
    });

    // A proxy that passes WebSocket upgrades on (Caddy, Traefik do by default) brings upgrades
    // here; a refused one's 426 belongs to the client, not to the proxy's address.
    it('a refused WebSocket upgrade (426) is recorded with the same resolution', async () => {
      const id = `where-${title.replace(/\W+/g, '-')}-426`;
      const c = cases[cases.length - 1]!;
      const xff = c.xff === undefined ? [] : Array.isArray(c.xff) ? c.xff : [c.xff];
      const head = ['GET /v1/chat/completions HTTP/1.1', 'host: x', 'connection: Upgrade', 'upgrade: websocket', 'sec-websocket-version: 13',
        'sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==', `x-request-id: ${id}`, ...xff.map((v) => `x-forwarded-for: ${v}`)];
      expect((await rawRequest(Number(new URL(gw.url).port), `${head.join('\r\n')}\r\n\r\n`)).status).to.equal(426);
      expect((await logLineFor(gw, id)).client).to.equal(c.client);
      expect(await waitFor(() => globalThis.__whereRecorded![id], 'onRequest')).to.equal(c.client);
    });
  });
}

// The test client is the peer (127.0.0.1), standing in for the reverse proxy in front of Sluice.
suite('false', 'false', false, [
  { what: 'X-Forwarded-For is ignored: the client is the peer', xff: '203.0.113.7', client: '127.0.0.1' },
]);

suite('{ hops: 1 }', '{ hops: 1 }', true, [
  { what: 'the entry the one proxy appended is the client', xff: '203.0.113.7', client: '203.0.113.7' },
  { what: 'a client-written left-most entry is not believed', xff: '6.6.6.6, 203.0.113.7', client: '203.0.113.7' },
  { what: 'nor when the client sends its own header line before the proxy\'s', xff: ['6.6.6.6', '203.0.113.7'], client: '203.0.113.7' },
  // The proxy always appends an address: garbage in its place means it did not, and everything
  // left of it is the client's own writing — the peer is the last address we can verify.
  { what: 'garbage where the proxy\'s entry should be does not fall back to the left-most entry', xff: '6.6.6.6, not-an-ip', client: '127.0.0.1' },
  { what: 'no header: the peer', xff: undefined, client: '127.0.0.1' },
]);

suite('a CIDR list with the peer in it', '["127.0.0.0/8", "10.0.0.0/8"]', true, [
  { what: 'trusted hops are skipped from the right; the first untrusted one is the client', xff: '6.6.6.6, 198.51.100.9, 10.1.2.3', client: '198.51.100.9' },
  { what: 'a forged trusted-looking entry on the left does not move it', xff: '10.9.9.9, 198.51.100.9', client: '198.51.100.9' },
  { what: 'garbage in the header stops at the last verifiable address', xff: 'not-an-ip, 10.1.2.3', client: '10.1.2.3' },
]);

suite('a CIDR list without the peer', '["10.0.0.0/8"]', false, [
  { what: 'an untrusted peer\'s header is not read at all', xff: '198.51.100.9, 10.1.2.3', client: '127.0.0.1' },
]);
