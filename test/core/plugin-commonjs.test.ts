// A plugin written in TypeScript and compiled with tsc's default CommonJS output sets
// `exports.default = definePlugin(…)`; Node hands an ESM importer the whole `module.exports` as the
// default export. Such a plugin must load like its ESM twin, from a file and from a package.
import { expect } from 'chai';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importPlugin } from '../../core/plugin/loader.js';
import { tempDir } from '../helpers/gateway.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const COMPILED = `"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
const sluice_1 = require("sluice");
exports.default = (0, sluice_1.definePlugin)({ name: 'compiled', version: '1.0.0', sluice: '^0.1.0', options: sluice_1.z.strictObject({}),
  setup: () => ({ middleware: async (_ctx, next) => { await next(); } }) });
`;

describe('plugin loader: TypeScript compiled to CommonJS', () => {
  it('loads `exports.default` of a compiled file and of a compiled package', async () => {
    const dir = tempDir('sluice-cjs-plugin-');
    // The author installed Sluice beside the config for its types (npm i -D sluice).
    mkdirSync(path.join(dir, 'node_modules'));
    symlinkSync(REPO, path.join(dir, 'node_modules', 'sluice'));
    writeFileSync(path.join(dir, 'compiled.js'), COMPILED);
    const file = await importPlugin('./compiled.js', dir);
    expect(file.definition.name).to.equal('compiled');
    const pkg = path.join(dir, 'node_modules', 'sluice-plugin-compiled');
    mkdirSync(pkg);
    writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'sluice-plugin-compiled', version: '1.0.0', main: 'index.js' }));
    writeFileSync(path.join(pkg, 'index.js'), COMPILED);
    const fromPackage = await importPlugin('sluice-plugin-compiled', dir);
    expect(fromPackage.definition.name).to.equal('compiled');
  });
});
