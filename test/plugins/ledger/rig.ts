// Shared by the ledger's tests: a gateway with the ledger (SQLite file or a PostgreSQL schema of its
// own), a mock OpenAI upstream that can stream slowly or fail, a blocking test plugin, and reads of
// the ledger table.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import { openDatabase } from '../../../core/storage/database.js';
import type { LedgerRow } from '../../../plugins/ledger/row.js';
import { startGateway, tempDir, type TestGateway } from '../../helpers/gateway.js';
import { chunk, startMockUpstream, type MockUpstream } from '../../helpers/mock-upstream.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

export const PG = process.env['SLUICE_TEST_PG'];

const coreIndex = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../core/index.js')).href;

/** A plugin that refuses prompts containing BLOCK_REPLY (a rendered reply) or BLOCK_THROW (an error). */
export const BLOCKER = `import { definePlugin, GatewayError, z } from '${coreIndex}';
export default definePlugin({
  name: 'blocker', version: '1.0.0', sluice: '>=0.1', options: z.object({}),
  setup: () => ({
    middleware: async ({ exchange }, next) => {
      const text = exchange.view().segments().map((s) => s.text).join(' ');
      if (text.includes('BLOCK_REPLY')) { exchange.reply({ text: 'refused by policy', outcome: 'blocked' }); return; }
      if (text.includes('BLOCK_THROW')) throw new GatewayError('SLUICE_E_FORBIDDEN', 'refused by policy');
      await next();
    },
  }),
});
`;

/** A mock upstream whose streams send one chunk every `gapMs` (`[[slow N]]` in the prompt: N chunks), 500 for "FAIL". */
export async function slowUpstream(): Promise<MockUpstream> {
  const mock = await startMockUpstream();
  mock.handle(async (req, res) => {
    const body = req.body as { model?: string; stream?: boolean; messages?: { content?: string }[] } | undefined;
    const model = String(body?.model ?? 'mock');
    const prompt = (body?.messages ?? []).map((m) => String(m.content ?? '')).join(' ');
    if (prompt.includes('FAIL')) { res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'boom', type: 'server_error' } })); return; }
    const n = Number(/\[\[slow (\d+)\]\]/.exec(prompt)?.[1] ?? 3);
    const gap = Number(/\[\[gap (\d+)\]\]/.exec(prompt)?.[1] ?? 20);
    if (!body?.stream) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        id: 'chatcmpl-1', object: 'chat.completion', created: 1, model,
        choices: [{ index: 0, message: { role: 'assistant', content: 'word '.repeat(n).trim() }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 40, completion_tokens: n, total_tokens: 40 + n, prompt_tokens_details: { cached_tokens: 8 } },
      }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(chunk(model, { role: 'assistant', content: '' }));
    for (let i = 0; i < n; i++) {
      if (res.destroyed) return;
      res.write(chunk(model, { content: i ? ' word' : 'word' }));
      await new Promise((r) => setTimeout(r, gap));
    }
    if (res.destroyed) return;
    res.write(chunk(model, {}, 'stop'));
    res.write(`data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model, choices: [], usage: { prompt_tokens: 40, completion_tokens: n, total_tokens: 40 + n, prompt_tokens_details: { cached_tokens: 8 } } })}\n\n`);
    res.end('data: [DONE]\n\n');
  });
  return mock;
}

export interface LedgerRig {
  gw: TestGateway;
  dir: string;
  database: string;
  /** Opens the ledger's database (SQLite file or the test's PostgreSQL schema). */
  open(): Knex;
}

export interface RigOptions {
  /** `sqlite` (a file in the temp dir) or a postgres:// URL (a schema of its own is made). */
  database?: string;
  upstreamUrl?: string;
  ledger?: string;
  server?: string;
  dir?: string;
  extraChain?: string;
}

/**
 * The rig's config. Its default grace is short: a stop waits up to half of it with the test client's
 * idle keep-alive connection open (CLOSING_MS), a second at every stop with 2 s; a test about
 * shutdown gives its own `server`.
 */
export function ledgerYaml(o: { database: string; upstreamUrl?: string; ledger?: string; server?: string; extraChain?: string }): string {
  return `server:
${o.server ?? '  shutdown_grace_ms: 200\n  body_limit: 4kb\n'}
storage:
  database: "${o.database}"
logging: { level: debug }
providers:
  local: { type: loopback }
${o.upstreamUrl ? `  mock: { type: openai, base_url: "${o.upstreamUrl}", api_key: test-key }\n` : ''}
chain:
  - use: ./blocker.mjs
${o.extraChain ?? ''}  - use: router
    with:
      routes:${o.upstreamUrl ? '\n        - { match: "gpt-*", provider: mock }' : ' []'}
      default: local
  - use: translator
  - use: ledger
    with:
${o.ledger ?? '      flush_interval_ms: 100\n'}`;
}

