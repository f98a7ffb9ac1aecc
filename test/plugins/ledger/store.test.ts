// The ledger's store on SQLite and, when SLUICE_TEST_PG is set, the real PostgreSQL: rows written in
// batches long enough to take SQLite's multi-row statements land column for column; a row whose id
// another request holds (earlier, or in the same statement) is written under a derived id; a replay
// of a written row adds nothing.
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { openDatabase } from '../../../core/storage/database.js';
import { migrateLatest } from '../../../core/storage/migrations.js';
import { ledgerMigrations } from '../../../plugins/ledger/migrations.js';
import { LEDGER_TABLE, type LedgerRow } from '../../../plugins/ledger/row.js';
import { COLUMNS as COLUMN_NAMES, fitRow, rowValues } from '../../../plugins/ledger/columns.js';
import { groupByShape, MAX_SHAPES, MAX_SHAPES_A_SLICE, SHAPE_COLUMNS, ShapeCache } from '../../../plugins/ledger/insert-shapes.js';
import { knexStore, toNumber, toNumberOrNull } from '../../../plugins/ledger/store.js';
import { tempDir } from '../../helpers/gateway.js';

const execFileAsync = promisify(execFile);
import { onEachDatabase, sampleRow as row, T0, type OpenDatabase } from './rig.js';

const NUMBERS = new Set(['time_ms', 'fallbacks', 'stream', 'status', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens',
  'cost_input', 'cost_output', 'cost_cache_read', 'cost_cache_write', 'cost_reasoning', 'cost_total', 'count_mismatch', 'ttfb_ms', 'latency_ms', 'output_tps',
  'local_input_tokens', 'local_output_tokens']);

/** Stored rows by id, numbers as numbers (PostgreSQL returns bigints as strings). */
async function stored(knex: Knex): Promise<Map<string, Record<string, unknown>>> {
  const rows = await knex(LEDGER_TABLE).select('*') as Record<string, unknown>[];
  return new Map(rows.map((r) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) out[k] = NUMBERS.has(k) ? toNumberOrNull(v) : v;
    return [String(r['request_id']), out];
  }));
}

