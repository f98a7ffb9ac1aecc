// A stream whose upstream fails after it began but before Sluice committed it to the client (an
// Anthropic message_start with its usage, then an overloaded error event) falls back to the next
// target. The provider had reported the prompt it processed; that report was dropped, so nothing in
// the row showed it. The row's tokens and cost stay the answer's (the served attempt is what the
// client got), and the failed attempt's report is kept in its fallback_detail entry, as evidence.
// With no retry or fallback left the failure is the request's own: the report is its usage
// (`partial`, priced), as for a client gone while the preamble was held — it was dropped, and the
// row said `none` with no trace of the tokens the provider counted.
import { expect } from 'chai';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { openDatabase } from '../../core/storage/database.js';
import { startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream } from '../helpers/mock-upstream.js';
import { ledgerRows, type LedgerRowRead } from '../plugins/ledger/rig.js';

const START = { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 50, cache_read_input_tokens: 20, cache_creation_input_tokens: 10, output_tokens: 1, service_tier: 'standard' } } };
const OVERLOADED = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };

/** A gateway (router, translator, ledger on a SQLite file) with `providers` and the router's `with`; `rows()` after it closed. */
async function ledgerGateway(providers: string, router: string): Promise<{ gw: TestGateway; rows(): Promise<LedgerRowRead[]> }> {
  const dir = tempDir('sluice-failed-attempt-');
  const database = `sqlite:${path.join(dir, 'ledger.db')}`;
  const gw = await startGateway(`server: { shutdown_grace_ms: 1000 }
storage: { database: "${database}" }
providers:
${providers}
chain:
  - use: router
    with: ${router}
  - use: translator
  - use: ledger
    with: { flush_interval_ms: 100 }
`, { dir });
  return {
    gw,
    async rows() {
      const knex = openDatabase(database, dir);
      try { return await ledgerRows(knex); } finally { await knex.destroy(); }
    },
  };
}

/** Streams `body` to `p` and reads the answer whole: its status and request id. */
async function streamed(gw: TestGateway, p: string, body: unknown): Promise<{ id: string; status: number }> {
  const res = await fetch(`${gw.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.text();
  return { id: res.headers.get('x-request-id')!, status: res.status };
}

describe('ledger: the usage a failed attempt reported before a fallback', function () {
  this.timeout(30_000);

  it('keeps it in fallback_detail; the row\'s tokens are the served answer\'s', async () => {
    const mock = await startMockUpstream();
    mock.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`event: message_start\ndata: ${JSON.stringify(START)}\n\nevent: error\ndata: ${JSON.stringify(OVERLOADED)}\n\n`);
    });
    const { gw, rows } = await ledgerGateway(`  anth: { type: anthropic, base_url: "${mock.url}", api_key: test-key }
  local: { type: loopback }`, `
      routes:
        - { match: "claude*", provider: anth, fallbacks: [local] }
      default: local`);
    let sent: { id: string; status: number };
    try {
      sent = await streamed(gw, '/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] });
      expect(sent.status).to.equal(200);
    } finally {
      await gw.close();
      await mock.close();
    }
    const row = (await rows()).find((r) => r.request_id === sent.id)!;
    expect([row['provider'], row['outcome'], Number(row['fallbacks'])]).to.deep.equal(['local', 'success', 1]);
    const detail = JSON.parse(String(row['fallback_detail'])) as Record<string, unknown>[];
    expect(detail).to.have.length(1);
    expect(detail[0]).to.deep.include({ provider: 'anth', model: 'claude-sonnet-4-5' });
    expect(detail[0]!['usage']).to.deep.equal({ input_tokens: 50, output_tokens: 1, cache_read_tokens: 20, cache_write_tokens: 10, reasoning_tokens: 0, service_tier: 'standard' });
    // The served answer's usage, not the failed attempt's added in: loopback's own figures.
    expect(Number(row['cache_read_tokens'])).to.equal(0);
  });
});

/** How the upstream fails after its message_start, before any content. */
const FAILURES = {
  'error event': (res: ServerResponse) => res.end(`event: error\ndata: ${JSON.stringify(OVERLOADED)}\n\n`),
  'connection reset': (res: ServerResponse) => res.destroy(),
  'end without message_stop': (res: ServerResponse) => res.end(),
  'silence past idle_ms': () => undefined,
} as const;

describe('ledger: the usage a stream reported before failing, with nothing left to fall back on', function () {
  this.timeout(30_000);

  it('is the row\'s (partial, priced) for every way of failing, whatever protocol the client spoke; after fallbacks, the last attempt\'s', async () => {
    const mock = await startMockUpstream();
    mock.handle((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: message_start\ndata: ${JSON.stringify(START)}\n\n`);
      const prompt = JSON.stringify(req.body); // a string, or text blocks when translated
      const how = (Object.keys(FAILURES) as (keyof typeof FAILURES)[]).find((k) => prompt.includes(k))!;
      setTimeout(() => FAILURES[how](res), 20);
    });
    const { gw, rows: read } = await ledgerGateway(`  anth: { type: anthropic, base_url: "${mock.url}", api_key: test-key, timeouts: { idle_ms: 300 } }
  anth2: { type: anthropic, base_url: "${mock.url}", api_key: test-key, timeouts: { idle_ms: 300 } }
  anth3: { type: anthropic, base_url: "${mock.url}", api_key: test-key, timeouts: { idle_ms: 300 }, retry: { attempts: 1, backoff_ms: 0 } }`, `
      routes:
        - { match: "both-fail", provider: anth, model: claude-sonnet-4-5, fallbacks: [{ provider: anth2, model: claude-sonnet-4-5 }] }
        - { match: "retried", provider: anth3, model: claude-sonnet-4-5 }
      default: anth`);
    let sent: { id: string; how: string; status: number; fallbacks: number }[] = [];
    try {
      // All 16 at once (the mock fails each as its prompt says): one after another they waited out
      // idle_ms up to twice each, ~7 s of this test's wall time.
      const cases = Object.keys(FAILURES).flatMap((how) => ([['/v1/messages', 'claude-sonnet-4-5'], ['/v1/chat/completions', 'claude-sonnet-4-5'], ['/v1/messages', 'both-fail'], ['/v1/messages', 'retried']] as const).map(([p, model]) => ({ how, p, model })));
      sent = await Promise.all(cases.map(async ({ how, p, model }) => {
        const body = p === '/v1/messages' ? { model, max_tokens: 50, stream: true, messages: [{ role: 'user', content: how }] } : { model, stream: true, messages: [{ role: 'user', content: how }] };
        return { ...(await streamed(gw, p, body)), how: `${how} (${p}, ${model})`, fallbacks: model === 'claude-sonnet-4-5' ? 0 : 1 };
      }));
    } finally {
      await gw.close();
      await mock.close();
    }
    const rows = await read();
    expect(rows).to.have.length(sent.length);
    for (const s of sent) {
      const row = rows.find((r) => r.request_id === s.id)!;
      // Nothing reached the client: an HTTP error, counted as one.
      expect(s.status, s.how).to.be.at.least(500);
      expect(row, s.how).to.include({ status: s.status, outcome: 'error', usage_source: 'partial', input_tokens: 50, cache_read_tokens: 20, cache_write_tokens: 10, output_tokens: 1, service_tier: 'standard' });
      expect(row['cost_total'], `${s.how}: priced`).to.be.a('number').above(0);
      expect(Number(row['fallbacks']), s.how).to.equal(s.fallbacks);
      if (!s.fallbacks) continue;
      const first = (JSON.parse(String(row['fallback_detail'])) as { usage?: unknown; retried?: boolean }[])[0]!;
      expect(first.usage, `${s.how}: the first attempt's report stays with it`).to.deep.include({ input_tokens: 50 });
      expect(first.retried === true, `${s.how}: retried`).to.equal(s.how.includes('retried'));
    }
  });
});

