#!/usr/bin/env node
// The last step of `npm run build`, after tsc: replaces each dist/core/vendor/NAME.js (tsc's output
// of core/vendor/NAME.ts, a re-export of a third-party package) with that package bundled into one
// ES module. Node 20's ESM loader costs ~0.5–1 ms of CPU per file (resolve, stat, read, compile,
// link) and zod, yaml and semver are ~200 files, which `sluice config validate` paid for on every
// run (bench/results/cli-startup.md). Everything in Sluice imports these packages through
// core/vendor, so there is still one copy of each at run time; built by tsc alone, the re-exports
// load the packages from node_modules instead and behave the same.
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sources = path.join(root, 'core/vendor');
const out = path.join(root, 'dist/core/vendor');

/** `name@version (license)` of each package a bundle contains, for its header. */
function packagesIn(metafile) {
  const names = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) names.add(m[1]);
  }
  return [...names].sort().map((name) => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8'));
    return `${name}@${pkg.version} (${pkg.license}, node_modules/${name}/LICENSE)`;
  });
}

for (const file of readdirSync(sources).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))) {
  const target = path.join(out, file.replace(/\.ts$/, '.js'));
  const result = await build({
    entryPoints: [path.join(sources, file)],
    outfile: target,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Whitespace and syntax only: identifiers (class and function names in stacks) stay as written.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'inline',
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  const code = result.outputFiles[0].text;
  // A CommonJS package bundled into an ES module still calls require() for Node built-ins (yaml
  // does, for `process`): give the bundle a real one.
  const header = [
    `// Bundled by scripts/bundle-vendor.mjs from core/vendor/${file}: ${packagesIn(result.metafile).join(', ')}.`,
    `import { createRequire as __sluiceCreateRequire } from 'node:module';`,
    `const require = __sluiceCreateRequire(import.meta.url);`,
  ].join('\n');
  writeFileSync(target, `${header}\n${code}`);
  // tsc's source map described the re-export, not the bundle.
  rmSync(`${target}.map`, { force: true });
}
