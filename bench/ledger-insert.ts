// SQLite's share of a ledger row alone: the CPU (user + system, this process) of inserting rows
// through the ledger's own store (one prepared statement, 250-row transactions, WAL) into the
// migrated table, by the shape of the request ids — random (`req_` + 128 random bits, Sluice's
// ids before) or time-ordered (`req_` + ms time + 80 random bits, core's freshRequestId) — into a
// fresh file and into one that already holds rows of the same kind. Rows arrive as in a gateway
// at 1000 requests/s: one millisecond apart, written in batches of 500 (the writer's batch).
//
//   npm run build && node dist/bench/ledger-insert.js --rows 8000 --prefill 0,100000 --runs 5
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freshRequestId } from '../core/http/ingress.js';
import { openDatabase } from '../core/storage/database.js';
import { migrateLatest } from '../core/storage/migrations.js';
import { ledgerMigrations } from '../plugins/ledger/migrations.js';
import type { LedgerRow } from '../plugins/ledger/row.js';
import { knexStore } from '../plugins/ledger/store.js';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '8000' },
    prefill: { type: 'string', default: '0,100000' },
    runs: { type: 'string', default: '5' },
  },
});
const ROWS = Number(args.rows);
const PREFILLS = args.prefill.split(',').map(Number);
const RUNS = Number(args.runs);
const BATCH = 500;

type Ids = 'random' | 'ordered';
const idOf = (kind: Ids, timeMs: number) => kind === 'random' ? `req_${randomBytes(16).toString('hex')}` : freshRequestId(timeMs);

/** A row like the bench chain's (gpt-4o-mini through an openai provider, counted, priced). */
function row(id: string, timeMs: number): LedgerRow {
  return {
    request_id: id, time_ms: timeMs, day: new Date(timeMs).toISOString().slice(0, 10),
    user_id: null, team_id: null, key_id: null, session_id: null, client_address: '127.0.0.1', method: 'POST', path: '/v1/chat/completions',
    endpoint: 'openai.chat', client_protocol: 'openai.chat', requested_model: 'gpt-4o-mini', served_model: 'gpt-4o-mini', provider: 'mock',
    fallbacks: 0, fallback_detail: null, stream: timeMs % 2, status: 200, outcome: 'success', error_code: null,
    input_tokens: 31, output_tokens: 12, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, usage_source: 'reported',
    cost_input: 0.00000465, cost_output: 0.0000072, cost_cache_read: 0, cost_cache_write: 0, cost_reasoning: 0, cost_total: 0.00001185,
    local_input_tokens: 31, local_output_tokens: 12, local_method: 'o200k_base', count_mismatch: 0,
    ttfb_ms: 1.234, latency_ms: 2.345, output_tps: 5117.271, findings: null, direction: null, offer_id: null, arrival_key: `AbCdEfGh.${timeMs.toString(36)}`,
    service_tier: 'default', web_search_calls: 0, web_fetch_calls: 0, cost_fees: 0, answered_model: 'gpt-4o-2024-08-06',
  };
}

async function insertRun(ids: Ids, prefill: number): Promise<{ total: number; system: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-insert-'));
  const knex = openDatabase(`sqlite:${path.join(dir, 'l.db')}`, dir);
  try {
    await migrateLatest(knex, [{ plugin: 'ledger', migrations: ledgerMigrations }]);
    const store = knexStore(async () => knex);
    let t = Date.UTC(2026, 11, 1);
    const batch = () => Array.from({ length: BATCH }, () => { t += 1; return row(idOf(ids, t), t); });
    for (let n = 0; n < prefill; n += BATCH) await store.insert(batch());
    await knex.raw('pragma wal_checkpoint(truncate)');
    await store.insert(batch()); // warm: the statement prepared, the JIT past its first batch
    const c0 = process.cpuUsage();
    for (let n = 0; n < ROWS; n += BATCH) await store.insert(batch());
    const c = process.cpuUsage(c0);
    return { total: (c.user + c.system) / ROWS, system: c.system / ROWS };
  } finally {
    await knex.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const prefill of PREFILLS) {
  const runs: Record<Ids, { total: number; system: number }[]> = { random: [], ordered: [] };
  // Alternated run by run, so the machine's drift hits both kinds alike.
  for (let r = 0; r < RUNS; r++) for (const ids of ['random', 'ordered'] as const) runs[ids].push(await insertRun(ids, prefill));
  for (const ids of ['random', 'ordered'] as const) {
    const totals = runs[ids].map((x) => x.total);
    console.log(`${ids.padEnd(8)} ids, ${ROWS} rows into ${String(prefill).padStart(6)} rows: median ${median(totals).toFixed(1)} µs CPU/row, of which system ${median(runs[ids].map((x) => x.system)).toFixed(1)} (runs ${totals.map((x) => x.toFixed(1)).join(', ')})`);
  }
}
console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
