// `sluice marketplace status` is a report: it reads the database the gateway writes to and never
// migrates it. Pointed at a database that is not there (a mistyped --config or storage.database) it
// says so and creates nothing. Before, it created the SQLite file with every table of the chain and
// reported "0 unsent, never pushed" from it — while the real outbox might hold thousands.
import { expect } from 'chai';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sluice } from '../cli/run-cli.js';
import { tempDir } from '../helpers/gateway.js';

describe('sluice marketplace status over a database that does not exist', function () {
  this.timeout(30_000);
  it('warns naming storage.database, reports an empty outbox, and creates no file', () => {
    const dir = tempDir('sluice-market-status-');
    const missing = path.join(dir, 'nodir', 'x.db');
    const config = path.join(dir, 'sluice.yaml');
    writeFileSync(config, `storage: { database: "sqlite:${missing}" }
providers: { local: { type: loopback } }
chain:
  - { use: router, with: { default: local } }
  - { use: ledger }
  - { use: marketplace, with: { url: "http://127.0.0.1:9", api_key: k, gateway_id: gw } }
`);
    const r = sluice(['marketplace', 'status', '--config', config, '--json'], { env: { SLUICE_HOME: path.join(dir, 'home') } });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/^sluice: warning: .*sluice\.yaml:1:\d+: storage\.database: no database at .*x\.db yet/);
    expect(JSON.parse(r.stdout)).to.deep.include({ push: null, outbox: { unsent: 0, oldest_unsent: null } });
    expect(existsSync(path.dirname(missing))).to.equal(false);
  });

  it('prints the marketplace URL without the credentials written into it', () => {
    const dir = tempDir('sluice-market-status-');
    const config = path.join(dir, 'sluice.yaml');
    writeFileSync(config, `providers: { local: { type: loopback } }
chain:
  - { use: router, with: { default: local } }
  - { use: marketplace, with: { url: "https://buyer:hunter2secret@market.example/api?token=tok-secret-1", api_key: k, gateway_id: gw } }
`);
    for (const args of [[], ['--json']]) {
      const r = sluice(['marketplace', 'status', '--config', config, ...args], { env: { SLUICE_HOME: path.join(dir, 'home') } });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout, args.join(' ')).to.include('market.example').and.not.include('hunter2secret').and.not.include('tok-secret-1');
    }
  });

  it('a stray argument after status is named as such (exit 2), not as a wrong sub-command', () => {
    const dir = tempDir('sluice-market-status-');
    const config = path.join(dir, 'sluice.yaml');
    writeFileSync(config, `providers: { local: { type: loopback } }
chain:
  - { use: router, with: { default: local } }
  - { use: marketplace, with: { url: "http://127.0.0.1:9", api_key: k, gateway_id: gw } }
`);
    const r = sluice(['marketplace', 'status', 'extra', '--config', config], { env: { SLUICE_HOME: path.join(dir, 'home') } });
    expect(r.status).to.equal(2);
    expect(r.stderr.split('\n')[0]).to.equal('sluice: marketplace: unexpected argument "extra"');
    expect(r.stdout).to.equal('');
  });

  it('a config without the marketplace plugin is an error of the config (exit 2, as docs/cli.md gives plugin commands), naming what is missing', () => {
    const dir = tempDir('sluice-market-status-');
    const config = path.join(dir, 'sluice.yaml');
    writeFileSync(config, `providers: { local: { type: loopback } }
chain:
  - { use: router, with: { default: local } }
`);
    const r = sluice(['marketplace', 'status', '--config', config], { env: { SLUICE_HOME: path.join(dir, 'home') } });
    expect(r.status, r.stderr).to.equal(2);
    expect(r.stderr).to.match(/the config has no marketplace plugin/);
  });
});