function suite(name: string, open: OpenDatabase) {
  describe(`ledger store on ${name}`, () => {
    it('a long batch lands column for column; ids another request holds get derived ids; replays add nothing', async () => {
      const { knex, drop } = await open();
      try {
        await migrateLatest(knex, [{ plugin: 'ledger', migrations: ledgerMigrations }]);
        const store = knexStore(async () => knex);
        const earlier = [row(100, 'taken-earlier'), row(101, 'replayed')];
        await store.insert(earlier);
        // 21 rows: two statements' worth of 8 and a tail of 5 on SQLite. Row 3 and row 5 share an
        // id within the first 8 (two requests); row 10 reuses an id an earlier request holds; row 12
        // is a replay of the earlier row; row 19 (in the tail) reuses row 0's id.
        const batch = Array.from({ length: 21 }, (_, i) => row(i));
        batch[5] = row(5, batch[3]!.request_id);
        batch[10] = row(10, 'taken-earlier');
        batch[12] = earlier[1]!;
        batch[19] = row(19, batch[0]!.request_id);
        await store.insert(batch);

        const rows = await stored(knex);
        expect(rows.size, 'the two earlier rows and 20 new ones (one of the 21 was a replay)').to.equal(22);
        const own = [...earlier, ...batch.filter((_, i) => ![5, 10, 12, 19].includes(i))];
        for (const r of own) expect(rows.get(r.request_id), `${r.request_id} under its own id, every column its own`).to.deep.equal(fitRow(r));
        for (const [i, own] of [[5, batch[3]!.request_id], [10, 'taken-earlier'], [19, batch[0]!.request_id]] as const) {
          const derived = [...rows.values()].filter((r) => String(r['request_id']).startsWith(`${own}~`) && r['time_ms'] === T0 + i);
          expect(derived, `row ${i} under an id derived from ${own}`).to.have.length(1);
          expect({ ...derived[0], request_id: own }).to.deep.equal(fitRow(row(i, own)));
        }

        await store.insert(batch);
        await store.insert([...earlier, ...batch.slice(0, 9)]);
        expect((await stored(knex)).size, 'replaying the same rows adds none').to.equal(22);
        expect(toNumber((await knex(LEDGER_TABLE).count({ n: '*' }))[0]!['n'])).to.equal(22);
      } finally {
        await knex.destroy();
        await drop();
      }
    });

    it('a provider\'s absurd token count (1e300) does not fail its batch for ever: integers are kept to what both databases hold', async () => {
      const { knex, drop } = await open();
      try {
        await migrateLatest(knex, [{ plugin: 'ledger', migrations: ledgerMigrations }]);
        const store = knexStore(async () => knex);
        // Figures an upstream reported (usage is read as the provider sent it): past PostgreSQL's
        // bigint, they failed the insert of every row written with them, on each retry and replay.
        const odd = { ...row(1), output_tokens: 1e300, reasoning_tokens: 2 ** 70, local_output_tokens: -1e30 };
        expect(await store.insert([row(0), odd, row(2)])).to.equal(3);
        const rows = await stored(knex);
        expect([...rows.keys()].sort()).to.deep.equal([row(0).request_id, odd.request_id, row(2).request_id].sort());
        expect(rows.get(odd.request_id)).to.include({
          output_tokens: Number.MAX_SAFE_INTEGER, reasoning_tokens: Number.MAX_SAFE_INTEGER, local_output_tokens: -Number.MAX_SAFE_INTEGER,
        });
      } finally {
        await knex.destroy();
        await drop();
      }
    });

    it('a client-chosen name holding a NUL character does not fail its batch for ever: PostgreSQL text cannot hold one', async () => {
      const { knex, drop } = await open();
      try {
        await migrateLatest(knex, [{ plugin: 'ledger', migrations: ledgerMigrations }]);
        const store = knexStore(async () => knex);
        // A model name is the client's JSON ("gpt-4o\u0000x"), recorded even for a request refused before the chain: PostgreSQL refused
        // the insert ("invalid byte sequence for encoding UTF8: 0x00"), and every row of its batch
        // waited in the spill file, failing each replay.
        const odd = { ...row(1), requested_model: 'gpt-4o\u0000evil', served_model: '\u0000', fallback_detail: '[{"model":"a\u0000b"}]' };
        expect(await store.insert([row(0), odd, row(2)])).to.equal(3);
        const rows = await stored(knex);
        expect([...rows.keys()].sort()).to.deep.equal([row(0).request_id, odd.request_id, row(2).request_id].sort());
        // Kept as evidence that something was there, in a form both databases hold.
        expect(rows.get(odd.request_id)).to.include({ requested_model: 'gpt-4o\uFFFDevil', served_model: '\uFFFD', fallback_detail: '[{"model":"a\uFFFDb"}]' });
      } finally {
        await knex.destroy();
        await drop();
      }
    });

    it('requests alike in all but their arrival key (one client id, one millisecond, one latency: a burst of fast refusals) get a row each', async () => {
      const { knex, drop } = await open();
      try {
        await migrateLatest(knex, [{ plugin: 'ledger', migrations: ledgerMigrations }]);
        const store = knexStore(async () => knex);
        const alike = (key: string | null) => ({ ...row(1, 'reused-id'), time_ms: T0, latency_ms: 0.05, status: 400, arrival_key: key });
        // 13: a statement of 8 on SQLite, then a tail; then one more cycle's worth with the first again.
        const burst = Array.from({ length: 13 }, (_, i) => alike(`gw1${i}`));
        expect(await store.insert(burst), 'stored: all 13').to.equal(13);
        expect(await store.insert([...burst.slice(0, 3), alike('gw20')]), 'stored: the new one only').to.equal(1);
        const rows = await stored(knex);
        expect(rows.size, '14 requests, 14 rows (the three replayed add none)').to.equal(14);
        expect(rows.get('reused-id')!['arrival_key'], 'the first keeps the id').to.equal('gw10');
        for (let i = 1; i < 13; i++) expect(rows.get(`reused-id~gw1${i}`)!['arrival_key']).to.equal(`gw1${i}`);
        expect(rows.has('reused-id~gw20')).to.equal(true);

        // Rows without a key (an earlier version's spill file) are told apart by arrival and latency, as before.
        await store.insert([{ ...alike(null), request_id: 'old-id' }, { ...alike(null), request_id: 'old-id', latency_ms: 0.06 }, { ...alike(null), request_id: 'old-id' }]);
        expect((await stored(knex)).size, 'two different old requests; the third is a replay of the first').to.equal(16);
      } finally {
        await knex.destroy();
        await drop();
      }
    });
  });
}

