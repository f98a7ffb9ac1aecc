// The config file watch on its own (the reload it triggers is SIGHUP's; config-watch.test.ts in
// integration runs it in `sluice start`): one reload per save however many steps the save takes,
// none for unchanged content or a file caught empty between truncate and write, none after close.
import { expect } from 'chai';
import { openSync, renameSync, unlinkSync, writeFileSync, writeSync, closeSync, ftruncateSync } from 'node:fs';
import path from 'node:path';
import { configDigest } from '../../core/config/load.js';
import { watchConfigFile, type ConfigWatch } from '../../core/config/watch.js';
import { tempDir } from '../helpers/gateway.js';

const quiet = { debug: () => {}, info: () => {}, warn: () => {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, probe: () => boolean, ms = 3000): Promise<void> {
  for (const end = Date.now() + ms; !probe();) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('config file watch', () => {
  let dir: string;
  let file: string;
  let reloads: string[];
  let watch: ConfigWatch | undefined;
  const DEBOUNCE = 40;

  const start = (content: string) => {
    writeFileSync(file, content);
    watch = watchConfigFile({ file, digest: configDigest(content), logger: quiet, debounceMs: DEBOUNCE, reload: async () => { reloads.push(file); } });
  };
  beforeEach(() => { dir = tempDir('sluice-watch-unit-'); file = path.join(dir, 'sluice.yaml'); reloads = []; });
  afterEach(() => { watch?.close(); watch = undefined; });

  it('gathers a save done in steps (truncate, then several writes) into one reload', async () => {
    start('one: 1\n');
    const fd = openSync(file, 'r+');
    ftruncateSync(fd, 0);
    writeSync(fd, 'two: 2\n', 0);
    writeSync(fd, 'three: 3\n', 7);
    closeSync(fd);
    await until('a reload', () => reloads.length === 1);
    await sleep(DEBOUNCE * 4);
    expect(reloads).to.have.length(1);
  });

  it('reloads after a replacement by rename, and keeps watching the new file', async () => {
    start('one: 1\n');
    writeFileSync(path.join(dir, 'tmp'), 'two: 2\n');
    renameSync(path.join(dir, 'tmp'), file);
    await until('a reload after the rename', () => reloads.length === 1);
    writeFileSync(file, 'three: 3\n');
    await until('a reload after writing the new file', () => reloads.length === 2);
  });

  it('does not reload for the same content, an empty file, a missing one, or another file in the directory', async () => {
    start('one: 1\n');
    writeFileSync(file, 'one: 1\n');
    await sleep(DEBOUNCE * 4);
    writeFileSync(file, '');
    await sleep(DEBOUNCE * 4);
    unlinkSync(file);
    await sleep(DEBOUNCE * 4);
    writeFileSync(path.join(dir, 'other.yaml'), 'x: 1\n');
    await sleep(DEBOUNCE * 4);
    expect(reloads).to.have.length(0);
    // Written back as it was: still nothing to reload.
    writeFileSync(file, 'one: 1\n');
    await sleep(DEBOUNCE * 4);
    expect(reloads).to.have.length(0);
  });

  it('stops on close', async () => {
    start('one: 1\n');
    watch!.close();
    writeFileSync(file, 'two: 2\n');
    await sleep(DEBOUNCE * 4);
    expect(reloads).to.have.length(0);
  });
});
