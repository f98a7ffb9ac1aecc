// The reports' reading of the ledger (reports/read.ts) on SQLite and, when SLUICE_TEST_PG is set,
// the real PostgreSQL: page by page over several pages whose boundaries fall inside runs of rows
// sharing one millisecond, every row of the range exactly once, oldest first, and the session and
// model-call filters as SQL states them.
import { expect } from 'chai';
import type { Knex } from 'knex';
import { openDatabase } from '../../../core/storage/database.js';
import { migrateLatest } from '../../../core/storage/migrations.js';
import { ledgerMigrations } from '../../../plugins/ledger/migrations.js';
import { readRows } from '../../../plugins/ledger/reports/read.js';
import { LEDGER_TABLE, type LedgerRow } from '../../../plugins/ledger/row.js';
import { knexStore } from '../../../plugins/ledger/store.js';
import { tempDir } from '../../helpers/gateway.js';
import { PG, pgSchema } from './rig.js';

const T0 = Date.UTC(2026, 11, 5);

/**
 * Row i: times in runs that share a millisecond — 2,500 rows at T0 + 10 (a page boundary, at 2,000
 * rows a page, falls inside it), then runs of 7 — ids out of time order (so the database's own
 * order and the ids' disagree), a session on every third row, a blocked refusal without usage on
 * every fifth.
 */
function row(i: number): LedgerRow {
  const time = i < 2500 ? T0 + 10 : T0 + 11 + Math.floor((i - 2500) / 7);
  return {
    request_id: `req_${String((i * 7919) % 100_000).padStart(6, '0')}_${i}`, time_ms: time, day: '2026-12-05',
    user_id: `u${i % 4}`, team_id: null, key_id: null, session_id: i % 3 === 0 ? 's-1' : null, client_address: null,
    method: 'POST', path: '/v1/chat/completions', endpoint: 'openai.chat', client_protocol: 'openai.chat',
    requested_model: 'gpt-4o-mini', served_model: i % 5 === 0 ? null : 'gpt-4o-mini', provider: i % 11 === 0 ? null : 'mock',
    fallbacks: 0, fallback_detail: null, stream: 0, status: i % 5 === 0 ? 429 : 200, outcome: i % 5 === 0 ? 'blocked' : 'success', error_code: null,
    input_tokens: i % 5 === 0 ? 0 : i, output_tokens: 1, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0,
    usage_source: i % 5 === 0 ? 'none' : 'reported', cost_input: null, cost_output: null, cost_cache_read: null, cost_cache_write: null,
    cost_reasoning: null, cost_total: i % 2 ? null : i / 1000, local_input_tokens: null, local_output_tokens: null, local_method: null,
    count_mismatch: 0, ttfb_ms: i % 2 ? null : i + 0.5, latency_ms: i + 0.25, output_tps: null, findings: null, direction: null, offer_id: null,
    arrival_key: `k${i}`, service_tier: null, web_search_calls: 0, web_fetch_calls: 0, cost_fees: null, answered_model: null,
  };
}

const ROWS = Array.from({ length: 6003 }, (_, i) => row(i));

