// Exactly once, end to end: N requests through a real `sluice start` produce exactly N usage records
// at the fake marketplace — across a SIGKILL while a push is in flight (the marketplace counted the
// batch but the gateway never heard so), a restart, and a marketplace answering 500 and 429 (with
// retry-after) for a while. SQLite, and PostgreSQL when SLUICE_TEST_PG is set. `config validate`
// builds the plugin but never starts its loops. And across a SIGTERM while the database does not take
// writes (a SQLite file another connection holds locked): the records wait on local disk and the
// next gateway writes them to the outbox.
import Database from 'better-sqlite3';
import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { openDatabase } from '../../core/storage/database.js';
import { runSluice } from '../helpers/contract-kit.js';
import { sluiceInProcess } from '../cli/run-cli.js';
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
        // The status report through main() in-process (marketplace-status-readonly runs the binary).
        const status = await sluiceInProcess(['marketplace', 'status', '--json', '--config', config]);
        expect(status.status, status.stderr).to.equal(0);
        const report = JSON.parse(status.stdout) as { push: { ok: boolean; result: string; last_ok: string }; outbox: { unsent: number } };
        expect(report.push).to.include({ ok: true, result: 'accepted' });
        expect(report.outbox.unsent).to.equal(0);
        const table = await sluiceInProcess(['marketplace', 'status', '--config', config]);
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

describe('marketplace: SIGTERM while the database is down, then a restart (SQLite)', function () {
  this.timeout(60_000);

  // Before, the records lived only in memory until the database took them: "marketplace usage
  // records lost at shutdown", and the fake got only the records written before the outage.
  it('every request reaches the fake exactly once: the records waited on disk', async () => {
    const fake = await startFakeMarketplace();
    const dir = tempDir('sluice-market-dbdown-');
    const file = path.join(dir, 'sluice.db');
    const port = await freePort();
    const config = path.join(dir, 'sluice.yaml');
    writeFileSync(config, yaml({ port, database: `sqlite:${file}`, fake }));
    const spillFiles = () => readdirSync(path.join(dir, 'data', 'marketplace-spill')).filter((n) => n.endsWith('.jsonl'));
    let running: Running | undefined;
    let lock: Database.Database | undefined;
    try {
      running = await start(config, port);
      const before = await load(running.base, 5, 'before');
      await until(() => fake.usage.size === 5, 10_000, 'the first records at the fake');

      // The database stops taking writes, requests go on, and the gateway is stopped.
      lock = new Database(file);
      lock.exec('BEGIN EXCLUSIVE');
      const during = await load(running.base, 25, 'during');
      running.child.kill('SIGTERM');
      expect(await running.exited, running.out().slice(-2000)).to.equal(0);
      expect(running.out()).to.not.include('marketplace usage records lost');
      running = undefined;
      expect(spillFiles()).to.not.have.length(0);
      expect(fake.usage.size).to.equal(5);

      lock.exec('COMMIT');
      lock.close();
      lock = undefined;
      // Before a gateway starts, the records are in no table: the status says where they wait.
      const status = await sluiceInProcess(['marketplace', 'status', '--json', '--config', config]);
      expect(status.status, status.stderr).to.equal(0);
      expect((JSON.parse(status.stdout) as { spill: { records: number; dir: string } }).spill).to.deep.equal({ records: 25, dir: path.join(dir, 'data', 'marketplace-spill') });
      const text = (await sluiceInProcess(['marketplace', 'status', '--config', config])).stdout;
      expect(text, text).to.match(/^outbox: \d+ unsent.*; 25 more in the spill file/m);
      running = await start(config, port);
      const all = [...before, ...during];
      await until(() => fake.usage.size === all.length, 20_000, `all ${all.length} records at the fake`);
      expect([...fake.usage.keys()].sort()).to.deep.equal([...all].sort());
      expect(fake.acceptedIds).to.have.length(all.length);
      await until(() => spillFiles().length === 0, 5000, 'the spill files to be deleted');
    } finally {
      if (lock) { if (lock.inTransaction) lock.exec('ROLLBACK'); lock.close(); }
      if (running && running.child.exitCode === null) running.child.kill('SIGKILL');
      await fake.close();
    }
  });
});

suite('SQLite', async (dir) => ({ url: `sqlite:${path.join(dir, 'sluice.db')}`, drop: async () => {} }));
if (PG) suite('PostgreSQL', () => pgSchema(PG!));
else describe('marketplace: exactly once across SIGKILL (PostgreSQL)', () => { it('needs SLUICE_TEST_PG'); });
