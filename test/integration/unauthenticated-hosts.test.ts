// A gateway with no authentication listens on loopback only, but a web page anywhere can still
// reach it: the page's site points its own host name at 127.0.0.1 (DNS rebinding), and the browser
// then treats the gateway as the page's own origin — its same-origin GETs carry no Origin, only the
// page's name in `Host`. So without authentication, a request addressed to a name that is not this
// machine's (loopback, or server.allowed_hosts) is refused: /v1/models, /metrics and /admin too.
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { openDatabase } from '../../core/storage/database.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { Client } from '../helpers/socket-client.js';
import { until } from '../plugins/ledger/client.js';

interface Answer { status: number; body: string; headers: http.IncomingHttpHeaders }

/** node:http, since fetch will not send a `Host` of its own choosing. */
function send(url: string, method: string, path: string, headers: Record<string, string>, body?: object): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode!, body: text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const REBOUND = 'attacker.example';
const SECRET = 'sk-proj-hostTestSecretValue1234567890abcdef';
const ADMIN_KEY = 'admin-key-for-host-test-0123456789';

describe('an unauthenticated gateway and the Host it is addressed by (DNS rebinding)', function () {
  this.timeout(30_000);

  describe('no auth plugin', () => {
    let gw: TestGateway;
    let port: string;
    before(async () => {
      gw = await startGateway(`storage: { database: "sqlite:./ledger.db" }
admin: { key: ${ADMIN_KEY} }
logging: { level: debug }
providers:
  local: { type: loopback }
chain:
  - use: router
    with: { default: local }
  - use: translator
  - use: ledger
    with: { flush_interval_ms: 50 }
server:
  shutdown_grace_ms: 200
  allowed_hosts: [sluice.internal, "*.dev.internal", 10.0.0.5]
`);
      port = new URL(gw.url).port;
    });
    after(async () => { await gw.close(); });

    it('refuses what a rebound page reads with same-origin GETs (no Origin): models, metrics, admin, each in its envelope', async () => {
      const host = `${REBOUND}:${port}`;
      const models = await send(gw.url, 'GET', '/v1/models', { host });
      expect(models.status).to.equal(403);
      expect(JSON.parse(models.body)).to.have.nested.include({ 'error.type': 'permission_error', 'error.code': 'SLUICE_E_FORBIDDEN' });
      expect(models.body).to.match(/Host header/).and.not.match(/loopback"/);
      expect(models.headers['x-sluice-error-code']).to.equal('SLUICE_E_FORBIDDEN');
      const metrics = await send(gw.url, 'GET', '/metrics', { host });
      expect(metrics.status).to.equal(403);
      expect(metrics.body).to.not.match(/sluice_/);
      const admin = await send(gw.url, 'GET', '/admin/usage', { host, authorization: `Bearer ${ADMIN_KEY}` });
      expect(admin.status).to.equal(403);
      const gemini = await send(gw.url, 'GET', '/v1beta/models', { host });
      expect(gemini.status).to.equal(403);
      expect(JSON.parse(gemini.body)).to.have.nested.include({ 'error.status': 'PERMISSION_DENIED', 'error.code': 403 });
      const anthropic = await send(gw.url, 'POST', '/v1/messages', { host, 'anthropic-version': '2023-06-01' }, { model: 'loopback', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
      expect(anthropic.status).to.equal(403);
      expect(JSON.parse(anthropic.body)).to.deep.include({ type: 'error' }).and.to.have.nested.include({ 'error.type': 'permission_error' });
      expect(anthropic.body).to.not.match(/Loopback reply/);
      // A name is refused with any port, in any case, with a trailing dot.
      for (const h of [REBOUND, 'ATTACKER.example.', '127.0.0.1.nip.io', 'localhost.attacker.example', '192.168.1.20:8081', '[fd00::1]:80']) {
        expect((await send(gw.url, 'GET', '/v1/models', { host: h })).status, h).to.equal(403);
      }
    });

    it('logs and records the refusal like any refusal before the chain, without the request\'s key', async () => {
      const refused = await send(gw.url, 'POST', `/v1/chat/completions?key=${SECRET}`, { host: `${REBOUND}:${port}`, authorization: `Bearer ${SECRET}` },
        { model: 'loopback', messages: [{ role: 'user', content: `my key is ${SECRET}` }] });
      expect(refused.status).to.equal(403);
      const id = refused.headers['x-request-id'] as string;
      const line = gw.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['msg'] === 'request' && l['request_id'] === id);
      expect(line).to.include({ status: 403, endpoint: 'openai.chat' });
      expect(gw.logs.join('\n')).to.not.include(SECRET);
      const knex = openDatabase('sqlite:./ledger.db', gw.dir);
      try {
        let rows: { status: number; outcome: string; error_code: string }[] = [];
        await until(async () => {
          rows = await knex('ledger_requests').where('request_id', id).select('status', 'outcome', 'error_code');
          return rows.length === 1;
        });
        expect(rows[0]).to.include({ status: 403, error_code: 'SLUICE_E_FORBIDDEN' });
      } finally {
        await knex.destroy();
      }
    });

    it('answers loopback names and addresses with any port, and the names the operator listed', async () => {
      for (const host of ['localhost', `localhost:${port}`, 'LocalHost.', `127.0.0.1:${port}`, '127.8.9.10', '[::1]', `[::1]:${port}`, 'app.localhost:3000',
        // The unspecified addresses as a destination are this machine (`curl http://0.0.0.0:8081`); no page elsewhere has them as its name.
        `0.0.0.0:${port}`, '[::]',
        'sluice.internal', `Sluice.Internal:${port}`, 'codex.dev.internal', `a.b.dev.internal:${port}`, '10.0.0.5:8081']) {
        expect((await send(gw.url, 'GET', '/v1/models', { host })).status, host).to.equal(200);
        expect((await send(gw.url, 'GET', '/metrics', { host })).status, host).to.equal(200);
      }
      // `*.dev.internal` names what is under it, not itself nor a name that merely ends alike.
      for (const host of ['dev.internal', 'evildev.internal', 'sluice.internal.attacker.example']) {
        expect((await send(gw.url, 'GET', '/v1/models', { host })).status, host).to.equal(403);
      }
    });

    it('a listed name is this machine for the Origin rule too', async () => {
      const body = { model: 'loopback', messages: [{ role: 'user', content: 'hi' }] };
      expect((await send(gw.url, 'POST', '/v1/chat/completions', { host: `sluice.internal:${port}`, origin: 'http://sluice.internal:3000' }, body)).status).to.equal(200);
      expect((await send(gw.url, 'POST', '/v1/chat/completions', { host: `sluice.internal:${port}`, origin: 'https://evil.test' }, body)).status).to.equal(403);
    });

    it('still answers probes under any name (they hold nothing a page could use)', async () => {
      expect((await send(gw.url, 'GET', '/health', { host: REBOUND })).status).to.equal(200);
      expect((await send(gw.url, 'GET', '/ready', { host: REBOUND })).status).to.equal(200);
    });

    it('refuses the Responses WebSocket (Codex) under a foreign name, and opens it under a local one', async () => {
      const foreign = await Client.open(gw.url, { host: `${REBOUND}:${port}` }).catch((e: { status: number; body: string }) => e);
      expect(foreign).to.include({ status: 403 });
      expect(JSON.parse((foreign as { body: string }).body)).to.have.nested.include({ 'error.code': 'SLUICE_E_FORBIDDEN' });
      expect((foreign as { body: string }).body).to.match(/Host header/);
      const local = await Client.open(gw.url, { host: `localhost:${port}` });
      local.close();
    });

    it('a listener bound beyond loopback (admin, metrics) is reached by its address: any Host', async () => {
      for (const [bound, status] of [['0.0.0.0', 200], ['127.0.0.1', 403]] as const) {
        const server = http.createServer(gw.gateway.handlerFor(['metrics'], bound));
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        try {
          const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
          expect((await send(url, 'GET', '/metrics', { host: '10.1.2.3:9090' })).status, bound).to.equal(status);
        } finally {
          server.closeAllConnections();
          await new Promise((r) => server.close(r));
        }
      }
    });
  });

  describe('when the operator opened the gateway on purpose or it authenticates', () => {
    it('allow_unauthenticated_remote: true answers any Host', async () => {
      const gw = await startGateway(config({ server: '  shutdown_grace_ms: 200\n  allow_unauthenticated_remote: true\n' }));
      try {
        expect((await send(gw.url, 'GET', '/v1/models', { host: REBOUND })).status).to.equal(200);
        expect((await send(gw.url, 'GET', '/metrics', { host: REBOUND })).status).to.equal(200);
      } finally {
        await gw.close();
      }
    });

    it('with auth the key decides, whatever the Host; allowed_hosts is said to have no effect', async () => {
      const gw = await startGateway(`providers:\n  local: { type: loopback }\nchain:\n  - use: auth\n    with: { mode: api_key }\n  - use: router\n    with: { default: local }\nstorage: { database: "sqlite::memory:" }\nserver: { shutdown_grace_ms: 200, allowed_hosts: [sluice.internal] }\n`);
      try {
        expect((await send(gw.url, 'GET', '/v1/models', { host: REBOUND })).status).to.equal(401);
        expect(gw.logs.some((l) => /server\.allowed_hosts has no effect/.test(l))).to.equal(true);
      } finally {
        await gw.close();
      }
    });
  });
});
