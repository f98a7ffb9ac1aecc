// The chain options: defaults, validation with option paths, reload, and the embedded default.
import { expect } from 'chai';
import path from 'node:path';
import { parseOptions, SchemaError } from '../../../core/index.js';
import { loadConfigFile } from '../../../core/config/load.js';
import { createTestHost, runPlugin } from '../../../core/testing/index.js';
import firewall from '../../../plugins/firewall/index.js';
import { firewallOptions } from '../../../plugins/firewall/options.js';

describe('firewall chain options', () => {
  it('defaults: monitor, restore, output off, header on, a bounded cache', () => {
    const o = parseOptions(firewallOptions, {});
    expect([o.mode, o.restore, o.output, o.header, o.cache_entries]).to.deep.equal(['monitor', true, { mode: 'off', hold_chars: 32 }, true, 20000]);
  });

  it('names the option path of a bad value', () => {
    expect(() => parseOptions(firewallOptions, { mode: 'block' })).to.throw(SchemaError, /mode:/);
    expect(() => parseOptions(firewallOptions, { entities: { EMAIL_ADDRESS: { action: 'mask' } } })).to.throw(SchemaError, /entities\.EMAIL_ADDRESS/);
    expect(() => parseOptions(firewallOptions, { output: { mode: 'on' } })).to.throw(SchemaError, /output\.mode/);
    expect(() => parseOptions(firewallOptions, { output: { hold_chars: 2 } })).to.throw(SchemaError, /output\.hold_chars/);
  });

  it('reload swaps in new options at once', async () => {
    const host = createTestHost();
    const instance = await firewall.setup!(parseOptions(firewallOptions, { mode: 'monitor' }), host);
    const body = { model: 'm', messages: [{ role: 'user', content: 'mail ann.lee@corp-mail.io' }] };
    const upstream = { json: {} };
    expect((await runPlugin(firewall, { path: '/v1/chat/completions', body: structuredClone(body), upstream, instance })).status).to.equal(200);
    const swap = await instance.reload!(parseOptions(firewallOptions, { mode: 'enforce' }));
    expect((await runPlugin(firewall, { path: '/v1/chat/completions', body: structuredClone(body), upstream, instance })).status, 'not before the swap').to.equal(200);
    swap();
    expect((await runPlugin(firewall, { path: '/v1/chat/completions', body: structuredClone(body), upstream, instance })).status).to.equal(400);
  });

  it('the embedded default runs the firewall in monitor mode, before the router', async () => {
    const loaded = await loadConfigFile(path.join(process.cwd(), 'config/sluice.yaml'));
    const uses = loaded.config.chain.map((entry) => entry.use);
    expect(uses.indexOf('firewall')).to.be.greaterThan(-1).and.lessThan(uses.indexOf('router'));
    expect(loaded.config.chain[uses.indexOf('firewall')]!.with).to.deep.equal({ mode: 'monitor' });
  });
});
