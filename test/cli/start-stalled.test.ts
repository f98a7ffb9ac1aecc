// A plugin whose start() awaits something nothing will ever settle (an event no timer, socket or
// callback brings) leaves Node's event loop empty: the process used to exit 0 without a word and
// without listening — a supervisor that restarts on failure saw success. Start-up now fails with
// the plugin's line in the config, exit 1.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/gateway.js';
import { sluice } from './run-cli.js';

const STALLS = `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'stalls', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  setup: () => ({ start: () => new Promise(() => {}) }) });
`;

describe('sluice start: a plugin start() that can never finish', function () {
  this.timeout(90_000);
  it('fails start-up at the plugin\'s line with exit 1, instead of exiting 0 silently', () => {
    const dir = tempDir('sluice-stalled-');
    writeFileSync(path.join(dir, 'stalls.mjs'), STALLS);
    const file = path.join(dir, 'sluice.yaml');
    writeFileSync(file, 'providers: { local: { type: loopback } }\nchain:\n  - use: router\n    with: { default: local }\n  - use: ./stalls.mjs\n');
    const r = sluice(['start', '--config', file, '--port', '0'], { env: { SLUICE_HOME: path.join(dir, 'home') } });
    expect(r.stderr).to.match(new RegExp(`^sluice: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:5:5: plugin stalls failed to start: its start\\(\\) never settled`));
    expect(r.status).to.equal(1);
  });
});
