// Plugin migrations on SQLite and, when SLUICE_TEST_PG is set, on the real PostgreSQL.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { openDatabase } from '../../core/storage/database.js';
import { migrateLatest, migrationStatus, type PluginMigrations } from '../../core/storage/migrations.js';

function sets(table: string): PluginMigrations[] {
  return [
    { plugin: 'notes', migrations: [
      { name: '002_add_body', up: (k) => k.schema.alterTable(table, (t) => { t.text('body'); }) },
      { name: '001_create', up: (k) => k.schema.createTable(table, (t) => { t.increments('id'); t.string('title'); }), down: (k) => k.schema.dropTable(table) },
    ] },
    { plugin: 'other', migrations: [] },
  ];
}

function suite(name: string, open: () => Knex, cleanup: (k: Knex, table: string) => Promise<void>) {
  describe(`plugin migrations on ${name}`, () => {
    const table = `notes_${process.pid}`;
    let knex: Knex;
    before(async () => { knex = open(); await cleanup(knex, table); });
    after(async () => { await cleanup(knex, table); await knex.destroy(); });

    it('lists pending, applies in name order once, and reports them applied', async () => {
      const before = await migrationStatus(knex, sets(table));
      expect(before).to.deep.equal([{ name: 'notes/001_create', applied: false }, { name: 'notes/002_add_body', applied: false }]);
      expect(await migrateLatest(knex, sets(table))).to.deep.equal(['notes/001_create', 'notes/002_add_body']);
      expect(await migrateLatest(knex, sets(table))).to.deep.equal([]);
      await knex(table).insert({ title: 't', body: 'b' });
      expect(await knex(table).select('title', 'body')).to.deep.equal([{ title: 't', body: 'b' }]);
      expect((await migrationStatus(knex, sets(table))).every((m) => m.applied)).to.equal(true);
    });

    it('a plugin removed from the chain leaves history that is not an error', async () => {
      expect(await migrateLatest(knex, [{ plugin: 'other', migrations: [] }])).to.deep.equal([]);
      expect(await migrationStatus(knex, [{ plugin: 'other', migrations: [] }])).to.deep.include({ name: 'notes/001_create', applied: true });
    });
  });
}

const dir = mkdtempSync(path.join(tmpdir(), 'sluice-mig-'));
suite('SQLite', () => openDatabase('sqlite:./m.db', dir), async (k, table) => {
  await k.schema.dropTableIfExists(table);
  if (await k.schema.hasTable('sluice_migrations')) await k('sluice_migrations').where('name', 'like', 'notes/%').delete();
});
after(() => rmSync(dir, { recursive: true, force: true }));

const pg = process.env['SLUICE_TEST_PG'];
if (pg) {
  suite('PostgreSQL', () => openDatabase(pg, process.cwd()), async (k, table) => {
    await k.schema.dropTableIfExists(table);
    if (await k.schema.hasTable('sluice_migrations')) await k('sluice_migrations').where('name', 'like', 'notes/%').delete();
  });
  describe('plugin migrations on a fresh PostgreSQL database, from instances starting together', () => {
    it('apply once, and no instance fails creating the history table the other is creating', async function () {
      this.timeout(60_000);
      // A fresh schema stands for a fresh database: knex looks for its tables in the search path.
      for (let round = 0; round < 5; round++) {
        const schema = `mig_race_${process.pid}_${round}`;
        const admin = openDatabase(pg, process.cwd());
        await admin.raw(`drop schema if exists "${schema}" cascade`);
        await admin.raw(`create schema "${schema}"`);
        const url = `${pg}${pg.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
        const instances = [openDatabase(url, process.cwd()), openDatabase(url, process.cwd()), openDatabase(url, process.cwd())];
        try {
          const results = await Promise.allSettled(instances.map((k) => migrateLatest(k, sets('notes'))));
          expect(results.map((r) => (r.status === 'rejected' ? String(r.reason).slice(0, 160) : 'ok')), `round ${round}`).to.deep.equal(['ok', 'ok', 'ok']);
          // Each migration applied by exactly one of them.
          const applied = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
          expect(applied.sort()).to.deep.equal(['notes/001_create', 'notes/002_add_body']);
        } finally {
          await Promise.all(instances.map((k) => k.destroy()));
          await admin.raw(`drop schema if exists "${schema}" cascade`);
          await admin.destroy();
        }
      }
    });
  });
} else {
  describe('plugin migrations on PostgreSQL', () => { it('skipped: set SLUICE_TEST_PG to run against a real server'); });
}
