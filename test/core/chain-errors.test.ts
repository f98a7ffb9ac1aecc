// Plugin option problems across the chain are reported together, each at its own file:line:column,
// so a file with typos in two plugins' options is fixed in one round.
import { expect } from 'chai';
import path from 'node:path';
import { ConfigError } from '../../core/config/config-error.js';
import { parseConfigText } from '../../core/config/load.js';
import { loadChain } from '../../core/plugin/loader.js';
import { tempDir } from '../helpers/gateway.js';

describe('chain loading: every plugin option problem at once', () => {
  it('lists the problems of two plugins, each with its location', async () => {
    const file = path.join(tempDir('sluice-chain-errors-'), 'sluice.yaml');
    const loaded = parseConfigText(`providers: { local: { type: loopback } }
chain:
  - use: router
    with: { defualt: local }
  - use: firewall
    with: { mode: loud }
`, file, {});
    let err: unknown;
    try { await loadChain(loaded); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(ConfigError);
    const lines = (err as Error).message.split('\n');
    expect(lines).to.have.length.of.at.least(2);
    expect(lines[0]).to.match(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:4:\\d+: plugin router: chain\\[0\\]\\.with\\.defualt`));
    expect(lines.some((l) => /:6:\d+: plugin firewall: chain\[1\]\.with\.mode/.test(l))).to.equal(true);
  });
});
