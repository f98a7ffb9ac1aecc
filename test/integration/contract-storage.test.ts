// Storage, from a plugin's side: a plugin declaring `migrations` finds its table when its `start`
// runs (SQLite, and the real PostgreSQL when SLUICE_TEST_PG is set); `sluice config validate`
// creates nothing; `sluice migrate --status --json` lists the migrations; the plugin records every
// request through `onRequest` into its table; and its CLI command (`sluice notes`) reads them back
// through the CommandHost's database, in a separate process, as an operator would.
import { expect } from 'chai';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { openDatabase } from '../../core/storage/database.js';
import { config, startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';
import { runSluice } from '../helpers/contract-kit.js';
import { sluiceInProcess } from '../cli/run-cli.js';
import { openaiClient } from '../helpers/translation-rig.js';

/** A notes plugin whose table and plugin name are unique to this run (a shared Postgres may hold others). */
function notesPlugin(plugin: string, table: string): string {
  return `import { definePlugin, z } from 'sluice';
const TABLE = '${table}';
export default definePlugin({ name: '${plugin}', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({ tag: z.string().default('none') }),
  migrations: [
    { name: '002_add_outcome', up: (k) => k.schema.alterTable(TABLE, (t) => { t.string('outcome'); }) },
    { name: '001_create', up: (k) => k.schema.createTable(TABLE, (t) => { t.increments('id'); t.string('model'); t.string('tag'); }), down: (k) => k.schema.dropTable(TABLE) },
  ],
  commands: {
    notes: {
      summary: 'lists what the gateway recorded', usage: 'sluice notes [--config FILE] [MODEL-PREFIX]',
      async run(args, options, io, host) {
        const db = await host.database();
        const rows = await db(TABLE).select('model', 'tag', 'outcome').orderBy('id');
        io.stdout.write(JSON.stringify({ tag: options.tag, rows: rows.filter((r) => !args[0] || r.model.startsWith(args[0])) }) + '\\n');
        return 0;
      },
    },
  },
  setup: (o, host) => {
    let db;
    // One insert after another: a knex builder runs when awaited, and two at once take two pool
    // connections, so on PostgreSQL the ids (the command's order) would follow whichever won.
    let last = Promise.resolve();
    const writes = (globalThis.__notesWrites ??= []);
    return {
      async start() {
        db = await host.database();
        globalThis.__notesStarted = { hasTable: await db.schema.hasTable(TABLE), hasOutcome: await db.schema.hasColumn(TABLE, 'outcome') };
      },
      onRequest(r) { last = last.then(() => db(TABLE).insert({ model: r.model ?? '', tag: o.tag, outcome: r.outcome })); writes.push(last); },
    };
  },
});`;
}

declare global {
  // eslint-disable-next-line no-var
  var __notesWrites: Promise<unknown>[] | undefined;
  // eslint-disable-next-line no-var
  var __notesStarted: { hasTable: boolean; hasOutcome: boolean } | undefined;
}

function suite(name: string, databaseUrl: () => string) {
  describe(`contract: plugin migrations and a plugin command on ${name}`, () => {
    const plugin = `contract-notes-${process.pid}`;
    const table = `contract_notes_${process.pid}`;
    let dir: string;
    let file: string;
    let knex: Knex;
    let gw: TestGateway | undefined;

    const cleanup = async () => {
      await knex.schema.dropTableIfExists(table);
      if (await knex.schema.hasTable('sluice_migrations')) await knex('sluice_migrations').where('name', 'like', `${plugin}/%`).delete();
    };
    /**
     * This plugin's rows of `sluice migrate --status --json` (a shared database lists other plugins
     * too), through main() in-process: validate and the plugin's command run as the real binary.
     */
    const status = async () => {
      const r = await sluiceInProcess(['migrate', '--status', '--config', file, '--json']);
      expect(r.stderr).to.equal('');
      expect(r.status).to.equal(0);
      return (JSON.parse(r.stdout) as { name: string; applied: boolean }[]).filter((m) => m.name.startsWith(`${plugin}/`));
    };

    before(async () => {
      dir = tempDir('sluice-contract-storage-');
      file = path.join(dir, 'sluice.yaml');
      knex = openDatabase(databaseUrl(), dir);
      await cleanup();
      globalThis.__notesWrites = [];
      globalThis.__notesStarted = undefined;
    });
    after(async () => {
      await gw?.close();
      await cleanup();
      await knex.destroy();
      rmSync(dir, { recursive: true, force: true });
    });

    it('config validate runs setup only: the migrations are still pending afterwards', async () => {
      const yaml = config({ chain: '  - use: router\n    with: { default: local }\n  - use: ./notes.js\n    with: { tag: contract }' })
        .replace('sqlite::memory:', databaseUrl());
      writeFileSync(file, yaml);
      writeFileSync(path.join(dir, 'notes.js'), notesPlugin(plugin, table));
      const v = await runSluice(['config', 'validate', '--config', file]);
      expect(v.code, v.stderr).to.equal(0);
      expect(await knex.schema.hasTable(table)).to.equal(false);
      expect(await status()).to.deep.equal([
        { name: `${plugin}/001_create`, applied: false },
        { name: `${plugin}/002_add_outcome`, applied: false },
      ]);
    });

    it('start applies them in name order before the plugin\'s start(); migrate --status lists them applied', async () => {
      gw = await startGateway(config({ chain: '  - use: router\n    with: { default: local }\n  - use: ./notes.js\n    with: { tag: contract }' })
        .replace('sqlite::memory:', databaseUrl()), { dir, files: { 'notes.js': notesPlugin(plugin, table) } });
      expect(globalThis.__notesStarted).to.deep.equal({ hasTable: true, hasOutcome: true });
      expect(await knex.schema.hasColumn(table, 'outcome')).to.equal(true);
      expect(await status()).to.deep.equal([
        { name: `${plugin}/001_create`, applied: true },
        { name: `${plugin}/002_add_outcome`, applied: true },
      ]);
    });

    it('the plugin records requests; its command reads them back from the database in another process', async () => {
      const client = openaiClient(gw!.url);
      await client.chat.completions.create({ model: 'loopback', messages: [{ role: 'user', content: 'hi' }] });
      await fetch(`${gw!.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model": "broken"' });
      const deadline = Date.now() + 3000;
      while (globalThis.__notesWrites!.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await Promise.all(globalThis.__notesWrites!);
      await gw!.close();
      gw = undefined;

      const [all, some] = await Promise.all([runSluice(['notes', '--config', file]), runSluice(['notes', 'loop', '--config', file])]);
      expect(all.stderr).to.equal('');
      expect(all.code).to.equal(0);
      expect(JSON.parse(all.stdout)).to.deep.equal({
        tag: 'contract', // the command gets the plugin's options from the config
        rows: [
          { model: 'loopback', tag: 'contract', outcome: 'success' },
          { model: '', tag: 'contract', outcome: 'error' }, // bad JSON: no model, still recorded
        ],
      });
      expect(JSON.parse(some.stdout).rows).to.have.length(1);
    });
  });
}

suite('SQLite', () => 'sqlite:./contract.db');

const pg = process.env['SLUICE_TEST_PG'];
if (pg) suite('PostgreSQL', () => pg);
else describe('contract: plugin migrations and a plugin command on PostgreSQL', () => { it('skipped: set SLUICE_TEST_PG to run against a real server'); });
