// mkdir -p one level at a time: Node 20's recursive mkdir never returns for a path under /proc.
import { expect } from 'chai';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeDirSync } from '../../core/storage/make-dir.js';

describe('makeDirSync', () => {
  const base = () => mkdtempSync(path.join(os.tmpdir(), 'sluice-make-dir-'));

  it('makes missing parents, and leaves an existing directory alone', () => {
    const root = base();
    const deep = path.join(root, 'a', 'b', 'c');
    makeDirSync(deep);
    expect(statSync(deep).isDirectory()).to.equal(true);
    makeDirSync(path.join(root, 'a', 'x', 'y'));
    makeDirSync(deep);
    expect(statSync(path.join(root, 'a', 'x', 'y')).isDirectory()).to.equal(true);
  });

  it('fails at once with the level\'s own error: under /proc (where recursive mkdir loops for ever), or through a file', function () {
    if (process.platform !== 'linux') this.skip();
    const started = Date.now();
    expect(() => makeDirSync('/proc/sluice-nope/spill')).to.throw(/ENOENT/);
    expect(() => makeDirSync('/proc/sluice-nope')).to.throw(/ENOENT: no such file or directory, mkdir '\/proc\/sluice-nope'/);
    expect(Date.now() - started).to.be.below(1000);
    const file = path.join(base(), 'file');
    writeFileSync(file, '');
    expect(() => makeDirSync(file)).to.throw(/ENOTDIR/);
    expect(() => makeDirSync(path.join(file, 'sub'))).to.throw(/ENOTDIR/);
    expect(existsSync(path.join(file, 'sub'))).to.equal(false);
  });
});