describe('ledger store on SQLite, locked by another connection', () => {
  it('fails a write within a fraction of a second instead of holding the event loop for the connection\'s 5 s, and writes once the lock is gone', async function () {
    this.timeout(20_000);
    const dir = tempDir('sluice-ledger-store-lock-');
    const knex = openDatabase(`sqlite:${dir}/ledger.db`, dir);
    const other = new Database(`${dir}/ledger.db`);
    try {
      await migrateLatest(knex, [{ plugin: 'ledger', migrations: ledgerMigrations }]);
      const store = knexStore(async () => knex);
      other.exec('begin exclusive');
      const started = performance.now();
      let failure: unknown;
      await store.insert([row(1)]).catch((err: unknown) => { failure = err; });
      const waited = performance.now() - started;
      expect(String((failure as Error | undefined)?.message), 'the write fails (its rows spill)').to.match(/locked|busy/i);
      expect(waited, 'ms the write held the event loop').to.be.within(90, 1000);
      // Retried while writes fail, it waits a tenth of that: a lock held for seconds costs the event loop little per cycle.
      // The fastest of three retries: a loaded machine can take the core from any one of them.
      let retried = Infinity;
      for (let i = 0; i < 3; i++) {
        failure = undefined;
        const again = performance.now();
        await store.insert([row(1)], true).catch((err: unknown) => { failure = err; });
        retried = Math.min(retried, performance.now() - again);
        expect(String((failure as Error | undefined)?.message)).to.match(/locked|busy/i);
      }
      expect(retried, 'ms the retry held the event loop').to.be.below(80);
      other.exec('commit');
      await store.insert([row(1)]);
      expect(toNumber((await knex(LEDGER_TABLE).count({ n: '*' }))[0]!['n'])).to.equal(1);
      // The connection's own wait for everything else is as it was.
      const conn = await (knex.client as { acquireConnection(): Promise<{ pragma(s: string, o: { simple: boolean }): unknown }> }).acquireConnection();
      expect(conn.pragma('busy_timeout', { simple: true })).to.equal(5000);
      await (knex.client as { releaseConnection(c: unknown): Promise<unknown> }).releaseConnection(conn);
    } finally {
      other.close();
      await knex.destroy();
    }
  });
});

/** A row as the bench chain writes it with the count off: most columns null, zero or the same as the last row's. */
function commonRow(i: number): LedgerRow {
  return {
    request_id: `req_shape_${String(i).padStart(4, '0')}`, time_ms: T0 + i, day: '2026-12-06',
    user_id: null, team_id: null, key_id: null, session_id: null, client_address: '127.0.0.1', method: 'POST', path: '/v1/chat/completions',
    endpoint: 'openai.chat', client_protocol: 'openai.chat', requested_model: 'gpt-4o-mini', served_model: 'gpt-4o-mini-2024-07-18', provider: 'mock',
    fallbacks: 0, fallback_detail: null, stream: 0, status: 200, outcome: 'success', error_code: null,
    input_tokens: 31 + i, output_tokens: 12, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, usage_source: 'reported',
    cost_input: 0.00000465 * i, cost_output: 0.0000072, cost_cache_read: 0, cost_cache_write: 0, cost_reasoning: 0, cost_total: 0.00001185 + i,
    local_input_tokens: null, local_output_tokens: null, local_method: null, count_mismatch: 0,
    ttfb_ms: 1.25 + i, latency_ms: 2.5 + i, output_tps: 5117.271, findings: null, direction: null, offer_id: null, arrival_key: `gw.${i}`,
    service_tier: 'default', web_search_calls: 0, web_fetch_calls: 0, cost_fees: 0, answered_model: null,
  };
}

