// A plugin whose migration fails — its own bug, or a statement the database refuses — is named at
// start-up and by `sluice migrate`: one line at the plugin's chain entry with the plugin, the
// migration and the database's words. Before, PostgreSQL's refusal was blamed on storage.database
// (as if the database were misconfigured), SQLite's printed a driver stack on `sluice start`, and
// `sluice migrate` said "cannot reach the database: SQLITE_ERROR" about a database it had reached.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../core/storage/database.js';
import { sluice } from './run-cli.js';

const PG = process.env['SLUICE_TEST_PG'];

function plugin(name: string, table: string): string {
  return `import { definePlugin, z } from 'sluice';
export default definePlugin({
  name: '${name}', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  migrations: [
    { name: '001_ok', up: (k) => k.schema.createTable('${table}', (t) => { t.increments('id'); }) },
    { name: '002_typo', up: (k) => k.raw('select * from ${table}_no_such_table') },
  ],
  setup: () => ({}),
});`;
}

const databases = [
  { name: 'SQLite', url: () => 'sqlite:./data/s.db', missing: /no such table/ },
  ...(PG ? [{ name: 'PostgreSQL', url: () => PG, missing: /relation "\w+_no_such_table" does not exist \(42P01\)/ }] : []),
];

for (const db of databases) {
  describe(`a plugin migration that fails (${db.name})`, function () {
    this.timeout(90_000);
    const name = `badmig-${process.pid}`;
    const table = `badmig_${process.pid}`;
    let dir: string;
    let file: string;

    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'sluice-badmig-'));
      file = path.join(dir, 'sluice.yaml');
      writeFileSync(path.join(dir, 'badmig.js'), plugin(name, table));
      writeFileSync(file, `server: { port: 22990 }
storage: { database: "${db.url()}" }
providers:
  local: { type: loopback }
chain:
  - use: router
    with: { default: local }
  - use: ./badmig.js
`);
    });
    after(async () => {
      if (db.name === 'PostgreSQL') {
        const knex = openDatabase(db.url(), dir);
        await knex.schema.dropTableIfExists(table);
        if (await knex.schema.hasTable('sluice_migrations')) await knex('sluice_migrations').where('name', 'like', `${name}/%`).delete();
        await knex.destroy();
      }
      rmSync(dir, { recursive: true, force: true });
    });

    const oneLine = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('sluice: '));

    for (const args of [['start'], ['migrate']]) {
      it(`sluice ${args[0]}: one line at the plugin's entry naming the plugin, the migration and the cause`, () => {
        const r = sluice([...args, '--config', file]);
        expect(r.status, r.stderr).to.not.equal(0);
        const lines = oneLine(r.stderr);
        expect(lines, r.stderr).to.have.length(1);
        expect(lines[0]).to.include(`${file}:8:5: plugin ${name}: migration ${name}/002_typo failed: `);
        expect(lines[0]).to.match(db.missing);
        expect(lines[0]).to.not.include('storage.database');
        expect(r.stderr).to.not.match(/^\s+at /m);
      });
    }
  });
}