describe('ledger: a Responses stream that fails before any content with its usage in response.failed', function () {
  this.timeout(30_000);

  it('keeps that usage (partial, priced), as an Anthropic message_start\'s', async () => {
    const mock = await startMockUpstream();
    const response = { id: 'resp_1', object: 'response', created_at: 1700000000, model: 'gpt-5.4', output: [], error: null };
    mock.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`event: response.created\ndata: ${JSON.stringify({ type: 'response.created', sequence_number: 0, response: { ...response, status: 'in_progress', usage: null } })}\n\n`
        + `event: response.failed\ndata: ${JSON.stringify({ type: 'response.failed', sequence_number: 1, response: { ...response, status: 'failed', error: { code: 'server_error', message: 'The model failed' }, usage: { input_tokens: 40, input_tokens_details: { cached_tokens: 10 }, output_tokens: 0, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 40 } } })}\n\n`);
    });
    const { gw, rows: read } = await ledgerGateway(`  oai: { type: openai, base_url: "${mock.url}", api_key: test-key, protocols: [openai.responses] }`, '{ default: oai }');
    const ids: string[] = [];
    try {
      for (const [p, body] of [
        ['/v1/responses', { model: 'gpt-5.4', stream: true, input: 'hi' }],
        ['/v1/chat/completions', { model: 'gpt-5.4', stream: true, messages: [{ role: 'user', content: 'hi' }] }],
      ] as const) {
        const { id, status } = await streamed(gw, p, body);
        expect(status, p).to.equal(502);
        ids.push(id);
      }
    } finally {
      await gw.close();
      await mock.close();
    }
    const rows = await read();
    for (const id of ids) {
      const row = rows.find((r) => r.request_id === id)!;
      expect(row, id).to.include({ outcome: 'error', usage_source: 'partial', input_tokens: 30, cache_read_tokens: 10 });
      expect(row['cost_total'], `${id}: priced`).to.be.a('number').above(0);
    }
  });
});
