// What `npm pack` ships: the compiled core with its type declarations, the built-in plugins with their
// READMEs, the configs `sluice start` and `sluice init` read — and no tests, source maps or databases.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bin } from './run-cli.js';

describe('the npm package', () => {
  let files: string[];
  before(function () {
    this.timeout(60_000);
    const root = path.resolve(path.dirname(bin), '..');
    // --ignore-scripts: list what would ship from the dist/ these tests run against, without rebuilding it.
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).to.equal(0);
    files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
  });

  it('ships the CLI, the compiled core with .d.ts, and the built-in plugins with their READMEs', () => {
    for (const f of ['bin/sluice.js', 'dist/core/index.js', 'dist/core/index.d.ts', 'dist/core/cli/main.js', 'dist/plugins/router/index.js', 'README.md']) {
      expect(files).to.include(f);
    }
    expect(files.filter((f) => /^dist\/core\/.+\.d\.ts$/.test(f)).length).to.be.greaterThan(20);
    for (const plugin of ['router', 'translator', 'firewall']) expect(files).to.include(`plugins/${plugin}/README.md`);
  });

  it('ships the one-file bundles of zod, yaml and semver with their code caches, when the build made them', function () {
    const root = path.resolve(path.dirname(bin), '..');
    // tsc alone leaves core/vendor as re-exports of node_modules (scripts/bundle-vendor.mjs).
    if (!readFileSync(path.join(root, 'dist/core/vendor/zod.js'), 'utf8').includes('runBundle(')) this.skip();
    for (const name of ['zod', 'yaml', 'semver']) {
      expect(files).to.include.members([`dist/core/vendor/${name}.js`, `dist/core/vendor/${name}.bundle.cjs`, `dist/core/vendor/${name}.bundle.cache`]);
    }
  });

  it('ships the embedded default and the starter template', () => {
    expect(files).to.include.members(['config/sluice.yaml', 'config/starter.yaml']);
  });

  it('ships no tests, benchmarks, source maps, TypeScript sources or databases', () => {
    expect(files.filter((f) => /^dist\/(test|bench)\//.test(f))).to.deep.equal([]);
    expect(files.filter((f) => f.endsWith('.map') || /\.db(-\w+)?$/.test(f) || /(^|\/)data\//.test(f))).to.deep.equal([]);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).to.deep.equal([]);
  });
});
