// `retention_days`: rows older than the retention are deleted, oldest first, in batches, on SQLite and
// (when SLUICE_TEST_PG is set) the real PostgreSQL; nothing is deleted without the option; a lock
// held elsewhere (SQLite's, or PostgreSQL row locks on old rows) makes a run fail quickly — not hold
// the event loop, a connection or a shutdown — and the next run deletes; and a gateway started with
// the option prunes on its own.
import Database from 'better-sqlite3';
import { expect } from 'chai';
import type { Knex } from 'knex';
import path from 'node:path';
import { createLogger } from '../../../core/observability/logger.js';
import { openDatabase } from '../../../core/storage/database.js';
import { migrateLatest } from '../../../core/storage/migrations.js';
import { ledgerMigrations } from '../../../plugins/ledger/migrations.js';
import { LedgerRetention, PRUNE_BATCH_ROWS } from '../../../plugins/ledger/retention.js';
import { LEDGER_TABLE } from '../../../plugins/ledger/row.js';
import { knexStore } from '../../../plugins/ledger/store.js';
import { tempDir } from '../../helpers/gateway.js';
import { onEachDatabase, PG, pgSchema, sampleRow, startLedgerGateway, type OpenDatabase } from './rig.js';

const DAY_MS = 86_400_000;
const NOW = Date.UTC(2026, 11, 6, 12);

/** `n` rows ending `daysAgo` days before NOW, a second apart, ids `prefix-0…`. */
const rowsAt = (prefix: string, n: number, daysAgo: number) =>
  Array.from({ length: n }, (_, i) => ({ ...sampleRow(i, `${prefix}-${i}`), time_ms: NOW - daysAgo * DAY_MS - i * 1000 }));

async function ids(knex: Knex): Promise<string[]> {
  return (await knex(LEDGER_TABLE).select('request_id').orderBy('request_id') as { request_id: string }[]).map((r) => r.request_id);
}

function retentionOf(knex: Knex, days: number | undefined, lines: string[] = []) {
  const pruned: number[] = [];
  const retention = new LedgerRetention({
    database: async () => knex, retentionDays: () => days, pruned: (n) => pruned.push(n),
    logger: createLogger({ level: 'info', write: (l) => lines.push(l) }),
  });
  return { retention, pruned };
}

function suite(name: string, open: OpenDatabase) {
  describe(`ledger retention on ${name}`, () => {
    it('deletes the rows older than retention_days, in batches, and only those', async () => {
      const { knex, drop } = await open();
      try {
        await migrateLatest(knex, [{ plugin: 'ledger', migrations: ledgerMigrations }]);
        const old = rowsAt('old', PRUNE_BATCH_ROWS * 2 + 500, 31); // three batches
        const kept = [...rowsAt('recent', 3, 29), ...rowsAt('today', 2, 0)];
        await knexStore(async () => knex).insert([...old, ...kept]);
        const lines: string[] = [];
        const { retention, pruned } = retentionOf(knex, 30, lines);
        expect(await retention.run(NOW)).to.equal(old.length);
        expect(pruned).to.deep.equal([PRUNE_BATCH_ROWS, PRUNE_BATCH_ROWS, 500]);
        expect(await ids(knex)).to.deep.equal(kept.map((r) => r.request_id).sort());
        const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['msg'] === 'ledger rows past the retention deleted');
        expect(logged).to.include({ rows: old.length, before: new Date(NOW - 30 * DAY_MS).toISOString() });
        // Nothing left to delete: a second run deletes nothing.
        expect(await retention.run(NOW)).to.equal(0);
        await retention.close();
      } finally {
        await knex.destroy();
        await drop();
      }
    });

    it('deletes nothing without retention_days', async () => {
      const { knex, drop } = await open();
      try {
        await migrateLatest(knex, [{ plugin: 'ledger', migrations: ledgerMigrations }]);
        await knexStore(async () => knex).insert(rowsAt('ancient', 5, 3650));
        const { retention, pruned } = retentionOf(knex, undefined);
        expect(await retention.run(NOW)).to.equal(0);
        expect(pruned).to.deep.equal([]);
        expect(await ids(knex)).to.have.length(5);
      } finally {
        await knex.destroy();
        await drop();
      }
    });
  });
}

onEachDatabase('ledger retention', suite);

