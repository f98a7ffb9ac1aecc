// A plugin's reload() must return the function that swaps its new options in. One that applies them
// itself and returns nothing (an easy slip in JavaScript) used to fail only at the swap step, after
// the plugins before it had swapped: the log said "config reload rejected; keeping the running config"
// while the other plugins ran with the new options. It is now refused before anything is swapped,
// naming the plugin at its line.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../core/config/config-error.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

const GOOD = `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'good', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({ v: z.string() }),
  setup: (opts) => { let o = opts; return {
    middleware: async ({ exchange }, next) => { exchange.responseHeaders['x-good'] = o.v; await next(); },
    reload: (next) => () => { o = next; },
  }; } });`;
const NO_SWAP = `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'noswap', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({ v: z.string() }),
  setup: () => ({ reload(next) { /* applies nothing, returns nothing */ } }) });`;

const yaml = (v: string) => config({ chain: `  - use: ./good.js\n    with: { v: ${v} }\n  - use: ./noswap.js\n    with: { v: ${v} }\n  - use: router\n    with: { default: local }` });

describe('reload: a plugin whose reload() returns no swap function', () => {
  let gw: TestGateway;
  after(async () => { await gw?.close(); });

  it('is refused at its line before any plugin swaps, and the running options stay', async () => {
    gw = await startGateway(yaml('one'), { files: { 'good.js': GOOD, 'noswap.js': NO_SWAP } });
    writeFileSync(path.join(gw.dir, 'sluice.yaml'), yaml('two'));
    const err = await gw.gateway.reload().then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as Error).message).to.match(/sluice\.yaml:\d+:\d+: plugin noswap rejected its new options: reload\(\) must return the function that applies them/);
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'hi' }] }) });
    await res.text();
    expect(res.headers.get('x-good')).to.equal('one');
  });
});
