// `sluice config validate` sets plugins up with a host whose services load on first use: a plugin
// that uses them in setup validates as it would start, and the command still exits (nothing left open).
import { expect } from 'chai';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/gateway.js';
import { refusedStartInProcess, sluice, sluiceInProcess } from './run-cli.js';

// The options schema in whichever language this Sluice exports (`t`, or zod's `z` once it lands).
const PLUGIN = `import * as sluice from 'sluice';
const options = sluice.z ? sluice.z.object({ path: sluice.z.string() }) : sluice.t.object({ path: sluice.t.string() });
export default sluice.definePlugin({
  name: 'uses-host', version: '1.0.0', sluice: '*', options,
  async setup(opts, host) {
    const db = await host.database();
    await db.raw('select 1');
    if (typeof host.http.extend !== 'function') throw new Error('host.http is not an HTTP client');
    if (host.redis() !== undefined) throw new Error('host.redis() without storage.redis');
    host.metrics.counter('uses_host_total', 'test counter');
    host.addAdminRoute('GET', opts.path, () => ({ body: 'ok' }));
    host.addReadinessCheck('x', async () => {});
    return { middleware: async (_ctx, next) => next() };
  },
});
`;

function project(routePath: string): { dir: string; file: string } {
  const dir = tempDir('sluice-validate-');
  writeFileSync(path.join(dir, 'uses-host.js'), PLUGIN);
  const file = path.join(dir, 'sluice.yaml');
  writeFileSync(file, `storage: { database: "sqlite:./db/v.db" }
providers:
  local: { type: loopback }
chain:
  - use: router
    with: { default: local }
  - use: ./uses-host.js
    with: { path: "${routePath}" }
`);
  return { dir, file };
}

describe('sluice config validate: the set-up host', () => {
  it('gives setup the database (beside the config), the HTTP client, metrics and admin routes, then exits', () => {
    const { dir, file } = project('/uses-host');
    const r = sluice(['config', 'validate', file]);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include('valid (2 plugins, 1 provider)');
    expect(existsSync(path.join(dir, 'db', 'v.db'))).to.equal(true);
  });

  it('rejects an admin route path that start would reject, naming the plugin', async () => {
    const { file } = project('/broken/:');
    const r = await sluiceInProcess(['config', 'validate', file]);
    const s = sluice(['start', '--config', file, '--port', '0']); // the real binary's refusal (exit 1)
    expect(s.status).to.equal(1);
    expect(r.status).to.equal(1);
    expect(r.stderr).to.match(/sluice\.yaml:\d+:\d+: plugin uses-host failed to start: /);
    expect(s.stderr.split(': plugin uses-host failed to start: ')[1]).to.equal(r.stderr.split(': plugin uses-host failed to start: ')[1]);
  });

  it('rejects a metric that takes one of core\'s names, as start does', async () => {
    const dir = tempDir('sluice-validate-');
    writeFileSync(path.join(dir, 'takes-core-metric.js'), `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'takes-core-metric', version: '1.0.0', sluice: '*', options: z.strictObject({}),
  setup(_o, host) { host.metrics.counter('sluice_requests_total', 'my own requests'); return {}; } });
`);
    const file = path.join(dir, 'sluice.yaml');
    writeFileSync(file, 'storage: { database: "sqlite::memory:" }\nproviders:\n  local: { type: loopback }\nchain:\n  - use: router\n    with: { default: local }\n  - use: ./takes-core-metric.js\n');
    const r = await sluiceInProcess(['config', 'validate', file]);
    const s = await refusedStartInProcess(['--config', file, '--port', '0']);
    expect(s.status).to.equal(1);
    expect(r.status, r.stdout).to.equal(1);
    expect(r.stderr).to.match(/sluice\.yaml:7:5: plugin takes-core-metric failed to start: metric sluice_requests_total is already registered/);
    expect(s.stderr.split(': plugin takes-core-metric failed to start: ')[1]).to.equal(r.stderr.split(': plugin takes-core-metric failed to start: ')[1]);
  });

  for (const [what, returned, message] of [
    ['nothing (a forgotten return)', '', 'setup() must return an object such as { middleware, close } (every key optional), got undefined'],
    ['a middleware that is not a function', 'return { middleware: 5 };', 'setup() returned a middleware that is not a function (got number)'],
  ]) {
    it(`refuses a setup that returns ${what}, at the plugin's line, in validate and start alike`, async () => {
      const dir = tempDir('sluice-validate-');
      writeFileSync(path.join(dir, 'odd-setup.js'), `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'odd-setup', version: '1.0.0', sluice: '*', options: z.strictObject({}), setup() { ${returned} } });
`);
      const file = path.join(dir, 'sluice.yaml');
      writeFileSync(file, 'storage: { database: "sqlite::memory:" }\nproviders:\n  local: { type: loopback }\nchain:\n  - use: router\n    with: { default: local }\n  - use: ./odd-setup.js\n');
      for (const r of [await sluiceInProcess(['config', 'validate', file]), await refusedStartInProcess(['--config', file, '--port', '0'])]) {
        expect(r.status, r.stdout).to.equal(1);
        expect(r.stderr.trim()).to.equal(`sluice: ${file}:7:5: plugin odd-setup failed to start: ${message}`);
      }
    });
  }

  it('refuses a plugin definition without a name, at its use: line', async () => {
    const dir = tempDir('sluice-validate-');
    writeFileSync(path.join(dir, 'nameless.js'), `import { definePlugin, z } from 'sluice';
export default definePlugin({ version: '1.0.0', sluice: '*', options: z.strictObject({}), setup() { return {}; } });
`);
    const file = path.join(dir, 'sluice.yaml');
    writeFileSync(file, 'providers:\n  local: { type: loopback }\nchain:\n  - use: router\n    with: { default: local }\n  - use: ./nameless.js\n');
    const r = await sluiceInProcess(['config', 'validate', file]);
    expect(r.status, r.stdout).to.equal(1);
    expect(r.stderr.trim()).to.equal(`sluice: ${file}:6:10: chain[1]: "./nameless.js": definePlugin() needs a name (a non-empty string), got none`);
  });
});

describe('sluice: a config file that cannot be read', () => {
  it('says what is wrong with the path and what to do, and when $SLUICE_CONFIG named it', () => {
    const dir = tempDir('sluice-unreadable-');
    const missing = path.join(dir, 'nope.yaml');
    const byFlag = sluice(['start', '--config', missing]);
    expect(byFlag.stderr).to.equal(`sluice: cannot read config file ${missing}: no such file (ENOENT); \`sluice init\` writes a starter sluice.yaml\n`);
    expect(byFlag.status).to.equal(1);
    // An exported SLUICE_CONFIG the user forgot is the likeliest cause: say it is the one naming it.
    const byEnv = sluice(['config', 'validate'], { env: { SLUICE_CONFIG: missing } });
    expect(byEnv.stderr).to.equal(`sluice: cannot read config file ${missing}: no such file (ENOENT); it is $SLUICE_CONFIG's value: fix or unset it\n`);
    expect(byEnv.status).to.equal(1);
    const aDir = sluice(['config', 'validate', dir]);
    expect(aDir.stderr).to.equal(`sluice: cannot read config file ${dir}: a directory, not a file (EISDIR); name the YAML file, e.g. ${path.join(dir, 'sluice.yaml')}\n`);
    expect(aDir.status).to.equal(1);
  });
});
