// A client's own x-request-id is not a usage record's id: a buyer who sends one id three times (or
// echoes back the id the gateway gave an earlier request) gets a record for every request, two
// gateways given one id by their clients report two records, and a derived id survives a SIGKILL
// mid-push and a restart unchanged (the re-sent batch comes back as duplicates, nothing counted
// twice). Against the fake marketplace; SQLite, and PostgreSQL when SLUICE_TEST_PG is set. The
// SIGKILL needs a real `sluice start` process; two gateways side by side run in this process (their
// records are the point, not the process: ~1.5 s of CPU saved a database).
import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import OpenAI from 'openai';
import { openDatabase } from '../../core/storage/database.js';
import { startFakeMarketplace, type FakeMarketplace, type FakeUsageRecord } from '../helpers/fake-marketplace.js';
import { startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';
import { onFreePort, startSluiceProcess } from '../helpers/sluice-process.js';
import { PG, pgSchema, until } from '../plugins/marketplace/rig.js';
import { cli, cliKey } from './auth-helpers.js';

const REUSED = 'reused-id-1';

function yaml(o: { database: string; fake: FakeMarketplace; gatewayId: string; pushInterval?: string }): string {
  return `server:
  shutdown_grace_ms: 300
storage:
  database: "${o.database}"
logging: { level: info }
providers:
  local: { type: loopback }
chain:
  - use: auth
    with: { mode: api_key }
  - use: router
    with: { default: local }
  - use: ledger
    with: { flush_interval_ms: 100 }
  - use: marketplace
    with:
      url: "${o.fake.url}"
      api_key: "${o.fake.apiKey}"
      gateway_id: ${o.gatewayId}
      # Long enough that the requests below are all in the outbox before the first push: 2 s was
      # not, with three mocha workers and other suites on 2 cores (the held push had 1 record of 5).
      push_interval: ${o.pushInterval ?? '5s'}
      pull_interval: 1h
      batch_size: 10
      retry: { initial: 100ms, max: 300ms }
      sell:
        enabled: true
        offer: { id: offer-${o.gatewayId}, models: ["local-*"], price: { input: 1, output: 2 }, base_url: "https://x.example/v1" }
`;
}

interface Gateway { dir: string; yaml: string; config: string; knex: Knex; buyerKey: string; drop(): Promise<void> }
interface Running { child: ChildProcess; exited: Promise<number | null>; base: string; out: () => string }

function run(g: Gateway): Promise<Running> {
  return onFreePort(async (port) => {
    const base = `http://127.0.0.1:${port}`;
    const { child, output, exited } = await startSluiceProcess(['--config', g.config, '--port', String(port)], `${base}/health`);
    return { child, exited, base, out: () => output.join('') };
  });
}

/** A buyer's chat request, with `id` as its x-request-id when given; resolves to the id the gateway echoed. */
async function buy(base: string, key: string, content: string, id?: string): Promise<string> {
  const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: key, maxRetries: 0 });
  const { response } = await client.chat.completions.create({ model: 'local-model', messages: [{ role: 'user', content }] },
    id ? { headers: { 'x-request-id': id } } : {}).withResponse();
  return response.headers.get('x-request-id')!;
}

