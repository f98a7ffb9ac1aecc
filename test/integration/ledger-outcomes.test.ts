// Every request is one ledger row, whatever its outcome — success (JSON and streams, every client
// family), upstream error, blocked (reply and error), client disconnect mid-stream, and the requests
// rejected before the chain (bad JSON, 404, 405, 413) — on SQLite and the real PostgreSQL.
import { expect } from 'chai';
import type { MockUpstream } from '../helpers/mock-upstream.js';
import { rawRequest } from '../helpers/raw-http.js';
import { chat, disconnectMidStream, post, until, type Sent } from '../plugins/ledger/client.js';
import { ledgerRows, PG, pgSchema, slowUpstream, startLedgerGateway } from '../plugins/ledger/rig.js';
import { usageReport } from '../../plugins/ledger/reports/usage.js';
import { auditReport } from '../../plugins/ledger/reports/audit.js';
import type { LedgerRow } from '../../plugins/ledger/row.js';
import { knexStore } from '../../plugins/ledger/store.js';

function suite(name: string, database: () => Promise<{ url: string; drop(): Promise<void> }>) {
  describe(`ledger: one row per request, every outcome (${name})`, function () {
    this.timeout(60_000);
    let mock: MockUpstream;
    before(async () => { mock = await slowUpstream(); });
    after(async () => { await mock.close(); });

    it('N requests of every outcome give exactly N rows, each with its outcome', async () => {
      const db = await database();
      const rig = await startLedgerGateway({ database: db.url, upstreamUrl: mock.url });
      const url = rig.gw.url;
      const sent: { kind: string; sent: Sent }[] = [];
      const run = async (kind: string, p: Promise<Sent>) => { sent.push({ kind, sent: await p }); };
      try {
        const jobs: Promise<void>[] = [];
        for (let i = 0; i < 3; i++) {
          jobs.push(
            run('success', post(url, '/v1/chat/completions', chat('local-model', `hello ${i}`))),
            run('success', post(url, '/v1/chat/completions', chat('local-model', `stream ${i}`, { stream: true }))),
            run('success', post(url, '/v1/messages', { model: 'claude-x', max_tokens: 50, messages: [{ role: 'user', content: `hi ${i}` }], stream: i % 2 === 0 })),
            run('success', post(url, '/v1beta/models/gemini-x:generateContent', { contents: [{ role: 'user', parts: [{ text: `hi ${i}` }] }] })),
            run('success', post(url, '/v1/chat/completions', chat('gpt-4o-mini', `upstream ${i}`))),
            run('error', post(url, '/v1/chat/completions', chat('gpt-4o-mini', `FAIL ${i}`))),
            run('blocked', post(url, '/v1/chat/completions', chat('local-model', `BLOCK_REPLY ${i}`))),
            run('blocked', post(url, '/v1/messages', { model: 'claude-x', max_tokens: 5, messages: [{ role: 'user', content: `BLOCK_THROW ${i}` }] })),
            run('client_disconnect', disconnectMidStream(url, '/v1/chat/completions', chat('gpt-4o-mini', `[[slow 60]] ${i}`, { stream: true }))),
            run('error', post(url, '/v1/chat/completions', '{"model": "x", "messages": [')),
            // Refused before the chain, yet its URL names the model and asks for a stream: the row says so.
            run('error', post(url, `/v1beta/models/gemini-x:streamGenerateContent?alt=sse`, '{"contents": [')),
            run('error', post(url, '/v1/nothing-here', {})),
            run('error', fetch(`${url}/v1/chat/completions`, { method: 'GET' }).then(async (r) => ({ id: r.headers.get('x-request-id')!, status: r.status, text: await r.text() }))),
            run('error', post(url, '/v1/chat/completions', chat('local-model', 'x'.repeat(5000)))),
            run('error', rawRequest(Number(new URL(url).port), 'GET /v1/chat/completions HTTP/1.1\r\nhost: localhost\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n')
              .then((r) => ({ id: r.headers['x-request-id']!, status: r.status ?? 0, text: r.body }))),
          );
        }
        await Promise.all(jobs);
        // A disconnect is recorded when the gateway notices it; wait until it has.
        await until(() => mock.aborted >= 3);
      } finally {
        await rig.gw.close();
      }
      const knex = rig.open();
      try {
        const rows = await ledgerRows(knex);
        const ids = sent.map((s) => s.sent.id);
        expect(new Set(ids).size, 'every request got its own id').to.equal(ids.length);
        expect(rows.map((r) => r.request_id).sort()).to.deep.equal([...ids].sort());
        const byId = new Map(rows.map((r) => [r.request_id, r]));
        for (const { kind, sent: s } of sent) expect(byId.get(s.id)!['outcome'], `${kind} ${s.status} ${s.text.slice(0, 80)}`).to.equal(kind);
        const statuses = sent.map((s) => byId.get(s.sent.id)!['status']).map(Number);
        for (const code of [400, 404, 405, 413, 403, 500, 426]) expect(statuses, `status ${code}`).to.include(code);
        const geminiRefused = rows.filter((r) => r['endpoint'] === 'gemini.stream_generate' || String(r['path']).includes(':streamGenerateContent'));
        expect(geminiRefused.map((r) => [r['requested_model'], Number(r['stream']), Number(r['status'])])).to.deep.equal([['gemini-x', 1, 400], ['gemini-x', 1, 400], ['gemini-x', 1, 400]]);
        // Every refusal carries its code, a WebSocket upgrade's included.
        for (const { sent: s } of sent) if (s.status >= 400) expect(byId.get(s.id)!['error_code'], `${s.status} ${s.text.slice(0, 80)}`).to.match(/^SLUICE_E_/);
        // Model calls carry their usage; refusals before a provider carry none.
        for (const { kind, sent: s } of sent) {
          const row = byId.get(s.id)!;
          if (kind === 'success') expect(row['usage_source'], s.id).to.equal('reported');
          if (kind === 'blocked' || row['endpoint'] === null) expect(row['usage_source']).to.equal('none');
        }
        // The reports read the same rows back on this database (bigints as numbers on PostgreSQL too).
        const range = { from: Date.now() - 3_600_000, to: Date.now() + 1000 };
        const usage = await usageReport(knex, range, 'provider');
        expect(usage.total.requests).to.equal(ids.length);
        expect(usage.lines.find((l) => l['provider'] === 'mock')!.requests).to.equal(9); // 3 answered, 3 failed upstream, 3 disconnected
        const audit = await auditReport(knex, range, { degradationFactor: 1.5, baselineDays: 7 });
        expect(audit.lines.find((l) => l.provider === 'mock')).to.include({ model: 'gpt-4o-mini', requests: 9, error_rate: 0.3333 });
      } finally {
        await knex.destroy();
        await db.drop();
      }
    });

    it('requests reusing one client x-request-id each get their row; replaying the rows adds none', async () => {
      const db = await database();
      const rig = await startLedgerGateway({ database: db.url, upstreamUrl: mock.url });
      const same = { 'x-request-id': 'client-id-reused' };
      let echoed: string[];
      try {
        const sent = await Promise.all([0, 1, 2].map((i) => post(rig.gw.url, '/v1/chat/completions', chat('local-model', `again ${i}`), same)));
        sent.push(await post(rig.gw.url, '/v1/chat/completions', chat('gpt-4o-mini', 'again later'), same));
        // A burst of fast refusals (bad JSON, ~0.05 ms each): several share the millisecond and the
        // latency to the µs, and each is still a request of its own (QA saw 4–48 of 300 go missing).
        const refused = await Promise.all(Array.from({ length: 40 }, () => post(rig.gw.url, '/v1/chat/completions', '{"model":', same)));
        expect(refused.map((r) => r.status)).to.deep.equal(Array(40).fill(400));
        sent.push(...refused);
        echoed = sent.map((s) => s.id);
      } finally {
        await rig.gw.close();
      }
      expect(echoed, 'the client id is echoed as it came').to.deep.equal(Array(44).fill('client-id-reused'));
      const knex = rig.open();
      try {
        const rows = await ledgerRows(knex);
        expect(rows).to.have.length(44);
        const ids = rows.map((r) => r.request_id);
        expect(ids).to.include('client-id-reused');
        expect(new Set(ids).size).to.equal(44);
        for (const id of ids) expect(id).to.match(/^client-id-reused(~[0-9a-z]+)?$/);
        // A write that timed out but committed, or a spill file replayed: the same rows again add nothing.
        const store = knexStore(async () => knex);
        const again = rows.map((r) => ({ ...r, request_id: 'client-id-reused', time_ms: Number(r['time_ms']), latency_ms: Number(r['latency_ms']) }) as unknown as LedgerRow);
        await store.insert(again);
        await store.insert(again.slice(1));
        expect(await ledgerRows(knex)).to.have.length(44);
      } finally {
        await knex.destroy();
        await db.drop();
      }
    });
  });
}

suite('SQLite', async () => ({ url: 'sqlite', drop: async () => {} }));
if (PG) suite('PostgreSQL', () => pgSchema(PG!));
else describe('ledger: one row per request, every outcome (PostgreSQL)', () => { it('needs SLUICE_TEST_PG'); });
