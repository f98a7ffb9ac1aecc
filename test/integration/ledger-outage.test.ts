// Nothing lost when the database goes away for a while: PostgreSQL behind a TCP proxy that is cut
// (every connection reset, new ones refused) in the middle of a load and brought back. Rows wait
// in the spill file and are written when it returns: rows == requests served, by request id.
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { chat, post, type Sent } from '../plugins/ledger/client.js';
import { ledgerRows, PG, pgBehindProxy, startLedgerGateway } from '../plugins/ledger/rig.js';

describe('ledger: a PostgreSQL outage in the middle of a load', function () {
  this.timeout(90_000);
  before(function () { if (!PG) this.skip(); });

  it('spills while the database is unreachable and writes every row once it is back', async () => {
    const { proxy, url, direct, drop } = await pgBehindProxy(PG!);
    const rig = await startLedgerGateway({
      database: url,
      ledger: '      flush_interval_ms: 100\n      write_timeout_ms: 2000\n      batch_size: 20\n',
      // The close writes what the outage left behind: a grace that outlasts a write (the rig's is short).
      server: '  shutdown_grace_ms: 2000\n  body_limit: 4kb\n',
    });
    const sent: Sent[] = [];
    let spilled = false;
    try {
      const load = async (ms: number) => {
        const end = Date.now() + ms;
        while (Date.now() < end) {
          const batch = await Promise.all(Array.from({ length: 8 }, (_, i) => post(rig.gw.url, '/v1/chat/completions', chat('local-model', `load ${sent.length + i}`, { stream: i % 2 === 0 }))));
          sent.push(...batch);
        }
      };
      await load(800);
      await proxy.stop();
      await load(2500);
      spilled = readdirSync(path.join(rig.dir, 'data', 'ledger-spill')).length > 0;
      await proxy.start();
      await load(800);
      // The write errors were real, and counted.
      const metrics = await (await fetch(`${rig.gw.url}/metrics`)).text();
      expect(Number(/^sluice_ledger_write_errors_total (\d+)/m.exec(metrics)?.[1] ?? 0), 'write errors').to.be.greaterThan(0);
      // Written once it is back: the spill file empties while the gateway runs. Waited for, not
      // assumed at close: on a loaded machine a write after the restart can outlast the 100 ms
      // interval, and its rows (and the next cycles') then spill again until it settles; a close in
      // that window leaves them to the next start (docs/ledger.md), which this test does not make.
      const deadline = Date.now() + 40_000;
      for (;;) {
        const text = await (await fetch(`${rig.gw.url}/metrics`)).text();
        if (/^sluice_ledger_spill_rows 0$/m.test(text)) break;
        // Not drained in time: say so, with what the gateway reported, rather than as missing rows.
        if (Date.now() > deadline) {
          expect.fail(`the spill file was not replayed within 40 s: ${text.split('\n').filter((l) => l.startsWith('sluice_ledger_')).join('; ')}; log: ${rig.gw.logs.filter((l) => l.includes('ledger')).slice(-5).join(' | ')}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await rig.gw.close();
      await proxy.close();
    }
    expect(spilled, 'rows went to the spill file during the outage').to.equal(true);
    const knex = (await import('../../core/storage/database.js')).openDatabase(direct, rig.dir);
    try {
      const rows = await ledgerRows(knex);
      expect(sent.every((s) => s.status === 200)).to.equal(true);
      expect(rows.map((r) => r.request_id).sort()).to.deep.equal(sent.map((s) => s.id).sort());
      expect(readdirSync(path.join(rig.dir, 'data', 'ledger-spill')), 'the spill file is gone once replayed').to.deep.equal([]);
    } finally {
      await knex.destroy();
      await drop();
    }
  });
});
