// mkdir -p one level at a time: Node 20's recursive mkdir never returns for a path under /proc.
import { expect } from 'chai';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeDir, makeDirSync } from '../../core/storage/make-dir.js';

describe('makeDir / makeDirSync', () => {
  const base = () => mkdtempSync(path.join(os.tmpdir(), 'sluice-make-dir-'));

  it('makes missing parents, and leaves an existing directory alone (twice at once too)', async () => {
    const root = base();
    const deep = path.join(root, 'a', 'b', 'c');
    await Promise.all([makeDir(deep), makeDir(deep)]);
    expect(statSync(deep).isDirectory()).to.equal(true);
    makeDirSync(path.join(root, 'a', 'x', 'y'));
    makeDirSync(deep);
    expect(statSync(path.join(root, 'a', 'x', 'y')).isDirectory()).to.equal(true);
  });

  it('fails at once with the level\'s own error: under /proc (where recursive mkdir loops for ever), or through a file', async function () {
    if (process.platform !== 'linux') this.skip();
    const started = Date.now();
    expect(await makeDir('/proc/sluice-nope/spill').catch((e: NodeJS.ErrnoException) => e.code)).to.equal('ENOENT');
    expect(() => makeDirSync('/proc/sluice-nope')).to.throw(/ENOENT: no such file or directory, mkdir '\/proc\/sluice-nope'/);
    expect(Date.now() - started).to.be.below(1000);
    const file = path.join(base(), 'file');
    writeFileSync(file, '');
    expect(await makeDir(file).catch((e: NodeJS.ErrnoException) => e.code)).to.equal('ENOTDIR');
    expect(() => makeDirSync(path.join(file, 'sub'))).to.throw(/ENOTDIR/);
    expect(existsSync(path.join(file, 'sub'))).to.equal(false);
  });
});
