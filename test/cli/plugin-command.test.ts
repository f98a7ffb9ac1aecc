// Commands a plugin adds, run through bin/sluice.js: the options of the plugin's chain entry, and
// the host only for a command that uses one (`usesHost: false` skips preparing it; a use then fails
// with a line naming the command, never silently).
import { expect } from 'chai';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { importPlugin } from '../../core/plugin/loader.js';
import { builtinNames, builtinsForCommand } from '../../core/plugin/resolve.js';
import { tempDir } from '../helpers/gateway.js';
import { sluice } from './run-cli.js';

const PLUGIN = `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'greeter', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({ greeting: z.string().default('hello') }),
  commands: {
    greet: { summary: 'greets', usage: 'sluice greet NAME', usesHost: false,
      async run(args, options, io) { io.stdout.write(options.greeting + ' ' + args.join(' ') + '\\n'); return 0; } },
    peek: { summary: 'reads the host it said it would not use', usage: 'sluice peek', usesHost: false,
      async run(args, options, io, host) { io.stdout.write(String(host.config.server.port) + '\\n'); return 0; } },
    port: { summary: 'reads the host', usage: 'sluice port',
      async run(args, options, io, host) { io.stdout.write(String(host.config.server.port) + '\\n'); return 0; } },
  },
});
`;

describe('sluice CLI: plugin commands', () => {
  const dir = tempDir('sluice-plugin-cmd-');
  writeFileSync(path.join(dir, 'greeter.mjs'), PLUGIN);
  writeFileSync(path.join(dir, 'sluice.yaml'), [
    'server: { port: 9123 }',
    'providers: { local: { type: loopback } }',
    'chain:',
    '  - use: router',
    '    with: { default: local }',
    '  - use: ./greeter.mjs',
    '    with: { greeting: hi }',
    '',
  ].join('\n'));
  const env = { SLUICE_HOME: path.join(dir, 'home') };

  it('a command with usesHost: false runs with its chain entry\'s options', () => {
    const r = sluice(['greet', 'ann', 'bob'], { cwd: dir, env });
    expect(r.stderr).to.equal('');
    expect(r.stdout).to.equal('hi ann bob\n');
    expect(r.status).to.equal(0);
  });

  it('a command with usesHost: false that reads the host fails with one line naming it, exit 2', () => {
    const r = sluice(['peek'], { cwd: dir, env });
    expect(r.stdout).to.equal('');
    expect(r.stderr.trim()).to.equal("sluice: the 'peek' command declares usesHost: false, yet read host.config");
    expect(r.status).to.equal(2);
  });

  it('a command that uses the host gets the config it was given', () => {
    const r = sluice(['port'], { cwd: dir, env });
    expect(r.stderr).to.equal('');
    expect(r.stdout).to.equal('9123\n');
    expect(r.status).to.equal(0);
  });
});

describe('sluice CLI: which built-in a command is looked for in first', () => {
  it('is the built-in that adds it, for every command a built-in adds; the others keep their order', async () => {
    const owners: Array<[string, string]> = [];
    for (const name of builtinNames()) {
      const { definition } = await importPlugin(name, process.cwd());
      for (const command of Object.keys(definition.commands ?? {})) owners.push([command, name]);
    }
    expect(owners.length).to.be.at.least(7);
    for (const [command, owner] of owners) {
      expect(builtinsForCommand(command), command).to.deep.equal([owner, ...builtinNames().filter((n) => n !== owner)]);
    }
    expect(builtinsForCommand('frobnicate')).to.deep.equal(builtinNames());
    expect(builtinsForCommand('constructor')).to.deep.equal(builtinNames());
  });
});

