// A second SIGINT/SIGTERM while a real `sluice start` drains means "now": the operator who presses
// Ctrl-C twice does not wait out server.shutdown_grace_ms. In-flight streams are cut at once with
// their in-stream error (as at the deadline), yet the ledger still writes its rows and the process
// exits 0 — the second signal hurries the shutdown, it does not abandon it.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../../core/storage/database.js';
import { tempDir } from '../helpers/gateway.js';
import { onFreePort, startSluiceProcess, type SluiceProcess } from '../helpers/sluice-process.js';
import { chat, until } from '../plugins/ledger/client.js';
import { BLOCKER, ledgerRows, ledgerYaml, slowUpstream } from '../plugins/ledger/rig.js';
import type { MockUpstream } from '../helpers/mock-upstream.js';

interface LogLine { msg?: string; signal?: string; count?: number }

/** A stream that runs ~50 s; resolves once its first content arrived, with its id and the rest of its text. */
async function longStream(base: string): Promise<{ id: string; rest: Promise<string> }> {
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify(chat('gpt-4o-mini', '[[slow 1000]] [[gap 50]] go', { stream: true })),
  });
  const reader = res.body!.getReader();
  let text = '';
  while (!text.includes('word')) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended before its first content: ${text}`);
    text += Buffer.from(value).toString('utf8');
  }
  const rest = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (done) return text;
      text += Buffer.from(value).toString('utf8');
    }
  })();
  return { id: res.headers.get('x-request-id') ?? '', rest };
}

describe('shutdown: a second signal during the drain cuts in-flight requests at once', function () {
  this.timeout(60_000);
  let mock: MockUpstream;
  before(async () => { mock = await slowUpstream(); });
  after(async () => { await mock.close(); });

  for (const [first, second] of [['SIGINT', 'SIGINT'], ['SIGTERM', 'SIGTERM'], ['SIGTERM', 'SIGINT']] as const) {
    it(`${first} then ${second}: the stream gets its in-stream error, the ledger its row, and the process exits 0 long before the grace`, async () => {
      const dir = tempDir('sluice-second-signal-');
      writeFileSync(path.join(dir, 'blocker.mjs'), BLOCKER);
      const database = `sqlite:${path.join(dir, 'ledger.db')}`;
      let gateway!: SluiceProcess;
      const base = await onFreePort(async (port) => {
        writeFileSync(path.join(dir, 'sluice.yaml'), ledgerYaml({
          database, upstreamUrl: mock.url,
          // A grace far longer than the test: only the second signal can end the stream in time.
          server: `  port: ${port}\n  shutdown_grace_ms: 120000\n`,
          // Rows are only written by the shutdown's flush.
          ledger: '      flush_interval_ms: 60000\n',
        }));
        const url = `http://127.0.0.1:${port}`;
        gateway = await startSluiceProcess(['--config', path.join(dir, 'sluice.yaml')], `${url}/health`);
        return url;
      });
      const { child, exited, output } = gateway;
      try {
        const stream = await longStream(base);
        child.kill(first);
        await until(() => output.join('').includes('"shutting down"'), 10_000);
        const hurried = Date.now();
        child.kill(second);
        const code = await exited;
        const log = output.join('');
        expect(code, log.slice(-2000)).to.equal(0);
        // Without the hurry the drain would wait for the stream (~50 s) or the grace (120 s); the
        // close after the cut (the ledger's flush, its token counts) took 2–5 s at load 13 and 11 s
        // in a full run under load, so 20 s.
        expect(Date.now() - hurried, 'exited soon after the second signal').to.be.below(20_000);

        const text = await stream.rest;
        expect(text).to.contain('the gateway shut down before this response was complete');
        expect(text).to.not.contain('[DONE]');

        const lines = log.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine);
        expect(lines.find((l) => l.msg === 'second signal during the shutdown: cutting in-flight requests now'), log.slice(-2000))
          .to.include({ signal: second });
        expect(lines.find((l) => l.msg === 'cut in-flight requests on a second signal'), log.slice(-2000)).to.include({ count: 1 });
        expect(lines.some((l) => l.msg === 'stopped'), 'plugins closed and the gateway stopped').to.equal(true);

        const knex = openDatabase(database, dir);
        try {
          const rows = await ledgerRows(knex);
          expect(rows.map((r) => r.request_id)).to.deep.equal([stream.id]);
          expect(rows[0]!['outcome']).to.equal('error');
          expect(rows[0]!['error_code']).to.equal('SLUICE_E_SHUTTING_DOWN');
        } finally {
          await knex.destroy();
        }
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    });
  }

  it('a third signal ends the process at once, when closing hangs (a plugin whose close never settles: a hung database)', async () => {
    const dir = tempDir('sluice-third-signal-');
    writeFileSync(path.join(dir, 'hang.js'), `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'hang', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  setup: () => ({ close: () => new Promise(() => { setInterval(() => {}, 1000); }) }) });`); // waits as a hung connection would, keeping the process alive
    let gateway!: SluiceProcess;
    await onFreePort(async (port) => {
      writeFileSync(path.join(dir, 'sluice.yaml'), `server: { port: ${port}, shutdown_grace_ms: 120000 }
storage: { database: "sqlite::memory:" }
logging: { level: info }
providers: { local: { type: loopback } }
chain:
  - use: ./hang.js
  - use: router
    with: { default: local }
`);
      const url = `http://127.0.0.1:${port}`;
      gateway = await startSluiceProcess(['--config', path.join(dir, 'sluice.yaml')], `${url}/health`);
      return url;
    });
    const { child, exited, output } = gateway;
    try {
      child.kill('SIGTERM');
      await until(() => output.join('').includes('"shutting down"'), 10_000);
      child.kill('SIGTERM');
      await until(() => output.join('').includes('second signal during the shutdown'), 10_000);
      // Closing hangs for ever: only the third signal ends it.
      await new Promise((r) => setTimeout(r, 300));
      expect(child.exitCode, 'still closing').to.equal(null);
      const insisted = Date.now();
      child.kill('SIGINT');
      const code = await exited;
      expect(code, output.join('').slice(-2000)).to.equal(1);
      // Closing never ends here: any exit is the third signal's; 20 s leaves a loaded machine room.
      expect(Date.now() - insisted, 'exited at once').to.be.below(20_000);
      expect(output.join('')).to.contain('third signal during the shutdown: exiting now');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
