// A plugin's `precedes`: capabilities that must not be provided earlier in the chain than it. auth
// precedes "routing" — a router before it answers model listings and picks the served model for
// clients nobody authenticated, so allow-lists silently stop applying. Refused by `config validate`
// and by `start` alike, at the entry's `use:`. `config validate` runs in this process (it has no
// side effects); `start` as the process an operator runs, for its exit code.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/gateway.js';
import { refusedStartInProcess, sluice, sluiceInProcess } from './run-cli.js';

/** A third-party plugin that must run before routing, as a plugin author would declare it. */
const EARLY = `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'early-bird', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  precedes: ['routing'],
  setup() { return { middleware: async (_ctx, next) => next() }; } });
`;

function project(chain: string[]): string {
  const dir = tempDir('sluice-chain-order-');
  writeFileSync(path.join(dir, 'early-bird.mjs'), EARLY);
  const file = path.join(dir, 'sluice.yaml');
  writeFileSync(file, ['storage: { database: "sqlite:./db/o.db" }', 'providers:', '  local: { type: loopback }', 'chain:', ...chain, ''].join('\n'));
  return file;
}

const ROUTER = ['  - use: router', '    with: { default: local }'];

describe('sluice CLI: a plugin that must precede a capability', function () {
  this.timeout(90_000);

  it('auth after the router is refused by config validate and start, pointing at its use:', async () => {
    // chain[1].use is on line 7, `auth` at column 10.
    const file = project([...ROUTER, '  - use: auth', '  - use: translator']);
    const expected = `${file}:7:10: plugin auth must come before "routing" in the chain: move it before router (chain[0])`;
    const validate = await sluiceInProcess(['config', 'validate', file]);
    expect(validate.stderr.trim()).to.equal(`sluice: ${expected}`);
    expect(validate.status).to.equal(1);
    const json = await sluiceInProcess(['config', 'validate', file, '--json']);
    expect(JSON.parse(json.stdout)).to.deep.include({ valid: false, location: { file, line: 7, column: 10 } });
    const start = sluice(['start', '--config', file, '--port', '0']);
    expect(start.stderr.trim()).to.equal(`sluice: ${expected}`);
    expect(start.status).to.equal(1);
  });

  it('auth first is valid, and so is auth after a plugin that provides no routing', async () => {
    const first = await sluiceInProcess(['config', 'validate', project(['  - use: auth', ...ROUTER, '  - use: translator'])]);
    expect(first.stderr).to.equal('');
    expect(first.status).to.equal(0);
    const afterFirewall = await sluiceInProcess(['config', 'validate', project(['  - use: firewall', '  - use: auth', ...ROUTER])]);
    expect(afterFirewall.stderr).to.equal('');
    expect(afterFirewall.status).to.equal(0);
  });

  it('a third-party plugin declaring precedes gets the same check', async () => {
    const late = await sluiceInProcess(['config', 'validate', project([...ROUTER, '  - use: ./early-bird.mjs'])]);
    expect(late.stderr).to.match(/sluice\.yaml:7:10: plugin early-bird must come before "routing" in the chain: move it before router \(chain\[0\]\)\n$/);
    expect(late.status).to.equal(1);
    const early = await sluiceInProcess(['config', 'validate', project(['  - use: ./early-bird.mjs', ...ROUTER])]);
    expect(early.stderr).to.equal('');
    expect(early.status).to.equal(0);
  });
});

describe('sluice CLI: a capability provided twice', function () {
  this.timeout(90_000);

  it('a second router is refused at its use:, naming the first, by config validate and start', async () => {
    // chain[2].use is on line 8 (`  - use: router`), `router` at column 10. Two routers would
    // silently let the second overwrite the first's choice of provider.
    const file = project([...ROUTER, '  - use: translator', ...ROUTER]);
    const expected = `${file}:8:10: plugin router provides "routing", which router (chain[0]) already provides: keep one of them`;
    const validate = await sluiceInProcess(['config', 'validate', file]);
    expect(validate.stderr.trim()).to.equal(`sluice: ${expected}`);
    expect(validate.status).to.equal(1);
    const start = await refusedStartInProcess(['--config', file, '--port', '0']); // the real binary's refusal: above
    expect(start.stderr.trim()).to.equal(`sluice: ${expected}`);
    expect(start.status).to.equal(1);
  });

  it('a second translator too, while a plugin that provides nothing may appear twice', async () => {
    const translators = await sluiceInProcess(['config', 'validate', project([...ROUTER, '  - use: translator', '  - use: translator'])]);
    expect(translators.stderr).to.match(/sluice\.yaml:8:10: plugin translator provides "translation", which translator \(chain\[1\]\) already provides: keep one of them\n$/);
    expect(translators.status).to.equal(1);
    const firewalls = await sluiceInProcess(['config', 'validate', project(['  - use: firewall', '    with: { mode: monitor }', '  - use: firewall', '    with: { mode: enforce }', ...ROUTER])]);
    expect(firewalls.stderr).to.equal('');
    expect(firewalls.status).to.equal(0);
  });
});
