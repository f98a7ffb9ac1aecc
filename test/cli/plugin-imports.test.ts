// A plugin may import only 'sluice' and 'sluice/testing'. Another path into Sluice gets a message
// that says so (not "cannot find package 'sluice'"), and a module that fails to load is reported
// alone: Node's loader can fail the imports after it with errors of its own.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/gateway.js';
import { bin, cleanEnv } from './run-cli.js';

function validate(plugin: string): { status: number | null; stderr: string } {
  const dir = tempDir('sluice-plugin-imports-');
  writeFileSync(path.join(dir, 'p.js'), plugin);
  writeFileSync(path.join(dir, 'sluice.yaml'), 'providers: { local: { type: loopback } }\nchain:\n  - use: ./p.js\n  - use: router\n    with: { default: local }\n');
  return spawnSync(process.execPath, [bin, 'config', 'validate', path.join(dir, 'sluice.yaml')], { encoding: 'utf8', env: cleanEnv(), timeout: 30_000 });
}

const body = "export default definePlugin({ name: 'p', version: '1.0.0', sluice: '>=0.1.0 <1', options: z.strictObject({}), setup() { return { middleware: (c, n) => n() }; } });\n";

describe('plugin imports', () => {
  it('an internal path into Sluice is refused by name, pointing at the public surface', () => {
    const r = validate(`import { definePlugin, z } from 'sluice';\nimport { GatewayError } from 'sluice/dist/core/errors.js';\n${body}`);
    expect(r.status).to.equal(1);
    expect(r.stderr).to.match(/sluice\.yaml:3:10: chain\[0\]: cannot load plugin "\.\/p\.js": cannot import 'sluice\/dist\/core\/errors\.js': a plugin imports only 'sluice' and 'sluice\/testing'/);
  });

  it('a syntax error in the plugin file says where in the file (Node\'s loader does not)', () => {
    const r = validate(`import { definePlugin, z } from 'sluice';\nconst ok = 1;\nexport default definePlugin({ name: 'p', version: '1.0.0', sluice: '>=0.1.0 <1', options: z.strictObject({}), setup() { return { middleware: (c, n) => { n( } }; } });\n`);
    expect(r.status).to.equal(1);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
    expect(r.stderr).to.match(/sluice\.yaml:3:10: chain\[0\]: cannot load plugin "\.\/p\.js": .*p\.js:3:\d+: Unexpected token '\}'\n$/);
  });

  it('a module that fails to load is the one problem reported (no loader noise about the next entry)', () => {
    const r = validate(`import { definePlugin, z } from 'sluice';\nimport x from 'nope-not-installed-anywhere';\n${body}`);
    expect(r.status).to.equal(1);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
    expect(r.stderr).to.match(/Cannot find package 'nope-not-installed-anywhere'/);
  });
});
