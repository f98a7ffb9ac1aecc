// A PostgreSQL that stops answering (packets dropped, not refused) when a SIGTERM comes: the
// gateway still stops — the ledger's write times out and its rows go to the spill file, and the
// connection stuck in that write does not hold the process — and a later start writes them: rows
// == requests served, by request id.
import { expect } from 'chai';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../../core/storage/database.js';
import { freePort, tempDir } from '../helpers/gateway.js';
import { startSluiceProcess, type SluiceProcess } from '../helpers/sluice-process.js';
import { chat, until } from '../plugins/ledger/client.js';
import { BLOCKER, ledgerRows, ledgerYaml, PG, pgBehindProxy } from '../plugins/ledger/rig.js';

async function start(config: string, port: number): Promise<SluiceProcess> {
  return startSluiceProcess(['--config', config], `http://127.0.0.1:${port}/health`);
}

async function send(port: number, n: number, tag: string): Promise<string[]> {
  const ids = await Promise.all(Array.from({ length: n }, async (_, i) => {
    const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(chat('local-model', `${tag} ${i}`)) });
    await res.text();
    return res.headers.get('x-request-id')!;
  }));
  return ids;
}

describe('ledger: SIGTERM while PostgreSQL has stopped answering', function () {
  this.timeout(90_000);
  before(function () { if (!PG) this.skip(); });

  it('stops within its deadlines, the unwritten rows spilled; the next start writes them all', async () => {
    const { proxy, url, direct, drop } = await pgBehindProxy(PG!);
    const dir = tempDir('sluice-ledger-hung-');
    const port = await freePort();
    writeFileSync(path.join(dir, 'blocker.mjs'), BLOCKER);
    const config = path.join(dir, 'sluice.yaml');
    writeFileSync(config, ledgerYaml({
      database: url,
      server: `  port: ${port}\n  shutdown_grace_ms: 1000\n`,
      ledger: '      flush_interval_ms: 200\n      write_timeout_ms: 1000\n',
    }));
    let running: SluiceProcess | undefined;
    try {
      running = await start(config, port);
      const before = await send(port, 10, 'before');
      const knex = openDatabase(direct, dir);
      try {
        await until(async () => (await ledgerRows(knex)).length === 10, 10_000);
      } finally {
        await knex.destroy();
      }
      proxy.hang();
      const during = await send(port, 10, 'during');
      const stopped = Date.now();
      running.child.kill('SIGTERM');
      const code = await Promise.race([running.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 20_000))]);
      // The write's timeout (1 s) and the database close's (5 s), with room for a loaded machine.
      expect(code, running.output.join('').slice(-2000)).to.equal(0);
      expect(Date.now() - stopped).to.be.below(15_000);
      expect(readdirSync(path.join(dir, 'data', 'ledger-spill')).length, 'a spill file waits').to.be.greaterThan(0);

      await proxy.stop();
      await proxy.start();
      running = await start(config, port);
      const check = openDatabase(direct, dir);
      try {
        await until(async () => (await ledgerRows(check)).length === 20, 20_000);
        expect((await ledgerRows(check)).map((r) => r.request_id).sort()).to.deep.equal([...before, ...during].sort());
      } finally {
        await check.destroy();
      }
    } finally {
      await running?.stop();
      await proxy.close();
      await drop();
    }
  });
});
