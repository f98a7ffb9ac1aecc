// Shared by the ledger's tests: a gateway with the ledger (SQLite file or a PostgreSQL schema of its
// own), a mock OpenAI upstream that can stream slowly or fail, a blocking test plugin, and reads of
// the ledger table.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import { openDatabase } from '../../../core/storage/database.js';
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

export function ledgerYaml(o: { database: string; upstreamUrl?: string; ledger?: string; server?: string; extraChain?: string }): string {
  return `server:
${o.server ?? '  shutdown_grace_ms: 2000\n  body_limit: 4kb\n'}
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
