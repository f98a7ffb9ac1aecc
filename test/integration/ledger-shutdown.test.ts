// Nothing lost: a SIGTERM to a real `sluice start` in the middle of a load of concurrent streams
// ends with one ledger row per request the gateway answered (by request id) — streams that finished
// within the grace period, streams cut at its end, and requests refused while draining.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../../core/storage/database.js';
import { freePort, tempDir } from '../helpers/gateway.js';
import { startSluiceProcess } from '../helpers/sluice-process.js';
import { chat, until } from '../plugins/ledger/client.js';
import { BLOCKER, ledgerRows, ledgerYaml, slowUpstream } from '../plugins/ledger/rig.js';


/** One request; resolves with the id the gateway gave it (undefined when it never answered). */
async function streamRequest(base: string, body: unknown): Promise<string | undefined> {
  try {
    const res = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const id = res.headers.get('x-request-id') ?? undefined;
    await res.text().catch(() => undefined); // a cut stream may end abruptly
    return id;
  } catch {
    return undefined; // refused: the listener had closed, nothing was served
  }
}

describe('ledger: SIGTERM in the middle of a load of concurrent streams', function () {
  this.timeout(60_000);

  it('rows == requests served, by request id', async () => {
    const mock = await slowUpstream();
    const dir = tempDir('sluice-ledger-term-');
    const port = await freePort();
    writeFileSync(path.join(dir, 'blocker.mjs'), BLOCKER);
    const database = `sqlite:${path.join(dir, 'ledger.db')}`;
    writeFileSync(path.join(dir, 'sluice.yaml'), ledgerYaml({
      database, upstreamUrl: mock.url,
      // Streams of ~1.2 s against a 600 ms grace: some finish, the rest are cut.
      server: `  port: ${port}\n  shutdown_grace_ms: 600\n`,
      ledger: '      flush_interval_ms: 1000\n',
    }));
    const base = `http://127.0.0.1:${port}`;
    const gateway = await startSluiceProcess(['--config', path.join(dir, 'sluice.yaml')], `${base}/health`);
    const { child, exited } = gateway;
    try {
      const pending: Promise<string | undefined>[] = [];
      for (let i = 0; i < 40; i++) pending.push(streamRequest(base, chat('gpt-4o-mini', `[[slow ${10 + (i % 50)}]] [[gap 25]] n${i}`, { stream: true })));
      for (let i = 0; i < 10; i++) pending.push(streamRequest(base, chat('local-model', `json ${i}`)));
      // Once most streams are in flight upstream (not after a fixed delay, which a loaded machine may
      // spend accepting them), and soon enough that the slowest are still running when the shutdown
      // deadline cuts them.
      await until(() => mock.requests.length >= 30, 30_000);
      child.kill('SIGTERM');
      // Requests arriving while it drains are refused (503) or never connect.
      for (let i = 0; i < 10; i++) pending.push(streamRequest(base, chat('local-model', `late ${i}`)));
      const ids = (await Promise.all(pending)).filter((id): id is string => id !== undefined);
      expect(await exited, gateway.output.join('').slice(-2000)).to.equal(0);
      // At least the 30 seen upstream before SIGTERM were answered: the check is meaningful.
      expect(ids.length).to.be.at.least(30);
      const knex = openDatabase(database, dir);
      try {
        const rows = await ledgerRows(knex);
        const rowIds = rows.map((r) => r.request_id);
        expect(new Set(rowIds).size, 'one row per request').to.equal(rowIds.length);
        // Every request the gateway answered has its row...
        expect(rowIds).to.include.members(ids);
        // ...and a row the client did not see is a request the shutdown ended before its client read
        // an answer: a late one refused while draining, whose 503 was written as the process closed
        // its connection (the client saw a reset), or one still waiting for its upstream's head when
        // the grace ran out, recorded as not delivered (499). Either way its error code says the
        // shutdown did it; nothing else may be unaccounted for.
        const unseen = rows.filter((r) => !ids.includes(r.request_id));
        for (const r of unseen) {
          expect(r['error_code'], r.request_id).to.equal('SLUICE_E_SHUTTING_DOWN');
          expect(Number(r['status']), r.request_id).to.be.oneOf([503, 499]);
        }
        // Each such row is a request the client got no id for: the 10 late ones, and any of the 50
        // cut while still waiting for their upstream's head (more of them on a loaded machine).
        expect(unseen.length).to.be.at.most(pending.length - ids.length);
        const outcomes = new Set(rows.map((r) => String(r['outcome'])));
        // The load really was cut mid-stream: some finished, some did not.
        expect(outcomes.has('success'), [...outcomes].join()).to.equal(true);
        expect(rows.some((r) => r['outcome'] !== 'success'), [...outcomes].join()).to.equal(true);
      } finally {
        await knex.destroy();
      }
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await mock.close();
    }
  });
});
