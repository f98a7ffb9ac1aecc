// `sluice user|team|key` as plugin commands with a CommandHost: output, --json, exit codes
// (0 ok, 1 usage/validation, 2 database unreachable).
import { expect } from 'chai';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../../core/storage/database.js';
import { parseOptions } from '../../../core/schema/schema.js';
import { authOptions, type AuthOptions } from '../../../plugins/auth/options.js';
import { commandHost, runCommand, sqliteDb, type TestDb } from './helpers.js';
import type { CommandHost } from '../../../core/plugin/host.js';
import { sluice, sluiceInProcess } from '../../cli/run-cli.js';

const options = parseOptions(authOptions, {});

function run(host: CommandHost, command: 'user' | 'team' | 'key', ...rest: (string | AuthOptions)[]): Promise<{ code: number; out: string; err: string }> {
  const opts = rest.find((a): a is AuthOptions => typeof a !== 'string') ?? options;
  return runCommand(host, command, rest.filter((a): a is string => typeof a === 'string'), opts);
}

describe('auth: CLI commands', () => {
  let db: TestDb;
  let host: CommandHost;
  beforeEach(async () => { db = await sqliteDb(); host = commandHost(db.knex); });
  afterEach(() => db.close());

  it('adds and lists teams and users as tables or JSON', async () => {
    expect(await run(host, 'team', 'add', 'eng')).to.include({ code: 0, out: 'added team eng\n' });
    expect(await run(host, 'user', 'add', 'alice', '--team', 'eng', '--email', 'alice@example.com')).to.include({ code: 0, out: 'added user alice (team eng)\n' });
    const table = await run(host, 'user', 'list');
    expect(table.code).to.equal(0);
    expect(table.out.split('\n')[0]).to.match(/^NAME\s+TEAM\s+EMAIL\s+STATUS\s+CREATED$/);
    expect(table.out).to.match(/alice\s+eng\s+alice@example\.com\s+active/);
    const json = JSON.parse((await run(host, 'user', 'list', '--json')).out) as { name: string }[];
    expect(json.map((u) => u.name)).to.deep.equal(['alice']);
    expect(JSON.parse((await run(host, 'team', 'list', '--json')).out)).to.have.length(1);
    expect((await run(host, 'user', 'disable', 'alice')).out).to.contain('disabled user alice');
  });

  it('creates a key, printed once (alone on stdout, or as {"id","key","user",…}), never listed', async () => {
    await run(host, 'user', 'add', 'alice');
    const plain = await run(host, 'key', 'create', '--user', 'alice');
    expect(plain.code).to.equal(0);
    expect(plain.out).to.match(/^sk-sluice-[0-9A-Za-z]{40}\n$/);
    expect(plain.err).to.contain('cannot show it again');
    const created = await run(host, 'key', 'create', '--user', 'alice', '--models', 'gpt-4o*, claude-*', '--expires', '30d', '--rpm', '60', '--tpm', '1000',
      '--budget-daily', '2.5', '--budget-monthly', '40', '--name', 'laptop', '--kind', 'service', '--json');
    expect(created.code).to.equal(0);
    const key = JSON.parse(created.out) as Record<string, unknown>;
    expect(Object.keys(key).slice(0, 3)).to.deep.equal(['id', 'key', 'user']);
    expect(key).to.deep.include({ user: 'alice', models: ['gpt-4o*', 'claude-*'], rpm: 60, tpm: 1000, budget_daily_usd: 2.5, budget_monthly_usd: 40, name: 'laptop', kind: 'service' });
    const list = await run(host, 'key', 'list', '--user', 'alice');
    expect(list.out).to.contain(String(key['id'])).and.not.contain(String(key['key']));
    expect(list.out).to.not.contain(plain.out.trim());
    expect((await run(host, 'key', 'list', '--json')).out).to.not.contain('sk-sluice-');
    const revoked = await run(host, 'key', 'revoke', String(key['id']));
    expect(revoked).to.include({ code: 0 });
    expect(revoked.out).to.match(/^revoked key \w{8} \(alice\)/);
    expect(JSON.parse((await run(host, 'key', 'show', String(key['id']), '--json')).out)).to.include({ status: 'revoked' });
  });

  it('key create warns (stderr, exit 0) when the config\'s gateway would not check the key: no auth in the chain, or not api_key', async () => {
    await run(host, 'user', 'add', 'alice');
    const warning = /warning: this config's chain has no `use: auth` in mode api_key/;
    const chainOf = (...use: string[]) => ({ ...host, config: { ...host.config, chain: use.map((u) => ({ use: u })) } as CommandHost['config'] });
    const cases: [string, CommandHost, AuthOptions, boolean][] = [
      ['no auth (the embedded default)', chainOf('router', 'translator'), options, true],
      ['auth in mode none', chainOf('auth', 'router'), parseOptions(authOptions, { mode: 'none' }), true],
      ['auth in mode api_key', chainOf('auth', 'router'), options, false],
    ];
    for (const [what, h, opts, warns] of cases) {
      for (const json of [[], ['--json']]) {
        const r = await run(h, 'key', 'create', '--user', 'alice', ...json, opts);
        expect(r.code, r.err).to.equal(0);
        expect(r.out).to.contain('sk-sluice-');
        expect(warning.test(r.err), `${what} ${json.join('')}: ${r.err}`).to.equal(warns);
      }
    }
  });

  it('key create for a disabled user or team makes the key and says it is refused until enabled', async () => {
    await run(host, 'team', 'add', 'eng');
    await run(host, 'user', 'add', 'alice', '--team', 'eng');
    await run(host, 'user', 'disable', 'alice');
    const forUser = await run(host, 'key', 'create', '--user', 'alice');
    expect(forUser.code).to.equal(0);
    expect(forUser.out).to.match(/^sk-sluice-/);
    expect(forUser.err).to.contain('warning: user alice is disabled: the key is refused until `sluice user enable alice`');
    await run(host, 'user', 'enable', 'alice');
    await run(host, 'team', 'disable', 'eng');
    const forTeam = await run(host, 'key', 'create', '--user', 'alice', '--json');
    expect(JSON.parse(forTeam.out)).to.include({ status: 'team_disabled' });
    expect(forTeam.err).to.contain('warning: team eng is disabled');
    await run(host, 'team', 'enable', 'eng');
    expect((await run(host, 'key', 'create', '--user', 'alice')).err).to.not.contain('warning');
  });

  it('exits 1 on usage and validation errors, naming the flag', async () => {
    await run(host, 'user', 'add', 'alice');
    const cases: [string[], RegExp][] = [
      [['key'], /missing a verb/],
      [['key', 'frobnicate'], /unknown verb "frobnicate"/],
      [['key', 'create'], /--user NAME is required/],
      [['key', 'create', '--user', 'alice', '--rpm', 'lots'], /--rpm: expected an integer/],
      [['key', 'create', '--user', 'alice', '--expires', 'soon'], /--expires: expected a duration such as 30d/],
      [['key', 'create', '--user', 'alice', '--models', 'a b'], /--models: expected a model name or glob/],
      [['key', 'create', '--user', 'alice', '--budget-daily=-3'], /--budget-daily: expected an amount in USD above 0/],
      [['key', 'create', '--user', 'alice', '--budget-daily', '-3'], /'--budget-daily=-XYZ'/],
      [['key', 'create', '--user', 'alice', '--budget-monthly', '1e10'], /--budget-monthly: expected an amount in USD above 0 and at most 1000000000, got/],
      [['key', 'create', '--user', 'alice', '--colour', 'red'], /Unknown option '--colour'/],
      // What does not exist says which command makes it, or lists what does.
      [['key', 'create', '--user', 'ghost'], /^sluice key: no user "ghost": `sluice user add ghost` creates it \(`sluice user list` lists the users\)\n$/],
      [['key', 'revoke'], /missing ID/],
      [['key', 'revoke', 'AAAAAAAA'], /^sluice key: no key "AAAAAAAA": `sluice key list` lists the keys' ids\n$/],
      [['user', 'add', 'alice'], /user "alice" already exists/],
      [['user', 'add', 'bad name'], /NAME: expected a user name/],
      [['user', 'add', 'bob', '--team', 'ghost'], /^sluice user: no team "ghost": `sluice team add ghost` creates it \(`sluice team list` lists the teams\)\n$/],
      [['team', 'add'], /missing NAME/],
      [['team', 'add', 'a', 'b'], /unexpected argument "b"/],
      // parseArgs keeps the last: a key for the wrong user, or with another limit, made silently.
      [['key', 'create', '--user', 'alice', '--user', 'bob'], /--user: given more than once/],
      [['key', 'create', '--user', 'alice', '--rpm', '5', '--rpm=6'], /--rpm: given more than once/],
    ];
    for (const [args, message] of cases) {
      const r = await run(host, args[0] as 'key', ...args.slice(1));
      expect(r.code, args.join(' ')).to.equal(1);
      expect(r.err, args.join(' ')).to.match(message);
      expect(r.out, args.join(' ')).to.equal('');
    }
    expect(await run(host, 'key', '--help')).to.include({ code: 0 });
  });

  it('takes numeric flags in plain decimal digits only: no hex, exponent, sign, space or trailing text', async () => {
    await run(host, 'user', 'add', 'alice');
    // Number() reads all of these; a limit of 16 from "0x10" or 1000 from "1e3" is not what was typed.
    for (const flag of ['--rpm', '--tpm']) {
      for (const value of ['0x10', '1e3', ' 5', '5 ', '5abc', '+5', '5.0', '0b101', '1_000', '٥']) {
        const r = await run(host, 'key', 'create', '--user', 'alice', `${flag}=${value}`);
        expect(r.code, `${flag} ${JSON.stringify(value)}`).to.equal(1);
        expect(r.err, `${flag} ${JSON.stringify(value)}`).to.contain(`${flag}: expected an integer from 1 to 1000000000, got ${JSON.stringify(value)} (plain decimal digits, such as 600)`);
      }
    }
    for (const flag of ['--budget-daily', '--budget-monthly']) {
      for (const value of ['0x10', '1e3', ' 5', '5abc', '+5', '.5', '5.', 'Infinity']) {
        const r = await run(host, 'key', 'create', '--user', 'alice', `${flag}=${value}`);
        expect(r.code, `${flag} ${JSON.stringify(value)}`).to.equal(1);
        expect(r.err, `${flag} ${JSON.stringify(value)}`).to.contain(`${flag}: expected an amount in USD above 0 and at most 1000000000, got ${JSON.stringify(value)} (plain decimal digits, such as 5 or 12.50)`);
      }
    }
    expect(JSON.parse((await run(host, 'key', 'list', '--json')).out), 'no key was made').to.deep.equal([]);
    const ok = JSON.parse((await run(host, 'key', 'create', '--user', 'alice', '--rpm', '060', '--tpm', '1000', '--budget-daily', '12.50', '--json')).out) as Record<string, unknown>;
    expect(ok).to.include({ rpm: 60, tpm: 1000, budget_daily_usd: 12.5 });
  });

  it('exits 2 when the database cannot be reached', async function () {
    this.timeout(30_000);
    const unreachable = openDatabase('postgres://postgres@127.0.0.1:9/none', process.cwd());
    try {
      const r = await run(commandHost(unreachable), 'key', 'list');
      expect(r.code).to.equal(2);
      expect(r.err).to.match(/database cannot be reached \(ECONNREFUSED\)/);
    } finally { await unreachable.destroy(); }
  });
});

describe('auth: CLI key show', () => {
  let db: TestDb;
  let host: CommandHost;
  beforeEach(async () => { db = await sqliteDb(); host = commandHost(db.knex); });
  afterEach(() => db.close());

  it('shows the key\'s rpm, tpm and budgets in the table, not only with --json', async () => {
    await run(host, 'user', 'add', 'alice');
    const limited = JSON.parse((await run(host, 'key', 'create', '--user', 'alice', '--rpm', '60', '--tpm', '1000', '--budget-daily', '2.5', '--budget-monthly', '40', '--json')).out) as { id: string };
    const shown = await run(host, 'key', 'show', limited.id);
    expect(shown.code).to.equal(0);
    const [header, row] = shown.out.trimEnd().split('\n') as [string, string];
    expect(header).to.match(/\bRPM\s+TPM\s+BUDGET_DAILY_USD\s+BUDGET_MONTHLY_USD$/);
    expect(row).to.match(new RegExp(`^${limited.id}\\b.*\\bactive\\b.*\\s60\\s+1000\\s+2\\.5\\s+40$`));
    const open = JSON.parse((await run(host, 'key', 'create', '--user', 'alice', '--json')).out) as { id: string };
    expect((await run(host, 'key', 'show', open.id)).out.trimEnd().split('\n')[1]).to.match(/\s-\s+-\s+-\s+-$/);
  });
});

describe('auth: CLI exit codes for the config the command is given', function () {
  this.timeout(60_000);
  // Issue 11: 1 for a usage or validation error, 2 only when the database cannot be reached.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-auth-cli-config-'));
  const write = (name: string, text: string) => { const file = path.join(dir, name); writeFileSync(file, text); return file; };
  const chain = (auth: string, storage = 'sqlite:./auth.db') => `storage: { database: "${storage}" }\nproviders:\n  local: { type: loopback }\nchain:\n${auth}  - use: router\n    with: { default: local }\n`;

  it('exits 1 when the config cannot be read or is invalid, with the usual one line', async () => {
    const cases: [string, RegExp][] = [
      [path.join(dir, 'missing.yaml'), /^sluice: cannot read config file .*missing\.yaml: no such file \(ENOENT\); /],
      [write('broken.yaml', 'chain:\n  - use: router\n    with: { default: local\n'), /^sluice: .*broken\.yaml:\d+:\d+: invalid YAML: /],
      [write('badopt.yaml', chain('  - use: auth\n    with: { cache_ttl_ms: "soon" }\n')), /^sluice: .*badopt\.yaml:6:27: chain\[0\]\.with\.cache_ttl_ms: expected an integer/],
      [write('noplugin.yaml', chain('  - use: ./missing-plugin.js\n  - use: auth\n')), /^sluice: .*noplugin\.yaml:5:10: chain\[0\]: plugin file .*missing-plugin\.js does not exist\n$/],
    ];
    // The real binary for one, to hold its exit code; the rest through the same main() in-process.
    const child = sluice(['key', 'list', '--config', cases[0]![0]]);
    expect(child.stderr).to.match(cases[0]![1]);
    expect(child.status, child.stderr).to.equal(1);
    expect(child.stdout).to.equal('');
    for (const [file, message] of cases) {
      for (const command of [['key', 'list'], ['user', 'list'], ['team', 'list']]) {
        const r = await sluiceInProcess([...command, '--config', file]);
        expect(r.stderr, `${command.join(' ')} ${file}`).to.match(message);
        expect(r.status, `${command.join(' ')} ${file}: ${r.stderr}`).to.equal(1);
        expect(r.stdout).to.equal('');
      }
    }
  });

  it('a listing (key list, key show, user list, team list) creates no database where there is none', async () => {
    // A mistyped --config or storage.database must not leave an empty, migrated database behind
    // (where a gateway would later start, "losing" every key) nor report "(none)" without a word.
    for (const command of [['key', 'list'], ['key', 'list', '--json'], ['user', 'list'], ['team', 'list', '--json']]) {
      const missing = path.join(dir, `nodir-${command.join('-')}`, 'auth.db');
      const file = write(`missing-db-${command.join('-')}.yaml`, chain('  - use: auth\n', `sqlite:${missing}`));
      const r = await sluiceInProcess([...command, '--config', file]);
      expect(r.status, `${command.join(' ')}: ${r.stderr}`).to.equal(0);
      expect(r.stderr).to.match(/storage\.database: no database at .*auth\.db yet/);
      expect(r.stdout).to.equal(command.includes('--json') ? '[]\n' : '(none)\n');
      expect(existsSync(path.dirname(missing)), command.join(' ')).to.equal(false);
    }
    // What changes the database still creates it: the first `key create` may well be its first use.
    const fresh = path.join(dir, 'fresh', 'auth.db');
    const created = sluice(['team', 'add', 'eng', '--config', write('fresh.yaml', chain('  - use: auth\n', `sqlite:${fresh}`))]);
    expect(created.status, created.stderr).to.equal(0);
    expect(existsSync(fresh)).to.equal(true);
  });

  it('still exits 2 when the config is valid but its database cannot be reached', () => {
    const r = sluice(['key', 'list', '--config', write('unreachable.yaml', chain('  - use: auth\n', 'postgres://postgres@127.0.0.1:9/none'))]);
    expect(r.stderr).to.match(/database cannot be reached|storage\.database: cannot connect/);
    expect(r.status, r.stderr).to.equal(2);
  });
});
