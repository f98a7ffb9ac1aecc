// A config that `sluice config validate` refuses (a provider type nobody registers, a route to a
// provider that does not exist) used to be read happily by `sluice plugins`, `migrate` and `prices`,
// which exited 0 on it. Core's commands that load a config now refuse it with the very line
// validate prints, and its exit code (1). validate runs as the real binary; the commands compared
// with it through the same main() in-process.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/gateway.js';
import { sluice, sluiceInProcess } from './run-cli.js';

const CONFIGS = {
  'an unknown provider type': 'providers:\n  local: { type: loopback }\n  odd: { type: nonesuch }\nchain:\n  - use: router\n    with: { default: local }\n',
  'a route to a provider that does not exist': 'providers:\n  local: { type: loopback }\nchain:\n  - use: router\n    with: { default: nowhere }\n',
};

/** Each core command that reads a config, and the exit it gives for a config error. */
const COMMANDS: [string[], number][] = [
  [['plugins'], 1], [['plugins', '--json'], 1], [['migrate'], 1], [['migrate', '--status'], 1],
  [['prices'], 1], [['prices', 'gpt-4o'], 1],
];

describe('every command refuses a config that config validate refuses', () => {
  for (const [what, yaml] of Object.entries(CONFIGS)) {
    it(`${what}: the same file:line:col line as config validate, and its exit code`, async () => {
      const dir = tempDir('sluice-invalid-everywhere-');
      const file = path.join(dir, 'sluice.yaml');
      writeFileSync(file, yaml);
      const validate = sluice(['config', 'validate', file]);
      expect(validate.status).to.equal(1);
      expect(validate.stderr).to.match(new RegExp(`^sluice: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));
      for (const [args, exit] of COMMANDS) {
        const r = await sluiceInProcess([...args, '--config', file]);
        expect(r.stderr, args.join(' ')).to.equal(validate.stderr);
        expect(r.stdout, args.join(' ')).to.equal('');
        expect(r.status, args.join(' ')).to.equal(exit);
      }
    });
  }

  it('still runs them on a valid config', async () => {
    const dir = tempDir('sluice-invalid-everywhere-');
    const file = path.join(dir, 'sluice.yaml');
    writeFileSync(file, 'providers:\n  local: { type: loopback }\nchain:\n  - use: router\n    with: { default: local }\n');
    for (const args of [['plugins'], ['migrate', '--status'], ['prices', 'gpt-4o']]) {
      const r = await sluiceInProcess([...args, '--config', file]);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).to.equal(0);
    }
  });
});
