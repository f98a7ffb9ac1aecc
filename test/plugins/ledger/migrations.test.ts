// The ledger's schema on SQLite and, when SLUICE_TEST_PG is set, the real PostgreSQL: migration 004
// makes the session index partial (rows with a session only), the session report still reads it,
// and down restores the full index.
import { expect } from 'chai';
import type { Knex } from 'knex';
import { openDatabase } from '../../../core/storage/database.js';
import { migrateLatest } from '../../../core/storage/migrations.js';
import { ledgerMigrations } from '../../../plugins/ledger/migrations.js';
import { sqlitePageSql } from '../../../plugins/ledger/reports/read.js';
import { sessionReport, usageReport } from '../../../plugins/ledger/reports/usage.js';
import { LEDGER_TABLE, type LedgerRow } from '../../../plugins/ledger/row.js';
import { knexStore } from '../../../plugins/ledger/store.js';
import { tempDir } from '../../helpers/gateway.js';
import { PG, pgSchema } from './rig.js';

const SETS = [{ plugin: 'ledger', migrations: ledgerMigrations }];
const INDEX = 'ledger_requests_session_time';
const T0 = Date.UTC(2026, 11, 5);

function row(i: number, session: string | null): LedgerRow {
  return {
    request_id: `req_${String(i).padStart(8, '0')}`, time_ms: T0 + i, day: '2026-12-05',
    user_id: null, team_id: null, key_id: null, session_id: session, client_address: null, method: 'POST', path: '/v1/chat/completions',
    endpoint: 'openai.chat', client_protocol: 'openai.chat', requested_model: 'gpt-4o-mini', served_model: 'gpt-4o-mini', provider: 'mock',
    fallbacks: 0, fallback_detail: null, stream: 0, status: 200, outcome: 'success', error_code: null,
    input_tokens: 10, output_tokens: 5, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, usage_source: 'reported',
    cost_input: 0.1, cost_output: 0.2, cost_cache_read: 0, cost_cache_write: 0, cost_reasoning: 0, cost_total: 0.3,
    local_input_tokens: 10, local_output_tokens: 5, local_method: 'o200k_base', count_mismatch: 0,
    ttfb_ms: 1, latency_ms: 2, output_tps: 3, findings: null, direction: null, offer_id: null, arrival_key: null,
    service_tier: null, web_search_calls: 0, web_fetch_calls: 0, cost_fees: 0, answered_model: null,
  };
}

/** The index's definition as the database states it (lower case). */
async function indexDefinition(knex: Knex): Promise<string> {
  if (knex.client.config.client === 'pg') {
    const r = await knex.raw('select indexdef from pg_indexes where indexname = ? and schemaname = current_schema()', [INDEX]) as { rows: { indexdef: string }[] };
    return r.rows[0]!.indexdef.toLowerCase();
  }
  const r = await knex.raw('select sql from sqlite_master where type = \'index\' and name = ?', [INDEX]) as { sql: string }[];
  return r[0]!.sql.toLowerCase();
}

/** The plan of the session report's query (as readRows builds it), with sequential scans ruled out on PostgreSQL. */
async function sessionPlan(knex: Knex): Promise<string> {
  if (knex.client.config.client !== 'pg') {
    const r = await knex.raw(`explain query plan ${sqlitePageSql({ sessionId: 's-1' }, ['request_id'])}`, [T0, T0 + 1e9, 's-1', T0 - 1, T0 - 1, -1]) as { detail: string }[];
    return r.map((x) => x.detail).join('\n');
  }
  const q = knex(LEDGER_TABLE).select('request_id').where('time_ms', '>=', T0).andWhere('time_ms', '<', T0 + 1e9).andWhere('session_id', 's-1')
    .orderBy([{ column: 'time_ms' }, { column: 'request_id' }]).limit(5000).toSQL();
  return knex.transaction(async (tx) => {
    await tx.raw('set local enable_seqscan = off');
    await tx.raw('set local enable_indexscan = on');
    const r = await tx.raw(`explain ${q.sql}`, q.bindings as Knex.RawBinding[]) as { rows: { 'QUERY PLAN': string }[] };
    return r.rows.map((x) => x['QUERY PLAN']).join('\n');
  });
}

