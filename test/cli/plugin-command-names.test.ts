// A plugin command named like one Sluice already has (core's `start`, or `usage` that `sluice --help`
// lists from the ledger), or like another chain plugin's, was silently shadowed or shadowed the
// other: one of the two could never run, and nothing said which. Such a plugin is refused at its
// `use:` line, naming it and the command, wherever the chain is loaded. (validate, start and a
// refused command's exit 2 through the real binary; the rest through main() in-process.)
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/gateway.js';
import { sluice, sluiceInProcess } from './run-cli.js';

/** A plugin file declaring the given commands; each prints `NAME ran COMMAND`. */
function pluginFile(name: string, commands: string[]): string {
  const entries = commands.map((c) => `${JSON.stringify(c)}: { usage: 'Usage: sluice ${c}', usesHost: false, run: async (_a, _o, io) => { io.stdout.write('${name} ran ${c}\\n'); return 0; } }`);
  return `import { definePlugin, z } from 'sluice';
export default definePlugin({
  name: '${name}', version: '1.0.0', sluice: '*', options: z.strictObject({}),
  setup() { return { middleware: async (_ctx, next) => next() }; },
  commands: { ${entries.join(', ')} },
});
`;
}

/** A config dir whose chain is the router, then each plugin file given (name → commands). */
function project(plugins: Record<string, string[]>): { dir: string; file: string } {
  const dir = tempDir('sluice-command-names-');
  for (const [name, commands] of Object.entries(plugins)) writeFileSync(path.join(dir, `${name}.js`), pluginFile(name, commands));
  const file = path.join(dir, 'sluice.yaml');
  writeFileSync(file, `providers:\n  local: { type: loopback }\nchain:\n  - use: router\n    with: { default: local }\n${Object.keys(plugins).map((n) => `  - use: ./${n}.js\n`).join('')}`);
  return { dir, file };
}

describe('plugin commands named like another command', () => {
  it('refuses a plugin command with a core command\'s name, at its use: line, in validate, plugins and start alike', () => {
    const { file } = project({ hijack: ['start'] });
    const message = `sluice: ${file}:6:10: chain[1]: plugin hijack declares the command 'start', which is one of Sluice's own (sluice start): rename the plugin's command`;
    for (const args of [['config', 'validate', file], ['plugins', '--config', file], ['start', '--config', file, '--port', '0']]) {
      const r = sluice(args);
      expect(r.stderr.trim(), args.join(' ')).to.equal(message);
      expect(r.status, args.join(' ')).to.equal(1);
    }
  });

  it('refuses a plugin command with the name of a built-in plugin\'s command that sluice --help lists', async () => {
    const { file } = project({ reports: ['usage'] });
    const r = await sluiceInProcess(['config', 'validate', file]);
    expect(r.status, r.stdout).to.equal(1);
    expect(r.stderr.trim()).to.equal(`sluice: ${file}:6:10: chain[1]: plugin reports declares the command 'usage', which is the ledger plugin's (sluice usage): rename the plugin's command`);
  });

  it('refuses two plugins declaring the same command, at the second\'s use: line, naming both; running the command says the same', async () => {
    const { file } = project({ first: ['greet'], second: ['greet', 'other'] });
    const message = `sluice: ${file}:7:10: chain[2]: plugin second declares the command 'greet', which plugin first (chain[1]) declares too: rename one of them`;
    const v = await sluiceInProcess(['config', 'validate', file]);
    expect(v.stderr.trim()).to.equal(message);
    expect(v.status).to.equal(1);
    const run = sluice(['greet', '--config', file]);
    expect(run.stdout).to.equal('');
    expect(run.stderr.trim()).to.equal(message);
    expect(run.status, 'a plugin command\'s config error').to.equal(2);
  });

  it('still runs a plugin command whose name nothing else takes', async () => {
    const { file } = project({ first: ['greet'], second: ['wave'] });
    expect((await sluiceInProcess(['config', 'validate', file])).status).to.equal(0);
    const run = await sluiceInProcess(['wave', '--config', file]);
    expect(run.stderr).to.equal('');
    expect(run.stdout).to.equal('second ran wave\n');
    expect(run.status).to.equal(0);
  });
});
