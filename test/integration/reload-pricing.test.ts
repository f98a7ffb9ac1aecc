// SIGHUP reload of the `pricing:` table: new prices apply to the next request for every plugin that
// prices through `host.pricing` (the ledger, the limits, the marketplace), and a reload that is
// rejected keeps the old prices. Before, a changed `pricing:` was logged as "config reloaded" and
// silently kept the prices of start-up until a restart.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

const PRICE_PLUGIN = `import { definePlugin, z } from 'sluice';
export default definePlugin({
  name: 'show-price', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({ tag: z.string().default('a') }),
  setup: (o, host) => ({
    middleware: async ({ exchange }, next) => {
      const usage = { inputTokens: 1_000_000, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
      exchange.responseHeaders['x-input-cost'] = String(host.pricing.cost(usage, 'priced-model')?.total ?? 'none');
      await next();
    },
    reload: () => () => {},
  }),
});`;

function yaml(input: number, routerDefault = 'local'): string {
  return `${config({ chain: `  - use: ./show-price.js\n  - use: router\n    with: { default: ${routerDefault} }` })}pricing:\n  priced-*: { input: ${input}, output: 1 }\n`;
}

describe('SIGHUP reload of pricing', () => {
  let gw: TestGateway;
  afterEach(async () => { await gw?.close(); });

  const cost = async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'hi' }] }) });
    await res.text();
    return res.headers.get('x-input-cost');
  };

  it('applies the new prices to the next request', async () => {
    gw = await startGateway(yaml(2), { files: { 'show-price.js': PRICE_PLUGIN } });
    expect(await cost()).to.equal('2');
    writeFileSync(path.join(gw.dir, 'sluice.yaml'), yaml(7));
    await gw.gateway.reload();
    expect(await cost()).to.equal('7');
    expect(gw.logs.some((l) => l.includes('"config reloaded"') && l.includes('"pricing_changed":true'))).to.equal(true);
  });

  it('a rejected reload keeps the old prices', async () => {
    gw = await startGateway(yaml(2), { files: { 'show-price.js': PRICE_PLUGIN } });
    writeFileSync(path.join(gw.dir, 'sluice.yaml'), yaml(9, 'nowhere'));
    let rejected = false;
    try { await gw.gateway.reload(); } catch { rejected = true; }
    expect(rejected).to.equal(true);
    expect(await cost()).to.equal('2');
  });
});
