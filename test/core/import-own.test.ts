// importOwn: require() where Node can, the same module instances as import(), and import() for a
// module require() cannot load (top-level await).
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { importOwn } from '../../core/import-own.js';
import { tempDir } from '../helpers/gateway.js';

describe('importOwn', () => {
  const dir = tempDir('sluice-import-own-');

  it('gives the very module import() gives (one module map), loaded first either way', async () => {
    const first = pathToFileURL(path.join(dir, 'first.mjs'));
    writeFileSync(first, 'export const made = {};\n');
    const own = await importOwn<{ made: object }>(first);
    const imported = (await import(first.href)) as { made: object };
    expect(own.made).to.equal(imported.made);

    const second = pathToFileURL(path.join(dir, 'second.mjs'));
    writeFileSync(second, 'export const made = {};\n');
    const importedFirst = (await import(second.href)) as { made: object };
    expect((await importOwn<{ made: object }>(second)).made).to.equal(importedFirst.made);
  });

  it('loads a module with top-level await (through import())', async () => {
    const url = pathToFileURL(path.join(dir, 'awaits.mjs'));
    writeFileSync(url, 'export const value = await Promise.resolve(42);\n');
    expect((await importOwn<{ value: number }>(url)).value).to.equal(42);
  });

  it("rejects with the module's own error", async () => {
    const url = pathToFileURL(path.join(dir, 'throws.mjs'));
    writeFileSync(url, "throw new Error('broken on purpose');\n");
    let message = '';
    await importOwn(url).catch((err: Error) => { message = err.message; });
    expect(message).to.equal('broken on purpose');
  });
});