describe('ledger retention on SQLite, another connection holding the lock', () => {
  it('fails within a fraction of a second, logs it, and the next run deletes', async () => {
    const dir = tempDir('sluice-ledger-retention-lock-');
    const file = path.join(dir, 'ledger.db');
    const knex = openDatabase(`sqlite:${file}`, dir);
    const other = new Database(file);
    try {
      await migrateLatest(knex, [{ plugin: 'ledger', migrations: ledgerMigrations }]);
      await knexStore(async () => knex).insert(rowsAt('old', 10, 40));
      const lines: string[] = [];
      const { retention } = retentionOf(knex, 30, lines);
      other.exec('begin exclusive');
      const started = performance.now();
      expect(await retention.run(NOW)).to.equal(0);
      expect(performance.now() - started).to.be.below(1000);
      expect(lines.some((l) => l.includes('ledger retention could not delete old rows'))).to.equal(true);
      other.exec('rollback');
      expect(await retention.run(NOW)).to.equal(10);
      expect(await ids(knex)).to.deep.equal([]);
    } finally {
      other.close();
      await knex.destroy();
    }
  });
});

describe('ledger retention on PostgreSQL, another session holding row locks on old rows', () => {
  if (!PG) { it('needs SLUICE_TEST_PG'); return; }
  const base = PG;
  it('fails within about a second instead of waiting for the lock, close() does not wait it out, and the next run deletes', async () => {
    const db = await pgSchema(base);
    const knex = openDatabase(db.url, tempDir('sluice-ledger-retention-pglock-'));
    const other = openDatabase(db.url, tempDir('sluice-ledger-retention-pglock-other-'));
    try {
      await migrateLatest(knex, [{ plugin: 'ledger', migrations: ledgerMigrations }]);
      await knexStore(async () => knex).insert(rowsAt('old', 10, 40));
      const holder = await other.transaction();
      await holder.raw(`select request_id from ${LEDGER_TABLE} for update`);
      const lines: string[] = [];
      const { retention } = retentionOf(knex, 30, lines);
      let started = performance.now();
      expect(await retention.run(NOW)).to.equal(0);
      expect(performance.now() - started).to.be.below(3000);
      expect(lines.some((l) => l.includes('ledger retention could not delete old rows'))).to.equal(true);
      // A run blocked on the lock: close() returns within its bound, not when the lock goes.
      const blocked = retention.run(NOW);
      started = performance.now();
      await retention.close();
      expect(performance.now() - started).to.be.below(1500);
      await blocked;
      await holder.rollback();
      expect(await retentionOf(knex, 30).retention.run(NOW)).to.equal(10);
    } finally {
      await other.destroy();
      await knex.destroy();
      await db.drop();
    }
  });
});

describe('ledger retention in a running gateway', () => {
  it('prunes soon after start, keeps the new rows, and counts what it deleted in /metrics', async () => {
    const dir = tempDir('sluice-ledger-retention-gw-');
    const file = path.join(dir, 'ledger.db');
    // The table as an earlier run left it: rows from 40 days ago and from yesterday.
    const seed = openDatabase(`sqlite:${file}`, dir);
    await migrateLatest(seed, [{ plugin: 'ledger', migrations: ledgerMigrations }]);
    const now = Date.now();
    const old = Array.from({ length: 7 }, (_, i) => ({ ...sampleRow(i, `old-${i}`), time_ms: now - 40 * DAY_MS - i }));
    const recent = Array.from({ length: 3 }, (_, i) => ({ ...sampleRow(i, `recent-${i}`), time_ms: now - DAY_MS - i }));
    await knexStore(async () => seed).insert([...old, ...recent]);
    await seed.destroy();

    const rig = await startLedgerGateway({ dir, ledger: '      flush_interval_ms: 100\n      retention_days: 30\n' });
    const knex = rig.open();
    try {
      const res = await fetch(`${rig.gw.url}/v1/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] }),
      });
      expect(res.status).to.equal(200);
      const requestId = res.headers.get('x-request-id')!;
      await res.text();
      let left: string[] = [];
      for (const until = Date.now() + 10_000; Date.now() < until;) {
        left = await ids(knex);
        if (left.length === 4) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(left).to.deep.equal([...recent.map((r) => r.request_id), requestId].sort());
      const metrics = await (await fetch(`${rig.gw.url}/metrics`)).text();
      expect(metrics).to.match(/^sluice_ledger_rows_pruned_total 7$/m);
    } finally {
      await knex.destroy();
      await rig.gw.close();
    }
  });
});
