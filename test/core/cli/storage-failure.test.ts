// A database that cannot be reached, from the operator's side: `sluice start` and the commands that
// open storage.database say so in one line on stderr — the config file and the setting's place in
// it, the URL with its password masked, the cause — never a stack; and a command's stdout holds only
// its output, its log lines (knex's included) going to stderr.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import knex from 'knex';
import { storageFailure } from '../../../core/cli/storage-failure.js';
import { parseConfigText } from '../../../core/config/load.js';
import { createLogger } from '../../../core/observability/logger.js';
import { openDatabase } from '../../../core/storage/database.js';
import { migrateLatest } from '../../../core/storage/migrations.js';
import { freePort, tempDir } from '../../helpers/gateway.js';
import { sluice, sluiceInProcess, STACK_FRAME } from '../../cli/run-cli.js';


/** A config whose chain has migrations (the ledger's), so start-up opens the database. */
function configWith(database: string, extra = ''): string {
  const file = path.join(tempDir('sluice-storage-failure-'), 'c.yaml');
  writeFileSync(file, [
    'server: { host: 127.0.0.1, port: 0 }',
    'storage:',
    `  database: ${database}`,
    extra,
    'providers: { local: { type: loopback } }',
    'chain:',
    '  - use: router',
    '    with: { default: local }',
    '  - use: ledger',
    '',
  ].join('\n'));
  return file;
}

describe('sluice CLI: a database that cannot be reached', () => {
  let port: number;
  before(async () => { port = await freePort(); });
  const refusedLine = (file: string) =>
    `sluice: ${file}:3:13: storage.database: cannot connect to postgres://sluice:***@127.0.0.1:${port}/x (ECONNREFUSED)\n`;

  it('start: one line naming the file, the setting, the masked URL and the cause; exit 1', () => {
    const file = configWith(`postgres://sluice:s3cret@127.0.0.1:${port}/x`);
    const r = sluice(['start', '--config', file]);
    expect(r.status, r.stderr).to.equal(1);
    expect(r.stderr).to.equal(refusedLine(file));
    expect(r.stdout).to.equal('');
  });

  it('start: a database host that does not resolve is the database\'s, not the listen address\'s', () => {
    const file = configWith('postgres://sluice@db.sluice-test.invalid:5432/x');
    const r = sluice(['start', '--config', file]);
    expect(r.status, r.stderr).to.equal(1);
    expect(r.stderr).to.match(new RegExp(`^sluice: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:13: storage\\.database: cannot connect to postgres://sluice@db\\.sluice-test\\.invalid:5432/x \\((ENOTFOUND|EAI_AGAIN)\\)\\n$`));
  });

  it('usage --json: nothing on stdout, one line on stderr, exit 2', () => {
    const file = configWith(`postgres://sluice:s3cret@127.0.0.1:${port}/x`);
    const r = sluice(['usage', '--json', '--config', file]);
    expect(r.status, r.stderr).to.equal(2);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.equal(refusedLine(file));
  });

  it('audit and migrate --json: the same line, nothing on stdout', async () => {
    const file = configWith(`postgres://sluice:s3cret@127.0.0.1:${port}/x`);
    // In-process, through the same main(): the real binary's stdout and stderr are the next test's.
    for (const args of [['audit'], ['migrate', '--json'], ['migrate', '--status', '--json']]) {
      const r = await sluiceInProcess([...args, '--config', file]);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).to.equal(2);
      expect(r.stdout, args.join(' ')).to.equal('');
      expect(r.stderr, args.join(' ')).to.equal(refusedLine(file));
    }
  });

  it('a command\'s log lines go to stderr, never into its --json output', () => {
    // At debug, knex's own "Acquire connection error" line is logged: on stderr, without a stack.
    const file = configWith(`postgres://sluice:s3cret@127.0.0.1:${port}/x`, 'logging: { level: debug }');
    for (const args of [['usage', '--json'], ['migrate', '--json']]) {
      const r = sluice([...args, '--config', file]);
      expect(r.stdout, args.join(' ')).to.equal('');
      const logged = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; message: string });
      expect(logged.map((l) => l.msg), args.join(' ')).to.include('database driver message');
      expect(r.stderr, args.join(' ')).to.not.match(STACK_FRAME);
      expect(r.stderr, args.join(' ')).to.not.include('s3cret');
      expect(r.stderr.trimEnd().split('\n').at(-1), args.join(' ')).to.equal(refusedLine(file).trimEnd());
    }
  });

  it('knex\'s acquire timeout (a host that drops packets) is the database\'s too, not "the pool is full"', () => {
    const loaded = parseConfigText('storage: { database: "postgres://sluice:s3cret@10.0.0.9/x" }\nproviders: {}\nchain: [{ use: router }]\n', '/etc/sluice/c.yaml');
    const line = storageFailure(new knex.KnexTimeoutError('Knex: Timeout acquiring a connection. The pool is probably full.'), loaded)!.message;
    expect(line).to.match(/^\/etc\/sluice\/c\.yaml:1:\d+: storage\.database: cannot connect to postgres:\/\/sluice:\*\*\*@10\.0\.0\.9\/x: no connection within knex's acquire timeout/);
    expect(storageFailure(new Error('something else'), loaded)).to.equal(undefined);
  });

  it('migrations that cannot take the lock (SQLite locked by another connection): one line, and no hint to run knex', async () => {
    const dir = tempDir('sluice-storage-failure-locked-');
    const loaded = parseConfigText('storage: { database: "sqlite:./l.db" }\nproviders: {}\nchain: [{ use: router }]\n', path.join(dir, 'c.yaml'));
    const lines: string[] = [];
    const db = openDatabase('sqlite:./l.db', dir, createLogger({ level: 'info', write: (l) => { lines.push(l); } }));
    const other = new Database(path.join(dir, 'l.db'));
    try {
      const first = { name: '001_table', up: async (k: knex.Knex) => { await k.schema.createTable('t', (t) => { t.integer('n'); }); } };
      await migrateLatest(db, [{ plugin: 'p', migrations: [first] }]);
      await db.raw('pragma busy_timeout = 0'); // as if the connection's 5 s had run out
      other.exec('begin exclusive');
      const failed = await migrateLatest(db, [{ plugin: 'p', migrations: [first, { name: '002_more', up: async () => {} }] }]).then(() => undefined, (err: unknown) => err);
      expect((failed as Error).name).to.equal('MigrationLocked');
      expect(storageFailure(failed, loaded)!.message).to.equal(`${path.join(dir, 'c.yaml')}:1:22: storage.database: cannot apply migrations to sqlite:./l.db: the database stayed locked by another connection (database is locked); try again once it is free`);
      expect(lines.join('\n')).to.include("Can't take lock to run migrations").and.not.include('migrate:unlock');
    } finally {
      other.close();
      await db.destroy();
    }
  });
});
