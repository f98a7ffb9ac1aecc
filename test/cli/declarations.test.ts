// The shipped declarations type-check in a plugin author's project with the strictest common
// settings — `strict` plus `exactOptionalPropertyTypes` and `noUncheckedIndexedAccess`, and
// `skipLibCheck: false` — so a third-party TypeScript plugin does not fail on Sluice's own .d.ts.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const PLUGIN = `import { definePlugin, z, GatewayError, stateKey, type Exchange, type Provider } from 'sluice';
import { runPlugin } from 'sluice/testing';
const SEEN = stateKey<number>('strict.seen');
const plugin = definePlugin({
  name: 'strict', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({ limit: z.number().int().default(1) }),
  setup(o, host) {
    return {
      middleware: async (ctx, next) => {
        const ex: Exchange = ctx.exchange;
        if (o.limit < 0) throw new GatewayError('SLUICE_E_FORBIDDEN', 'no');
        ex.set(SEEN, o.limit);
        const p: Provider | undefined = host.providers.get('x');
        ex.responseHeaders['x-p'] = p?.name ?? '';
        await next();
      },
    };
  },
});
export const run = () => runPlugin(plugin, { path: '/v1/chat/completions', body: { model: 'm', messages: [] } });
export default plugin;
`;

describe('the shipped .d.ts under a strict plugin project', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sluice-dts-'));
    mkdirSync(path.join(dir, 'node_modules'));
    symlinkSync(root, path.join(dir, 'node_modules', 'sluice'), 'dir');
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'strict-plugin', type: 'module' }));
    writeFileSync(path.join(dir, 'plugin.ts'), PLUGIN);
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, exactOptionalPropertyTypes: true,
        noUncheckedIndexedAccess: true, skipLibCheck: false, noEmit: true, types: ['node'], typeRoots: [path.join(root, 'node_modules/@types')],
      },
      files: ['plugin.ts'],
    }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('type-checks with no error', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).to.equal('');
    expect(r.status).to.equal(0);
  });
});