describe('sluice CLI: a plugin command\'s exit code for a config problem', function () {
  this.timeout(90_000);
  const PICKY = `import { definePlugin, z } from 'sluice';
const run = async (args, options, io) => { io.stdout.write('ran\\n'); return 0; };
export default definePlugin({ name: 'picky', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({ level: z.number().default(1) }),
  commands: {
    strict: { summary: 'config problems are validation errors', usage: 'sluice strict', usesHost: false, invalidConfigExit: 1, run },
    loose: { summary: 'the default', usage: 'sluice loose', usesHost: false, run },
  },
});
`;
  const dir = tempDir('sluice-plugin-cmd-exit-');
  writeFileSync(path.join(dir, 'picky.mjs'), PICKY);
  const write = (name: string, level: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, `providers: { local: { type: loopback } }\nchain:\n  - use: router\n    with: { default: local }\n  - use: ./picky.mjs\n    with: { level: ${level} }\n`);
    return file;
  };
  const good = write('good.yaml', '2');
  const bad = write('bad.yaml', '"high"');
  const env = { SLUICE_HOME: path.join(dir, 'home') };

  it('is 2 by default (`scan` exits 1 for "found"), and the command\'s invalidConfigExit when it sets one', () => {
    expect(sluice(['strict', '--config', good], { env })).to.include({ status: 0, stdout: 'ran\n' });
    const strict = sluice(['strict', '--config', bad], { env });
    expect(strict.stderr).to.match(/bad\.yaml:6:20: .*level/);
    expect(strict.status).to.equal(1);
    const loose = sluice(['loose', '--config', bad], { env });
    expect(loose.stderr).to.equal(strict.stderr);
    expect(loose.status).to.equal(2);
    const scan = sluice(['scan', '--config', path.join(dir, 'missing.yaml')], { env });
    expect(scan.stderr).to.match(/^sluice: cannot read config file .*missing\.yaml: no such file \(ENOENT\); /);
    expect(scan.status).to.equal(2);
  });
});

describe('sluice CLI: help on a plugin command never runs it', function () {
  this.timeout(90_000);
  // A command that reads no flags, as in docs/writing-plugins.md: asked how to use it, it must not
  // act (here it would write a file and, through the host, migrate the database).
  const ACTING = `import { definePlugin, z } from 'sluice';
import { existsSync, writeFileSync } from 'node:fs';
export default definePlugin({ name: 'purger', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  migrations: [{ name: '001_create', up: (k) => k.schema.createTable('purger_rows', (t) => { t.increments('id'); }) }],
  commands: {
    purge: { summary: 'deletes every row', usage: 'Usage: sluice purge [--config FILE]\\n\\nDeletes every row.',
      async run(args, options, io, host) { writeFileSync(new URL('./ran', import.meta.url), 'ran'); await (await host.database())('purger_rows').delete(); return 0; } },
  },
  setup: () => ({}),
});
`;
  const dir = tempDir('sluice-plugin-cmd-help-');
  writeFileSync(path.join(dir, 'purger.mjs'), ACTING);
  writeFileSync(path.join(dir, 'sluice.yaml'), 'storage: { database: "sqlite:./data/p.db" }\nproviders: { local: { type: loopback } }\nchain:\n  - use: router\n    with: { default: local }\n  - use: ./purger.mjs\n');
  const env = { SLUICE_HOME: path.join(dir, 'home') };

  for (const args of [['help', 'purge'], ['purge', '--help'], ['purge', '-h']]) {
    it(`sluice ${args.join(' ')} prints the command's usage, exit 0, and does nothing`, () => {
      const r = sluice(args, { cwd: dir, env });
      expect(r.stderr).to.equal('');
      expect(r.stdout).to.equal('Usage: sluice purge [--config FILE]\n\nDeletes every row.\n');
      expect(r.status).to.equal(0);
      expect(existsSync(path.join(dir, 'ran'))).to.equal(false);
      expect(existsSync(path.join(dir, 'data'))).to.equal(false);
    });
  }

  it('built-in commands answer help with the same text as before', () => {
    expect(sluice(['help', 'scan'], { cwd: dir, env }).stdout).to.match(/^usage: sluice scan \[FILE\|-\]/);
    expect(sluice(['scan', '--help'], { cwd: dir, env }).stdout).to.match(/^usage: sluice scan \[FILE\|-\]/);
    expect(sluice(['marketplace', '--help'], { cwd: dir, env }).stdout).to.match(/^Usage: sluice marketplace status/);
  });

  it('sluice scan --help says what it does, what it prints and its exit codes, as docs/firewall-detectors.md does', () => {
    for (const args of [['scan', '--help'], ['help', 'scan'], ['scan', '-h']]) {
      const help = sluice(args, { cwd: dir, env }).stdout;
      expect(help, args.join(' ')).to.match(/^usage: sluice scan \[FILE\|-\] \[--json\] \[--config FILE\]\n/);
      expect(help, args.join(' ')).to.include('stdin');
      expect(help, args.join(' ')).to.match(/--json +one JSON object per finding/);
      expect(help, args.join(' ')).to.include('Exit 1 when something is found, 0 when nothing is, 2 on error');
    }
  });
});
