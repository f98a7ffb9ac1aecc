// `node bin/sluice.js` in a checkout before `npm install` (which builds) or `npm run build`: the
// shim found no dist/ and Node printed a MODULE_NOT_FOUND stack. It now says what to run.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/gateway.js';
import { bin } from './run-cli.js';

describe('sluice CLI: a checkout that is not built', () => {
  it('says to build it, in one line, exit 1, instead of a stack trace', () => {
    const root = tempDir('sluice-unbuilt-');
    mkdirSync(path.join(root, 'bin'));
    copyFileSync(bin, path.join(root, 'bin', 'sluice.js'));
    writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'sluice', type: 'module' }));
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'sluice.js'), '--help'], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stderr).to.equal(`sluice: ${root} is not built (no dist/): run \`npm install\` there, or \`npm run build\` after a change\n`);
    expect(r.stdout).to.equal('');
    expect(r.status).to.equal(1);
  });
});