function suite(name: string, makeDatabase: (dir: string, tag: string) => Promise<{ url: string; drop(): Promise<void> }>): void {
  describe(`marketplace: a reused or client-chosen x-request-id is one usage record a request (${name})`, function () {
    this.timeout(90_000);
    let fake: FakeMarketplace;
    const gateways: Gateway[] = [];
    const running: Running[] = [];
    const inProcess: TestGateway[] = [];

    async function gateway(gatewayId: string, pushInterval?: string): Promise<Gateway> {
      const dir = tempDir(`sluice-market-reuse-${gatewayId}-`);
      const db = await makeDatabase(dir, gatewayId);
      const config = path.join(dir, 'sluice.yaml');
      const text = yaml({ database: db.url, fake, gatewayId, pushInterval });
      writeFileSync(config, text);
      await cli(config, 'user', 'add', 'buyers');
      const buyer = await cliKey(config, '--user', 'buyers', '--kind', 'marketplace', '--name', 'market');
      const g = { dir, yaml: text, config, knex: openDatabase(db.url, dir), buyerKey: buyer.key, drop: db.drop };
      gateways.push(g);
      return g;
    }

    beforeEach(async () => { fake = await startFakeMarketplace(); });
    afterEach(async () => {
      for (const r of running.splice(0)) if (r.child.exitCode === null && r.child.signalCode === null) { r.child.kill('SIGKILL'); await r.exited; }
      for (const gw of inProcess.splice(0)) await gw.close();
      for (const g of gateways.splice(0)) { await g.knex.destroy(); await g.drop(); }
      await fake.close();
    });

    it('three requests under one id, and one echoing an earlier id, are five records; a derived id outlives a SIGKILL mid-push', async () => {
      const a = await gateway('gw-a');
      // The first push is counted by the marketplace, but the gateway is killed before it hears so.
      fake.script.push('hold');
      let gw = await run(a);
      running.push(gw);
      const sent: string[] = [];
      for (let i = 0; i < 3; i++) sent.push(await buy(gw.base, a.buyerKey, `reused ${i}`, REUSED));
      const minted = await buy(gw.base, a.buyerKey, 'minted');
      // A client that sends back the id the gateway gave it (a retry, say) reuses a minted id.
      sent.push(await buy(gw.base, a.buyerKey, 'echo', minted));
      expect(sent).to.deep.equal([REUSED, REUSED, REUSED, minted]);
      expect(minted).to.match(/^req_[0-9a-f]{32}$/);

      const outbox = async () => (await a.knex('marketplace_outbox').orderBy('time_ms').select('id')).map((r: { id: string }) => r.id);
      await until(async () => (await outbox()).length === 5, 10_000, 'five records in the outbox');
      const ids = await outbox();
      // The ledger has a row a request too (its own way: the first under the id, later ones derived).
      await until(async () => (await a.knex('ledger_requests').where('request_id', 'like', `${REUSED}%`)).length === 3, 10_000, 'three ledger rows');

      await until(() => fake.calls.some((c) => c.path === '/v1/usage' && c.records !== undefined), 20_000, 'the held push');
      expect(fake.acceptedIds.sort()).to.deep.equal([...ids].sort());
      gw.child.kill('SIGKILL');
      expect(await gw.exited).to.equal(null);
      fake.release();

      gw = await run(a);
      running.push(gw);
      await until(async () => (await a.knex('marketplace_outbox').whereNull('sent_ms')).length === 0, 20_000, 'the outbox marked sent after the restart');
      // Re-sent under the same ids: all duplicates, none counted twice, none new.
      expect([...fake.duplicateIds].sort()).to.deep.equal([...ids].sort());
      expect(fake.acceptedIds).to.have.length(5);
      expect([...fake.usage.keys()].sort()).to.deep.equal([...ids].sort());

      const records = [...fake.usage.values()];
      expect(records.every((r) => r.direction === 'supplied' && r.offer_id === 'offer-gw-a' && r.input_tokens > 0)).to.equal(true);
      // The minted id as the client first saw it; a client's id (and a minted one sent back) derived.
      expect(fake.usage.has(minted)).to.equal(true);
      expect(fake.usage.has(REUSED)).to.equal(false);
      const derived = ids.filter((id) => id !== minted);
      expect(derived.filter((id) => id.startsWith(`${REUSED}~`))).to.have.length(3);
      expect(derived.filter((id) => id.startsWith(`${minted}~`))).to.have.length(1);
      for (const id of derived) expect(id).to.match(/~[0-9a-z]{9,}$/);

      gw.child.kill('SIGTERM');
      expect(await gw.exited, gw.out().slice(-2000)).to.equal(0);
    });

    it('two gateways given one id by their clients report two records', async () => {
      // One request each: nothing to wait for before a push.
      const [a, b] = await Promise.all([gateway('gw-a', '100ms'), gateway('gw-b', '100ms')]);
      const [ga, gb] = await Promise.all([a, b].map((g) => startGateway(g.yaml, { dir: g.dir })));
      inProcess.push(ga!, gb!);
      expect(await buy(ga!.url, a.buyerKey, 'to a', REUSED)).to.equal(REUSED);
      expect(await buy(gb!.url, b.buyerKey, 'to b', REUSED)).to.equal(REUSED);
      await until(() => fake.usage.size === 2, 20_000, 'both records at the fake');
      const byGateway = (gid: string): FakeUsageRecord[] => [...fake.usage.values()].filter((r) => r.offer_id === `offer-${gid}`);
      expect(byGateway('gw-a')).to.have.length(1);
      expect(byGateway('gw-b')).to.have.length(1);
      expect(fake.duplicateIds).to.deep.equal([]);
    });
  });
}

suite('SQLite', async (dir) => ({ url: `sqlite:${path.join(dir, 'sluice.db')}`, drop: async () => {} }));
if (PG) suite('PostgreSQL', () => pgSchema(PG!));
else describe('marketplace: a reused x-request-id is one usage record a request (PostgreSQL)', () => { it('needs SLUICE_TEST_PG'); });
