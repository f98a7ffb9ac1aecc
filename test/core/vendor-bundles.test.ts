// zod, yaml and semver as `npm run build` leaves them (core/vendor, scripts/bundle-vendor.mjs): one
// copy each, the bundle current with node_modules, and a code cache this Node accepts — else the CLI
// is silently back to compiling them on every run. A build by tsc alone has no bundles to check.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from '../../core/index.js';
import { z as coreZod } from '../../core/vendor/zod.js';
import { bundlesRun, compileBundle } from '../../core/vendor/run-bundle.js';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const root = path.dirname(dist);
const vendor = path.join(dist, 'core/vendor');
const PACKAGES = ['zod', 'yaml', 'semver'];
/** True when the last build bundled (tsc rewrites NAME.js as a plain re-export). */
const bundled = (name: string) => readFileSync(path.join(vendor, `${name}.js`), 'utf8').includes('runBundle(');

describe('vendored packages (core/vendor)', () => {
  it('plugins get the zod core parses with', () => {
    expect(z).to.equal(coreZod);
    if (bundled('zod')) expect(bundlesRun()).to.include(path.join(vendor, 'zod.bundle.cjs'));
  });

  for (const name of PACKAGES) {
    it(`${name}: the bundle is of the installed version, and its code cache is accepted`, function () {
      if (!bundled(name)) this.skip();
      const file = path.join(vendor, `${name}.bundle.cjs`);
      const { version } = JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
      expect(readFileSync(file, 'utf8').split('\n', 1)[0]).to.include(`${name}@${version} `);
      const cache = path.join(vendor, `${name}.bundle.cache`);
      expect(existsSync(cache), cache).to.equal(true);
      expect(compileBundle(file, readFileSync(cache)).cachedDataRejected).to.equal(false);
    });
  }
});