function suite(name: string, open: () => Promise<{ knex: Knex; drop(): Promise<void> }>) {
  describe(`the reports' row reading on ${name}`, function () {
    this.timeout(60_000);
    let knex: Knex;
    let drop: () => Promise<void>;
    before(async () => {
      ({ knex, drop } = await open());
      await migrateLatest(knex, [{ plugin: 'ledger', migrations: ledgerMigrations }]);
      // Inserted out of time order (the last ones first), as a spill file replayed late would be.
      await knexStore(async () => knex).insert([...ROWS.slice(4000), ...ROWS.slice(0, 4000)]);
    });
    after(async () => { await knex.destroy(); await drop(); });

    const read = async (filter: { sessionId?: string; modelCalls?: boolean }, from = T0, to = T0 + 1e9) => {
      const out: { request_id: string; time_ms: number; input_tokens: number; cost_total: number | null; ttfb_ms: number | null; latency_ms: number; user_id: string | null }[] = [];
      for await (const r of readRows(knex, { range: { from, to }, ...filter }, ['request_id', 'time_ms', 'input_tokens', 'cost_total', 'ttfb_ms', 'latency_ms', 'user_id'])) out.push(r);
      return out;
    };

    it('reads every row of the range once, oldest first, over pages that split a millisecond, with numbers as numbers', async () => {
      const rows = await read({});
      expect(rows).to.have.length(ROWS.length);
      expect(new Set(rows.map((r) => r.request_id)).size).to.equal(ROWS.length);
      for (let i = 1; i < rows.length; i++) expect(rows[i]!.time_ms).to.be.at.least(rows[i - 1]!.time_ms);
      const byId = new Map(ROWS.map((r) => [r.request_id, r]));
      for (const r of rows) {
        const stored = byId.get(r.request_id)!;
        expect(r).to.deep.equal({
          request_id: stored.request_id, time_ms: stored.time_ms, input_tokens: stored.input_tokens, cost_total: stored.cost_total,
          ttfb_ms: stored.ttfb_ms, latency_ms: stored.latency_ms, user_id: stored.user_id,
        });
      }
    });

    it('keeps to the range: its start counts, its end does not', async () => {
      const from = T0 + 11;
      const to = T0 + 11 + 100;
      const rows = await read({}, from, to);
      expect(rows.map((r) => r.request_id).sort()).to.deep.equal(ROWS.filter((r) => r.time_ms >= from && r.time_ms < to).map((r) => r.request_id).sort());
    });

    it('filters on the session and on model calls as SQL does', async () => {
      const session = await read({ sessionId: 's-1' });
      expect(session.map((r) => r.request_id).sort()).to.deep.equal(ROWS.filter((r) => r.session_id === 's-1').map((r) => r.request_id).sort());
      const calls = await read({ modelCalls: true });
      const expected = await knex(LEDGER_TABLE).select('request_id').whereNotNull('provider').andWhere((w) => { w.whereNot('outcome', 'blocked').orWhereNot('usage_source', 'none'); });
      expect(calls.map((r) => r.request_id).sort()).to.deep.equal(expected.map((r: { request_id: string }) => r.request_id).sort());
      expect(calls.length).to.be.above(3000).and.below(ROWS.length);
    });

    it('a reader that stops early gives its connection back', async () => {
      for (let i = 0; i < 3; i++) {
        for await (const _r of readRows(knex, { range: { from: T0, to: T0 + 1e9 } }, ['request_id'])) break;
      }
      expect((knex.client as { pool: { numUsed(): number } }).pool.numUsed()).to.equal(0);
    });

    if (name === 'PostgreSQL') {
      it('reads the range in one statement, not one per page: without statistics the database sorted the rest of the range for every page', async () => {
        // This table was never analyzed (autovacuum off, or not yet run after a bulk load): a keyset
        // query per page was planned as "sort what is left of the range", quadratic in its rows
        // (1 M rows: the 30-day audit took over 10 minutes).
        const statements: string[] = [];
        const seen = (q: { sql: string }) => { statements.push(q.sql); };
        knex.on('query', seen);
        try {
          expect(await read({})).to.have.length(ROWS.length);
        } finally {
          knex.off('query', seen);
        }
        expect(statements.filter((sql) => /\bfrom "ledger_requests"/.test(sql)), statements.join('\n')).to.have.length(1);
      });
    }
  });
}

suite('SQLite', async () => {
  const dir = tempDir('sluice-ledger-read-');
  return { knex: openDatabase('sqlite:./l.db', dir), drop: async () => {} };
});
if (PG) {
  const pg = PG;
  suite('PostgreSQL', async () => {
    const schema = await pgSchema(pg);
    return { knex: openDatabase(schema.url, process.cwd()), drop: () => schema.drop() };
  });
}