/** Kinds of row a gateway writes many alike, and values at the edges of what a literal may hold. */
const KINDS: ((i: number) => LedgerRow)[] = [
  commonRow,
  // Quotes, an attempt at SQL, non-ASCII, a lone surrogate, a NUL: as a bound value stores them.
  (i) => ({ ...commonRow(i), provider: "o'brien", service_tier: "it''s", error_code: "E'); drop table ledger_requests; --", outcome: 'ok ✓ 成功', method: '\uD800x', endpoint: 'a\u0000b', client_protocol: '' }),
  // A failure: nothing counted, nothing priced.
  (i) => ({ ...commonRow(i), stream: 1, status: 502, outcome: 'upstream_error', error_code: 'SLUICE_E_UPSTREAM', usage_source: 'none', input_tokens: 0, output_tokens: 0,
    cost_input: null, cost_output: null, cost_cache_read: null, cost_cache_write: null, cost_reasoning: null, cost_total: null, ttfb_ms: null, output_tps: null, service_tier: null, cost_fees: null }),
  // Negative zeros, numbers where text goes, a whole number past 2^53, an integer in a column that may hold a constant.
  (i) => ({ ...commonRow(i), cost_cache_read: -0, cache_read_tokens: -0, web_search_calls: 2, fallbacks: 1, fallback_detail: '[{"provider":"a"}]',
    provider: 7 as unknown as string, day: 12.5 as unknown as string, status: 2 ** 60, count_mismatch: -3, outcome: 0 as unknown as string }),
  // Set where the common row has nulls and zeros.
  (i) => ({ ...commonRow(i), user_id: 'u', team_id: 't', key_id: 'k', session_id: 's', findings: '[]', local_method: 'estimate', local_input_tokens: 0, local_output_tokens: 5,
    cache_write_tokens: 3, reasoning_tokens: 0.4, direction: 'consumed', offer_id: 'o', web_fetch_calls: 1, cost_fees: 0.5 }),
];

describe('ledger store on SQLite: rows alike written by statements holding what they share as literals', () => {
  it('stores every value as the statement binding every column does, type for type, and binds only what differs', async () => {
    const dirs = [tempDir('sluice-ledger-shapes-'), tempDir('sluice-ledger-shapes-')];
    const [shaped, single] = dirs.map((dir) => openDatabase(`sqlite:${dir}/ledger.db`, dir)) as [Knex, Knex];
    try {
      for (const knex of [shaped, single]) await migrateLatest(knex, [{ plugin: 'ledger', migrations: ledgerMigrations }]);
      // 11 rows of each kind, interleaved: a statement of 8 each by shape, the rest by the statement binding every column.
      const rows = Array.from({ length: 11 * KINDS.length }, (_, i) => KINDS[i % KINDS.length]!(i));
      // Replays and taken ids within shaped statements: row 20's id is row 0's (another request), row 25 is row 5 again.
      rows[20] = { ...rows[20]!, request_id: rows[0]!.request_id };
      rows[25] = rows[5]!;
      const conn = await (shaped.client as { acquireConnection(): Promise<{ prepare(sql: string): unknown }> }).acquireConnection();
      const prepared: string[] = [];
      const prepare = conn.prepare.bind(conn);
      conn.prepare = (sql: string) => { prepared.push(sql); return prepare(sql); };
      await (shaped.client as { releaseConnection(c: unknown): Promise<unknown> }).releaseConnection(conn);

      expect(await knexStore(async () => shaped).insert(rows), 'rows stored: all but the replay').to.equal(rows.length - 1);
      const singleStore = knexStore(async () => single);
      let stored = 0;
      for (const r of rows) stored += await singleStore.insert([r]);
      expect(stored).to.equal(rows.length - 1);

      const typed = async (knex: Knex) => (await knex.raw(`select ${COLUMN_NAMES.map((c) => `${c}, typeof(${c}) as ${c}_type`).join(', ')} from ${LEDGER_TABLE} order by request_id`)) as Record<string, unknown>[];
      const [got, want] = [await typed(shaped), await typed(single)];
      expect(got).to.have.length(rows.length - 1);
      expect(got).to.deep.equal(want);
      expect(got.find((r) => r['provider'] === "o'brien"), 'a quote in a literal').to.include({ service_tier: "it''s", error_code: "E'); drop table ledger_requests; --", endpoint: 'a\uFFFDb' });

      const shapedSql = prepared.filter((sql) => sql.startsWith('insert') && !sql.includes(`(${COLUMN_NAMES.map(() => '?').join(', ')})`));
      expect(shapedSql, 'one statement a kind of row').to.have.length(KINDS.length);
      const common = shapedSql.find((sql) => sql.includes("'gpt-4o-mini'"))!;
      const bound = common.slice(common.indexOf(' values (') + 9, common.indexOf('), (')).split(', ').filter((v) => v === '?').length;
      expect(bound, 'values bound a common row (of 48)').to.be.at.most(12);
    } finally {
      await shaped.destroy();
      await single.destroy();
    }
  });
});