/** A PostgreSQL schema of its own for one test (dropped by `dropSchema`): the URL selects it. */
export async function pgSchema(base: string): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `ledger_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = knexFactory({ client: 'pg', connection: base });
  await admin.raw(`create schema "${schema}"`);
  await admin.destroy();
  const url = `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    url,
    async drop() {
      const k = knexFactory({ client: 'pg', connection: base });
      await k.raw(`drop schema if exists "${schema}" cascade`);
      await k.destroy();
    },
  };
}

/** A schema of its own on the test PostgreSQL (`base`), reached through a proxy to cut or hang: `url` goes through it, `direct` does not. */
export async function pgBehindProxy(base: string): Promise<{ proxy: TcpProxy; url: string; direct: string; drop(): Promise<void> }> {
  const target = new URL(base);
  const proxy = await startTcpProxy(Number(target.port || 5432), target.hostname);
  const schema = await pgSchema(base);
  const via = new URL(schema.url);
  via.port = String(proxy.port);
  return { proxy, url: via.toString(), direct: schema.url, drop: schema.drop };
}

/** A fresh, empty ledger database for one test, and how to drop it after. */
export type OpenDatabase = () => Promise<{ knex: Knex; drop(): Promise<void> }>;

/**
 * Declares `suite` on a SQLite file and on the test PostgreSQL (a schema of its own each `open`), or,
 * without SLUICE_TEST_PG, a pending test saying what it needs. `label` names the suite's subject.
 */
export function onEachDatabase(label: string, suite: (name: string, open: OpenDatabase) => void): void {
  const prefix = `sluice-${label.replace(/\W+/g, '-')}`;
  suite('SQLite', async () => {
    const dir = tempDir(`${prefix}-`);
    return { knex: openDatabase(`sqlite:${dir}/ledger.db`, dir), drop: async () => {} };
  });
  const base = PG;
  if (base) {
    suite('PostgreSQL', async () => {
      const db = await pgSchema(base);
      return { knex: openDatabase(db.url, tempDir(`${prefix}-pg-`)), drop: db.drop };
    });
  } else {
    describe(`${label} on PostgreSQL`, () => { it('needs SLUICE_TEST_PG'); });
  }
}

/** The day sampleRow(i) rows fall on, at i ms past midnight UTC. */
export const T0 = Date.UTC(2026, 11, 6);

/** A row whose every column says which row it is (so a value landing in another row's or column's place shows). */
export function sampleRow(i: number, id = `req_${String(i).padStart(4, '0')}`): LedgerRow {
  return {
    request_id: id, time_ms: T0 + i, day: '2026-12-06',
    user_id: `user${i}`, team_id: i % 2 ? `team${i}` : null, key_id: `key${i}`, session_id: i % 3 ? null : `s${i}`, client_address: `10.0.0.${i}`,
    method: 'POST', path: `/v1/chat/completions?i=${i}`, endpoint: 'openai.chat', client_protocol: 'openai.chat',
    requested_model: `model-${i}`, served_model: `served-${i}`, provider: `p${i}`,
    fallbacks: i % 4, fallback_detail: i % 4 ? `[${i}]` : null, stream: i % 2, status: 200 + i, outcome: i % 5 ? 'success' : 'error', error_code: i % 5 ? null : `E${i}`,
    input_tokens: 100 + i, output_tokens: 200 + i, cache_read_tokens: 300 + i, cache_write_tokens: 400 + i, reasoning_tokens: 500 + i, usage_source: 'reported',
    cost_input: i + 0.125, cost_output: i + 0.25, cost_cache_read: i + 0.375, cost_cache_write: i + 0.5, cost_reasoning: i + 0.625, cost_total: i + 0.75,
    local_input_tokens: i % 2 ? null : 600 + i, local_output_tokens: 700 + i, local_method: 'o200k_base', count_mismatch: i % 2,
    ttfb_ms: i + 0.5, latency_ms: i + 1.5, output_tps: i % 3 ? i * 10 + 0.5 : null, findings: i % 6 ? null : `[{"i":${i}}]`,
    direction: i % 7 ? null : 'consumed', offer_id: i % 7 ? null : `offer${i}`, arrival_key: `arrival${i}`,
    service_tier: i % 3 ? `tier${i}` : null, web_search_calls: i % 4, web_fetch_calls: i % 2, cost_fees: i % 4 ? i / 100 : null, answered_model: i % 5 ? `answered-${i}` : null,
  };
}

export async function startLedgerGateway(o: RigOptions = {}): Promise<LedgerRig> {
  const dir = o.dir ?? tempDir('sluice-ledger-');
  const database = !o.database || o.database === 'sqlite' ? `sqlite:${path.join(dir, 'ledger.db')}` : o.database;
  writeFileSync(path.join(dir, 'blocker.mjs'), BLOCKER);
  const gw = await startGateway(ledgerYaml({ ...o, database }), { dir });
  return { gw, dir, database, open: () => openDatabase(database, dir) };
}

export interface LedgerRowRead { request_id: string; [column: string]: unknown }

export async function ledgerRows(knex: Knex): Promise<LedgerRowRead[]> {
  return await knex('ledger_requests').select('*').orderBy('time_ms') as LedgerRowRead[];
}