function suite(name: string, open: () => Promise<{ knex: Knex; drop(): Promise<void> }>) {
  describe(`ledger schema on ${name}`, function () {
    this.timeout(30_000);
    let knex: Knex;
    let drop: () => Promise<void>;
    const warnings: string[] = [];
    const onWarning = (w: Error) => { warnings.push(w.message); };
    before(async () => { process.on('warning', onWarning); ({ knex, drop } = await open()); });
    after(async () => { process.off('warning', onWarning); await knex.destroy(); await drop(); });

    it('004: the session index holds only rows with a session, and the session report still reads through it', async () => {
      await migrateLatest(knex, SETS);
      expect(await indexDefinition(knex)).to.match(/where .*session_id.* is not null/);
      const rows = Array.from({ length: 300 }, (_, i) => row(i, i % 3 === 0 ? 's-1' : i % 3 === 1 ? 's-2' : null));
      await knexStore(async () => knex).insert(rows);
      const report = await sessionReport(knex, { from: T0, to: T0 + 1e9 }, 's-1');
      expect(report.turns.map((t) => t.request_id)).to.deep.equal(rows.filter((r) => r.session_id === 's-1').map((r) => r.request_id));
      expect(await sessionPlan(knex)).to.include(INDEX);
    });

    it('004 down: the full index again', async () => {
      const m = ledgerMigrations.find((x) => x.name === '004_partial_session_index')!;
      await m.down!(knex);
      expect(await indexDefinition(knex)).not.to.include('where');
      await m.up(knex);
      expect(await indexDefinition(knex)).to.match(/where .*session_id.* is not null/);
    });

    it('006: tier and fee columns, added once (a column already there is left), read back by the usage report', async () => {
      const m = ledgerMigrations.find((x) => x.name === '006_tier_and_fees')!;
      await m.down!(knex);
      expect(await knex.schema.hasColumn(LEDGER_TABLE, 'service_tier')).to.equal(false);
      // A report on a ledger an earlier version wrote reads it without the new columns.
      const before = await usageReport(knex, { from: T0, to: T0 + 1e9 }, 'model');
      expect(before.total.web_search_calls).to.equal(0);
      await knex.schema.alterTable(LEDGER_TABLE, (t) => { t.string('service_tier', 32); });
      // Run as the migrator runs it, in a transaction (one connection).
      await knex.transaction((tx) => m.up(tx));
      await knex.transaction((tx) => m.up(tx));
      await new Promise((r) => setImmediate(r));
      // No query was sent on top of another on that connection, here or in the migrateLatest above
      // (pg warns once a process, and pg@9 refuses).
      expect(warnings.filter((w) => w.includes('already executing a query'))).to.deep.equal([]);
      for (const c of ['service_tier', 'web_search_calls', 'web_fetch_calls', 'cost_fees']) expect(await knex.schema.hasColumn(LEDGER_TABLE, c), c).to.equal(true);
      await knexStore(async () => knex).insert([{ ...row(1000, null), service_tier: 'flex', web_search_calls: 2, web_fetch_calls: 1, cost_fees: 0.02 }]);
      const after = await usageReport(knex, { from: T0, to: T0 + 1e9 }, 'model');
      expect([after.total.web_search_calls, after.total.web_fetch_calls]).to.deep.equal([2, 1]);
      const stored = await knex(LEDGER_TABLE).where('request_id', row(1000, null).request_id).first() as Record<string, unknown>;
      expect([stored['service_tier'], Number(stored['cost_fees'])]).to.deep.equal(['flex', 0.02]);
    });
  });
}

suite('SQLite', async () => {
  const dir = tempDir('sluice-ledger-schema-');
  return { knex: openDatabase('sqlite:./l.db', dir), drop: async () => {} };
});
const pg = PG;
if (pg) {
  suite('PostgreSQL', async () => {
    const schema = await pgSchema(pg);
    return { knex: openDatabase(schema.url, process.cwd()), drop: () => schema.drop() };
  });
} else {
  describe('ledger schema on PostgreSQL', () => { it('needs SLUICE_TEST_PG'); });
}
