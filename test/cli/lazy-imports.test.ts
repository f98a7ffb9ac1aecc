// Each command loads only what it needs: `--help` nothing beyond Node, `config validate` of the
// embedded default and `plugins` no HTTP stack, no database driver, no Redis, `scan` no server. This
// is what keeps them fast, asserted by the packages loaded (never by wall-clock time).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { tempDir } from '../helpers/gateway.js';
import { bin, cleanEnv } from './run-cli.js';

const mainUrl = pathToFileURL(path.join(path.dirname(bin), '../dist/core/cli/main.js')).href;
const runBundleUrl = pathToFileURL(path.join(path.dirname(bin), '../dist/core/vendor/run-bundle.js')).href;

/**
 * Runs main(args) in a fresh Node and lists the npm packages it loaded: the CommonJS ones named here
 * from require's cache, and zod, yaml and semver from the one-file bundles `npm run build` makes of
 * them (core/vendor; a build by tsc alone loads them from node_modules, where yaml is CommonJS too).
 */
function packagesLoadedBy(args: string[], cwd: string): string[] {
  const script = `const MARK = ${JSON.stringify(MARK)};
    import { createRequire } from 'node:module';
    import path from 'node:path';
    const { main } = await import(${JSON.stringify(mainUrl)});
    const code = await main(JSON.parse(process.argv[1]), { out() {}, err(l) { process.stderr.write(l + '\\n'); } });
    const { bundlesRun } = await import(${JSON.stringify(runBundleUrl)});
    const names = new Set(Object.keys(createRequire(import.meta.url).cache)
      .map((file) => /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(file)?.[1]).filter(Boolean));
    for (const file of bundlesRun()) names.add(path.basename(file, '.bundle.cjs'));
    process.stdout.write('\\n' + MARK + JSON.stringify({ code, packages: [...names].sort() }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(args)], { cwd, encoding: 'utf8', env: cleanEnv({ SLUICE_HOME: path.join(cwd, 'home') }), timeout: 20_000 });
  expect(r.status, r.stderr).to.equal(0);
  const { code, packages } = JSON.parse(r.stdout.slice(r.stdout.lastIndexOf(MARK) + MARK.length)) as { code: number; packages: string[] };
  expect(code, `${args.join(' ')}: ${r.stderr}`).to.be.oneOf([0, 1]);
  return packages;
}

// Commands such as scan print on stdout themselves; the result follows this marker.
const MARK = '@@sluice-test-loaded@@';

// prom-client too: plugins declare their metrics in setup, but nothing is counted or rendered.
const SERVER = ['koa', '@koa/router', 'undici', 'knex', 'pg', 'ioredis', 'better-sqlite3', 'prom-client'];

describe('sluice CLI: what each command loads', () => {
  const cwd = tempDir('sluice-lazy-');
  const text = path.join(cwd, 'input.txt');
  writeFileSync(text, 'mail me at someone@example.com\n');

  it('--help loads no package at all', () => {
    expect(packagesLoadedBy(['--help'], cwd)).to.deep.equal([]);
  });

  it('start --help and a mistyped flag load no package', () => {
    expect(packagesLoadedBy(['start', '--help'], cwd)).to.deep.equal([]);
    expect(packagesLoadedBy(['start', '--prot', '80'], cwd)).to.deep.equal([]);
  });

  it('config validate of the embedded default loads the YAML parser but no server, driver or RE2', () => {
    const loaded = packagesLoadedBy(['config', 'validate'], cwd);
    expect(loaded).to.include('yaml');
    expect(loaded.filter((p) => [...SERVER, 're2'].includes(p))).to.deep.equal([]);
  });

  it('plugins and prices load no server, driver or RE2', () => {
    expect(packagesLoadedBy(['plugins'], cwd).filter((p) => [...SERVER, 're2'].includes(p))).to.deep.equal([]);
    expect(packagesLoadedBy(['prices', 'gpt-4o'], cwd).filter((p) => [...SERVER, 're2'].includes(p))).to.deep.equal([]);
  });

  it('scan loads RE2 (its engine) but no server or driver, nor pino while nothing is logged', () => {
    const loaded = packagesLoadedBy(['scan', text], cwd);
    expect(loaded).to.include('re2');
    expect(loaded.filter((p) => [...SERVER, 'pino'].includes(p))).to.deep.equal([]);
  });

  it('scan with no config named parses none: no YAML parser (it uses no host, and the firewall runs with its defaults)', () => {
    expect(packagesLoadedBy(['scan', text], cwd)).to.not.include('yaml');
  });

  it('built-in plugins alone load no semver (a range is checked for plugins from elsewhere)', () => {
    expect(packagesLoadedBy(['scan', text], cwd)).to.not.include('semver');
    expect(packagesLoadedBy(['plugins'], cwd)).to.include('zod').and.not.include('semver');
  });
});
