// `sluice config validate` runs the marketplace's setup and close() but never its start(): it must
// not call the marketplace at all — no DELETE of the offer a live gateway with the same config is
// selling, no push of that gateway's unsent outbox, and no wait on a marketplace that never answers.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import OpenAI from 'openai';
import { validateConfig } from '../../core/cli/validate.js';
import { loadConfigFile } from '../../core/config/load.js';
import { openDatabase } from '../../core/storage/database.js';
import { runSluice } from '../helpers/contract-kit.js';
import { startFakeMarketplace, type FakeMarketplace } from '../helpers/fake-marketplace.js';
import { startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';
import { until } from '../plugins/marketplace/rig.js';

function yaml(o: { url: string; apiKey: string; timeout: string }): string {
  return `server:
  shutdown_grace_ms: 200
storage:
  database: "sqlite:./sluice.db"
logging: { level: debug }
providers:
  local: { type: loopback }
chain:
  - use: router
    with: { default: local }
  - use: ledger
    with: { flush_interval_ms: 50 }
  - use: marketplace
    with:
      url: "${o.url}"
      api_key: "${o.apiKey}"
      gateway_id: gw-live
      report: all
      push_interval: 1h
      pull_interval: 1h
      timeout: ${o.timeout}
      buy: { enabled: true }
      sell:
        enabled: true
        offer:
          id: live-offer
          models: ["local-*"]
          price: { input: 1, output: 2 }
          base_url: "https://sluice.example.com/v1"
`;
}

describe('marketplace: `config validate` never calls the marketplace', function () {
  this.timeout(40_000);

  describe('next to a live gateway with the same config', () => {
    let fake: FakeMarketplace;
    let gw: TestGateway;

    before(async () => {
      fake = await startFakeMarketplace();
      gw = await startGateway(yaml({ url: fake.url, apiKey: fake.apiKey, timeout: '5s' }), { dir: tempDir('sluice-market-validate-') });
      await until(() => fake.published.has('live-offer') && fake.calls.some((c) => c.method === 'GET'), 5000, 'the offer published and the catalogue pulled');
      // An unsent record in the shared outbox (push_interval 1h: the gateway holds it until shutdown).
      const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0 });
      await client.chat.completions.create({ model: 'local-model', messages: [{ role: 'user', content: 'hello' }] });
      const knex = openDatabase('sqlite:./sluice.db', gw.dir);
      try {
        await until(async () => Number((await knex('marketplace_outbox').whereNull('sent_ms').count({ n: '*' }))[0]!['n']) === 1, 5000, 'the record in the outbox');
      } finally {
        await knex.destroy();
      }
    });
    after(async () => {
      await gw?.close().catch(() => {});
      await fake.close();
    });

    it('setup and close without start (in process): no call, the offer stays listed', async () => {
      const before = fake.calls.length;
      await validateConfig(await loadConfigFile(path.join(gw.dir, 'sluice.yaml')));
      expect(fake.calls.slice(before)).to.deep.equal([]);
      expect(fake.withdrawn).to.deep.equal([]);
      expect(fake.published.has('live-offer')).to.equal(true);
    });

    it('`sluice config validate`: no call, the offer stays listed, the live gateway\'s outbox is not pushed', async () => {
      const before = fake.calls.length;
      const r = await runSluice(['config', 'validate', '--config', path.join(gw.dir, 'sluice.yaml')]);
      expect(r.code, r.stderr).to.equal(0);
      expect(fake.calls.slice(before)).to.deep.equal([]);
      expect(fake.withdrawn).to.deep.equal([]);
      expect(fake.usage.size).to.equal(0);
    });

    it('the live gateway exports its unlabelled counters at 0 from start', async () => {
      const text = await (await fetch(`${gw.url}/metrics`)).text();
      for (const name of ['sluice_marketplace_records_dropped_total', 'sluice_marketplace_records_sent_total']) {
        expect(text, name).to.match(new RegExp(`^${name} 0$`, 'm'));
      }
      expect(text).to.match(/^sluice_marketplace_records_queued_total 1$/m);
    });

    it('the live gateway still withdraws its own offer (and pushes its outbox) at shutdown', async () => {
      await gw.close();
      expect(fake.withdrawn).to.deep.equal(['live-offer']);
      expect(fake.published.has('live-offer')).to.equal(false);
      expect(fake.usage.size).to.equal(1);
    });
  });

  it('`sluice config validate` does not load prom-client (the counters start at 0 in start, not setup)', () => {
    const dir = tempDir('sluice-market-validate-lazy-');
    const file = path.join(dir, 'sluice.yaml');
    writeFileSync(file, yaml({ url: 'http://127.0.0.1:9', apiKey: 'k', timeout: '1s' }));
    const main = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../core/cli/main.js')).href;
    const script = `import { createRequire } from 'node:module';
      const { main } = await import(${JSON.stringify(main)});
      const code = await main(['config', 'validate', '--config', ${JSON.stringify(file)}], { out() {}, err(l) { process.stderr.write(l + '\\n'); } });
      const prom = Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes('node_modules/prom-client/'));
      process.stdout.write(JSON.stringify({ code, prom }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
    expect(r.status, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ code: 0, prom: false });
  });

  it('against a marketplace that never answers, `sluice config validate` returns at once (no wait for the timeout)', async () => {
    const seen: string[] = [];
    const silent = http.createServer((req) => { seen.push(`${req.method} ${req.url}`); });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const dir = tempDir('sluice-market-validate-silent-');
      const file = path.join(dir, 'sluice.yaml');
      writeFileSync(file, yaml({ url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, apiKey: 'k', timeout: '15s' }));
      const t0 = Date.now();
      const r = await runSluice(['config', 'validate', '--config', file]);
      expect(r.code, r.stderr).to.equal(0);
      expect(seen).to.deep.equal([]);
      expect(Date.now() - t0).to.be.below(10_000);
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });
});