describe('ledger store on SQLite: a written slice is not held until the next', () => {
  it('keeps no value of the rows it wrote (held until the next cycle, past a scavenge, they were promoted to the old generation)', async function () {
    this.timeout(90_000); // a node process of its own, on a loaded machine
    const dir = tempDir('sluice-ledger-held-');
    // In a process of its own: a heap snapshot of this one (every test file's heap) takes minutes.
    const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', HELD_PROBE, JSON.stringify(commonRow(0)), `held-${randomUUID()}`, dir], { timeout: 80_000 });
    expect(JSON.parse(stdout)).to.deep.equal({ stored: 21, held: false });
  });
});

/**
 * Writes 21 rows (a shaped statement's worth and more) whose ids are `<probe>#<i>`, made only inside
 * the insert's call, then looks for them in a heap snapshot (taken after a full collection): an id
 * found there is still referenced. Nothing else in the process holds `<probe>#`: the probe (an
 * argument) is followed by a quote in the snapshot, an id by '#', and the search builds no such string.
 */
const HELD_PROBE = `
import { getHeapSnapshot } from 'node:v8';
const [template, probe, dir] = process.argv.slice(1);
const at = (p) => import(new URL(p, ${JSON.stringify(new URL('../../../', import.meta.url).href)}).href);
const [{ openDatabase }, { migrateLatest }, { ledgerMigrations }, { knexStore }] = await Promise.all(
  ['core/storage/database.js', 'core/storage/migrations.js', 'plugins/ledger/migrations.js', 'plugins/ledger/store.js'].map(at));
const knex = openDatabase('sqlite:' + dir + '/ledger.db', dir);
await migrateLatest(knex, [{ plugin: 'ledger', migrations: ledgerMigrations }]);
const row = JSON.parse(template);
const stored = await knexStore(async () => knex).insert(Array.from({ length: 21 }, (_, i) => ({ ...row, request_id: probe + '#' + i, time_ms: row.time_ms + i })));
let held = false;
let tail = '';
for await (const chunk of getHeapSnapshot()) {
  const text = tail + chunk;
  for (let i = text.indexOf(probe); i >= 0 && !held; i = text.indexOf(probe, i + 1)) held = text.charCodeAt(i + probe.length) === 35;
  if (held) break;
  tail = text.slice(-probe.length);
}
await knex.destroy();
process.stdout.write(JSON.stringify({ stored, held }));
`;

describe('ledger insert shapes: bounded', () => {
  it('tells apart at most MAX_SHAPES_A_SLICE shapes a slice and keeps at most MAX_SHAPES statements, least recently used out', () => {
    const width = COLUMN_NAMES.length;
    // 40 shapes (a status each), 8 rows each, interleaved.
    const values: unknown[] = [];
    for (let i = 0; i < 320; i++) rowValues({ ...commonRow(i + 1), status: 200 + (i % 40) }, values, i * width);
    const { groups, rest } = groupByShape(SHAPE_COLUMNS, values, 320, width, [3, 7]);
    expect(groups).to.have.length(MAX_SHAPES_A_SLICE);
    expect(groups.every((g) => g.rows.length === 8 && g.rows.every((i) => i % 40 === g.rows[0]! % 40)), 'each group one status, all its rows').to.equal(true);
    expect(groups.reduce((n, g) => n + g.rows.length, 0) + rest.length, 'every row but the two skipped').to.equal(318);
    const placed = groups.flatMap((g) => g.rows).concat(rest);
    expect(placed, 'skipped').to.not.include(3);
    expect(placed, 'skipped').to.not.include(7);

    let prepared = 0;
    const cache = new ShapeCache(() => ++prepared);
    const slotsOf = (k: number) => SHAPE_COLUMNS.slotsOf(values, k * width);
    for (let k = 0; k < 40; k++) cache.get(slotsOf(k));
    expect(cache.size).to.equal(MAX_SHAPES);
    expect(prepared).to.equal(40);
    cache.get(slotsOf(39));
    expect(prepared, 'a kept shape is not prepared again').to.equal(40);
    cache.get(slotsOf(0));
    expect(prepared, 'the least recently used went first').to.equal(41);
  });
});

onEachDatabase('ledger store', suite);
