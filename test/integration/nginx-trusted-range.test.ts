// examples/nginx/sluice.conf in front of an instance that trusts a whole address range, as
// config/team.yaml trusts the private ranges: nginx and the team's clients (an office LAN, a VPN)
// are then in the same trusted range. Whatever such a client writes into X-Forwarded-For must not
// become its address in the ledger — nginx at the edge answers for what it saw, nothing more.
//
// Addresses: the client connects from 127.0.0.2 to nginx on 127.0.0.3; nginx reaches the instance
// from 127.0.0.1; the instance trusts 127.0.0.0/8, the three of them.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, fetch as undiciFetch } from 'undici';
import { openDatabase } from '../../core/storage/database.js';
import { LEDGER_TABLE } from '../../plugins/ledger/row.js';
import { startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { ensureNginx, freePort, startNginx, type RunningNginx } from '../helpers/nginx.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const EXAMPLE = path.join(root, 'examples/nginx/sluice.conf');
const CLIENT_ADDRESS = '127.0.0.2';
const NGINX_ADDRESS = '127.0.0.3';

function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at === -1 || text.indexOf(from, at + 1) !== -1) throw new Error(`examples/nginx/sluice.conf should contain "${from}" exactly once`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

describe('behind nginx, with a trusted range that holds the clients too (config/team.yaml\'s private ranges)', function () {
  this.timeout(60_000);
  let upstream: MockUpstream | undefined;
  let nginx: RunningNginx | undefined;
  // In this process: nginx's proxying and the address recorded are the subject, not the process.
  let sluice: TestGateway | undefined;
  let dir = '';
  let nginxUrl = '';

  before(async function () {
    this.timeout(660_000); // a first run may install nginx with apt-get
    const found = await ensureNginx();
    if (!found.path) {
      console.warn(`      skipped: nginx is not available (${found.reason})`);
      return this.skip();
    }
    upstream = await startMockUpstream();
    dir = tempDir('sluice-nginx-range-');
    sluice = await startGateway(`server:
  host: 127.0.0.1
  trust_proxy: ["127.0.0.0/8"]
  shutdown_grace_ms: 200
storage: { database: "sqlite:./sluice.db" }
logging: { level: warn }
providers:
  mock: { type: openai, base_url: "${upstream!.url}", api_key: sk-mock }
chain:
  - use: router
    with: { default: mock }
  - use: ledger
    with: { flush_interval_ms: 50 }
`, { dir });
    const port = sluice.running.port;
    const nginxPort = await freePort(NGINX_ADDRESS);
    let conf = readFileSync(EXAMPLE, 'utf8');
    conf = replaceOnce(conf, 'sluice-1:8081', `127.0.0.1:${port}`);
    conf = replaceOnce(conf, 'sluice-2:8081', `127.0.0.1:${port}`);
    conf = replaceOnce(conf, 'listen 80;', `listen ${NGINX_ADDRESS}:${nginxPort};`);
    nginxUrl = `http://${NGINX_ADDRESS}:${nginxPort}`;
    nginx = await startNginx(found.path, tempDir('sluice-nginx-range-prefix-'), conf, `${nginxUrl}/health`);
  });

  after(async () => {
    await nginx?.stop();
    await sluice?.close();
    await upstream?.close();
  });

  it('records the address nginx saw, not one the client wrote into X-Forwarded-For', async () => {
    const dispatcher = new Agent({ localAddress: CLIENT_ADDRESS });
    const run = `range-${Date.now().toString(36)}`;
    const spoofs = [undefined, '6.6.6.6', '6.6.6.6, 7.7.7.7', '127.0.0.9', 'not-an-address'];
    const ids: string[] = [];
    for (const [n, spoof] of spoofs.entries()) {
      const id = `${run}-${n}`;
      ids.push(id);
      const res = await undiciFetch(`${nginxUrl}/v1/chat/completions`, {
        method: 'POST', dispatcher,
        headers: { 'content-type': 'application/json', 'x-request-id': id, ...(spoof === undefined ? {} : { 'x-forwarded-for': spoof }) },
        body: JSON.stringify({ model: 'gpt-mock', messages: [{ role: 'user', content: 'hi' }] }),
      });
      await res.text();
      expect(res.status).to.equal(200);
    }
    const knex = openDatabase('sqlite:./sluice.db', dir);
    try {
      let rows: { request_id: string; client_address: string | null }[] = [];
      for (const deadline = Date.now() + 10_000; rows.length < ids.length && Date.now() < deadline;) {
        await new Promise((r) => setTimeout(r, 100));
        rows = await knex(LEDGER_TABLE).whereIn('request_id', ids).select('request_id', 'client_address') as typeof rows;
      }
      expect(rows).to.have.length(ids.length);
      for (const row of rows) expect(row.client_address, `ledger row ${row.request_id}`).to.equal(CLIENT_ADDRESS);
    } finally {
      await knex.destroy();
    }
  });
});
