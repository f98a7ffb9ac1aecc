// A plugin that names its metric like one of core's (`sluice_requests_total`) is refused at its line
// in the config. Before, the registry handed it core's series: its unlabelled increments appeared in
// /metrics as a bogus `sluice_requests_total N` beside core's, under the plugin's help text.
import { expect } from 'chai';
import { ConfigError } from '../../core/config/config-error.js';
import { config, startGateway } from '../helpers/gateway.js';

const PLUGIN = (metric: string) => `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'counts', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  setup: (o, host) => { const c = host.metrics.counter('${metric}', 'what my plugin counts'); return { middleware: async (ctx, next) => { c.inc(); await next(); } }; } });
`;

describe('a plugin metric named like one of core\'s', () => {
  it('is refused at the plugin\'s line, and core\'s series stay core\'s', async () => {
    const yaml = config({ chain: '  - use: ./counts.js\n  - use: router\n    with: { default: local }' });
    const err = await startGateway(yaml, { files: { 'counts.js': PLUGIN('sluice_requests_total') } }).then(async (g) => { await g.close(); return undefined; }, (e: unknown) => e);
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as Error).message).to.match(/sluice\.yaml:\d+:\d+: plugin counts failed to start: metric sluice_requests_total is already registered with other help or labels/);
  });

  it('a name of its own works', async () => {
    const gw = await startGateway(config({ chain: '  - use: ./counts.js\n  - use: router\n    with: { default: local }' }), { files: { 'counts.js': PLUGIN('counts_seen_total') } });
    try {
      await (await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'hi' }] }) })).text();
      const text = await (await fetch(`${gw.url}/metrics`)).text();
      expect(text).to.include('counts_seen_total 1\n');
      expect(text).to.not.match(/^sluice_requests_total \d/m);
    } finally { await gw.close(); }
  });
});
