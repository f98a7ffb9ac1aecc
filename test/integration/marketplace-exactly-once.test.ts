// Exactly once, end to end: N requests through a real `sluice start` produce exactly N usage records
// at the fake marketplace — across a SIGKILL while a push is in flight (the marketplace counted the
// batch but the gateway never heard so), a restart, and a marketplace answering 500 and 429 (with
// retry-after) for a while. SQLite, and PostgreSQL when SLUICE_TEST_PG is set. `config validate`
// builds the plugin but never starts its loops.
import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { openDatabase } from '../../core/storage/database.js';
import { runSluice } from '../helpers/contract-kit.js';
import { startFakeMarketplace, type FakeMarketplace } from '../helpers/fake-marketplace.js';
import { freePort, tempDir } from '../helpers/gateway.js';
import { startSluiceProcess } from '../helpers/sluice-process.js';
import { PG, pgSchema, until } from '../plugins/marketplace/rig.js';

function yaml(o: { port: number; database: string; fake: FakeMarketplace }): string {
  return `server:
  port: ${o.port}
  shutdown_grace_ms: 500
storage:
  database: "${o.database}"
logging: { level: info }
providers:
  local: { type: loopback }
chain:
  - use: router
    with: { default: local }
  - use: ledger
    with: { flush_interval_ms: 100 }
  - use: marketplace
    with:
      url: "${o.fake.url}"
      api_key: "${o.fake.apiKey}"
      gateway_id: gw-exactly-once
      report: all
      push_interval: 300ms
      pull_interval: 1h
      batch_size: 10
      retry: { initial: 100ms, max: 500ms }
`;
}

interface Running { child: ChildProcess; out: () => string; exited: Promise<number | null>; base: string }

async function start(config: string, port: number): Promise<Running> {
  const base = `http://127.0.0.1:${port}`;
  const { child, output, exited } = await startSluiceProcess(['--config', config], `${base}/health`);
  return { child, out: () => output.join(''), exited, base };
}

/** `n` chat requests with the official SDK; resolves to the request ids the gateway gave them. */
async function load(base: string, n: number, tag: string): Promise<string[]> {
  const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused', maxRetries: 0 });
  const ids: string[] = [];
  for (let i = 0; i < n; i += 5) {
    const batch = await Promise.all(Array.from({ length: Math.min(5, n - i) }, async (_, k) => {
      const { data, response } = await client.chat.completions.create({ model: 'local-model', messages: [{ role: 'user', content: `${tag} ${i + k}` }] }).withResponse();
      expect(data.choices[0]!.message.content).to.be.a('string');
      return response.headers.get('x-request-id')!;
    }));
    ids.push(...batch);
  }
  return ids;
}

function suite(name: string, makeDatabase: (dir: string) => Promise<{ url: string; drop(): Promise<void> }>): void {
  describe(`marketplace: N requests, exactly N usage records, across SIGKILL mid-push, a restart and a failing marketplace (${name})`, function () {
    this.timeout(90_000);

    it('the fake counts every request once', async () => {
      const fake = await startFakeMarketplace();
      const dir = tempDir('sluice-market-kill-');
      const db = await makeDatabase(dir);
      const port = await freePort();
      const config = path.join(dir, 'sluice.yaml');
      writeFileSync(config, yaml({ port, database: db.url, fake }));
      const knex = openDatabase(db.url, dir);
      const unsent = async () => Number((await knex('marketplace_outbox').whereNull('sent_ms').count({ n: '*' }))[0]!['n']);
      const total = async () => Number((await knex('marketplace_outbox').count({ n: '*' }))[0]!['n']);
      let running: Running | undefined;
      try {
        // `config validate` runs setup only: no push, pull or publish reaches the marketplace.
        const validated = await runSluice(['config', 'validate', '--config', config]);
        expect(validated.code, validated.stderr).to.equal(0);
        expect(fake.calls).to.deep.equal([]);

        // The first push is counted by the marketplace but its answer never comes back...
        fake.script.push('hold');
        running = await start(config, port);
        const first = await load(running.base, 30, 'before');
        await until(() => fake.calls.some((c) => c.path === '/v1/usage'), 20_000, 'a push to reach the fake');
        await until(async () => (await total()) === 30, 20_000, 'all 30 records in the outbox');
        expect(fake.acceptedIds.length).to.be.within(1, 10);
        // ...because the gateway is killed while waiting for it.
        running.child.kill('SIGKILL');
        expect(await running.exited).to.equal(null);
        fake.release();
        expect(await unsent()).to.equal(30);

        // After the restart the marketplace fails for a while: 500, 500, then 429 with retry-after.
        fake.script.push({ status: 500 }, { status: 500 }, { status: 429, retryAfter: '1' });
        running = await start(config, port);
        const second = await load(running.base, 10, 'after');
        const all = [...first, ...second];
        await until(() => fake.usage.size === all.length && fake.script.length === 0, 30_000, `all ${all.length} records at the fake`);
        await until(async () => (await unsent()) === 0, 10_000, 'the outbox to be marked sent');

        expect([...fake.usage.keys()].sort()).to.deep.equal([...all].sort());
        // Never counted twice: the batch re-sent after the kill came back as duplicates.
        expect(fake.acceptedIds).to.have.length(all.length);
        expect(new Set(fake.acceptedIds).size).to.equal(all.length);
        expect(fake.duplicateIds.length).to.be.at.least(1);
        const statuses = fake.calls.filter((c) => c.path === '/v1/usage').map((c) => c.status);
        expect(statuses).to.include.members([500, 429]);
        expect(fake.calls.every((c) => c.authorized && c.gatewayId === 'gw-exactly-once')).to.equal(true);
        const rec = fake.usage.get(second[0]!)!;
        expect(rec).to.include({ direction: null, provider: 'local', model: 'local-model' });
        expect(rec.input_tokens).to.be.greaterThan(0);

        running.child.kill('SIGTERM');
        expect(await running.exited, running.out().slice(-2000)).to.equal(0);
        running = undefined;
        const status = await runSluice(['marketplace', 'status', '--json', '--config', config]);
        expect(status.code, status.stderr).to.equal(0);
        const report = JSON.parse(status.stdout) as { push: { ok: boolean; result: string; last_ok: string }; outbox: { unsent: number } };
        expect(report.push).to.include({ ok: true, result: 'accepted' });
        expect(report.outbox.unsent).to.equal(0);
        const table = await runSluice(['marketplace', 'status', '--config', config]);
        expect(table.stdout).to.match(/^push\s+\S+\s+ok accepted/m);
        expect(table.stdout).to.include('outbox: 0 unsent');
      } finally {
        if (running && running.child.exitCode === null) running.child.kill('SIGKILL');
        await knex.destroy();
        await db.drop();
        await fake.close();
      }
    });
  });
}

suite('SQLite', async (dir) => ({ url: `sqlite:${path.join(dir, 'sluice.db')}`, drop: async () => {} }));
if (PG) suite('PostgreSQL', () => pgSchema(PG!));
else describe('marketplace: exactly once across SIGKILL (PostgreSQL)', () => { it('needs SLUICE_TEST_PG'); });
