// A stream that fails after it began — the upstream resets, sends its own error event (Anthropic's
// overloaded_error, Responses' response.failed, a Chat error chunk, Gemini's error), stalls past
// idle_ms, ends without its terminal event, or sends an event that is not JSON (at its end, or in
// the middle of an otherwise whole answer) — through every client × upstream pair: the client's
// official SDK raises (Responses: its failure events), never a SyntaxError of its own parser nor a
// finished answer; the row is an error with the usage the provider reported so far (`partial`) or
// Sluice's estimate (`estimated`), priced — never `none` or 0 for text that reached the client.
import { expect } from 'chai';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { openDatabase } from '../../core/storage/database.js';
import { FamilyStream, protocolOfPath } from '../helpers/family-wire.js';
import { startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { GENERATE, modelFor, upstreamProviders, type GenProtocol } from '../helpers/translation-rig.js';
import { until } from '../plugins/ledger/client.js';
import { ledgerRows } from '../plugins/ledger/rig.js';
import { sluiceInProcess } from '../cli/run-cli.js';

const SERVED: Record<GenProtocol, string> = { 'openai.chat': 'gpt-5.4', 'openai.responses': 'gpt-5.4', 'anthropic.messages': 'claude-sonnet-4-5', 'gemini.generate': 'gemini-2.5-flash' };
const PROVIDER: Record<GenProtocol, string> = { 'openai.chat': 'up-chat', 'openai.responses': 'up-responses', 'anthropic.messages': 'up-anthropic', 'gemini.generate': 'up-gemini' };
/** Upstreams whose streams report usage before their end (Anthropic's message_start, Gemini's every chunk). */
const REPORTS_EARLY = new Set<GenProtocol>(['anthropic.messages', 'gemini.generate']);
const sse = (data: unknown, event?: string): string => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
const TEXT = ['Once upon a time there was a keeper ', 'who watched the waves every night. '];
const NOT_JSON = 'data: {"choices": [ not json\n\n';

const FAILURES = {
  'connection reset': 'SLUICE_E_UPSTREAM_TRUNCATED',
  'error event': 'SLUICE_E_UPSTREAM_ERROR',
  'silence past idle_ms': 'SLUICE_E_UPSTREAM_TIMEOUT',
  'end without the terminal event': 'SLUICE_E_UPSTREAM_TRUNCATED',
  'an event that is not JSON, then the end': 'SLUICE_E_UPSTREAM_TRUNCATED',
  'an event that is not JSON, then the rest of a whole answer': 'SLUICE_E_UPSTREAM_TRUNCATED',
} as const;
type Failure = keyof typeof FAILURES;

/** The rest of a whole answer in `p`'s wire format: its end and its usage report. */
function ending(p: GenProtocol): string {
  switch (p) {
    case 'openai.chat':
      return sse({ id: 'chatcmpl-mock', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-5.4', choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }] })
        + sse({ id: 'chatcmpl-mock', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-5.4', choices: [], usage: { prompt_tokens: 20, completion_tokens: 30, total_tokens: 50 } })
        + 'data: [DONE]\n\n';
    case 'openai.responses': {
      const item = { id: 'msg_mock', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: TEXT.join(''), annotations: [] }] };
      const response = { id: 'resp_mock', object: 'response', created_at: 1700000000, status: 'completed', model: 'gpt-5.4', output: [item], usage: { input_tokens: 20, output_tokens: 30, total_tokens: 50 }, error: null };
      return sse({ type: 'response.output_item.done', sequence_number: 90, output_index: 0, item }, 'response.output_item.done')
        + sse({ type: 'response.completed', sequence_number: 91, response }, 'response.completed');
    }
    case 'anthropic.messages':
      return sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop')
        + sse({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 30 } }, 'message_delta')
        + sse({ type: 'message_stop' }, 'message_stop');
    case 'gemini.generate':
      return sse({ candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 120, candidatesTokenCount: 30, totalTokenCount: 150 }, modelVersion: 'gemini-2.5-flash' });
  }
}

/** The upstream's own in-stream failure: Responses' response.failed, the others' error event. */
function errorEvent(p: GenProtocol, s: FamilyStream): string {
  if (p !== 'openai.responses') return s.error('Overloaded');
  const response = { id: 'resp_mock', object: 'response', created_at: 1700000000, status: 'failed', model: 'gpt-5.4', output: [], usage: null, error: { code: 'server_error', message: 'The model failed' } };
  return sse({ type: 'response.failed', sequence_number: 50, response }, 'response.failed');
}

/**
 * Every client × upstream pair. A failure kind's 16 requests run at once: each is its own request
 * id, stream and row (the mock's behaviour is the kind's), and one after another they waited out
 * idle_ms or the held preamble 16 times over (~15 s of the file's wall time).
 */
function pairs(): { client: GenProtocol; upstream: GenProtocol }[] {
  return GENERATE.flatMap((client) => GENERATE.map((upstream) => ({ client, upstream })));
}

interface Seen { text: string; thrown: unknown; terminal: string | undefined }

/** Streams through the client's official SDK, naming the request `id`. */
async function throughSdk(client: GenProtocol, url: string, model: string, id: string): Promise<Seen> {
  const seen: Seen = { text: '', thrown: undefined, terminal: undefined };
  const headers = { 'x-request-id': id };
  const prompt = 'Tell me a long story about a lighthouse keeper and the sea.';
  try {
    switch (client) {
      case 'openai.chat':
        for await (const c of await new OpenAI({ baseURL: `${url}/v1`, apiKey: 'k', maxRetries: 0, defaultHeaders: headers }).chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: prompt }] })) seen.text += c.choices[0]?.delta.content ?? '';
        break;
      case 'openai.responses':
        for await (const ev of await new OpenAI({ baseURL: `${url}/v1`, apiKey: 'k', maxRetries: 0, defaultHeaders: headers }).responses.create({ model, stream: true, input: prompt })) {
          if (ev.type === 'response.output_text.delta') seen.text += ev.delta;
          if (['response.completed', 'response.failed', 'response.incomplete', 'error'].includes(ev.type)) seen.terminal = ev.type;
        }
        break;
      case 'anthropic.messages':
        for await (const ev of await new Anthropic({ baseURL: url, apiKey: 'k', maxRetries: 0, defaultHeaders: headers }).messages.create({ model, max_tokens: 100, stream: true, messages: [{ role: 'user', content: prompt }] })) {
          if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') seen.text += ev.delta.text;
          if (ev.type === 'message_stop') seen.terminal = ev.type;
        }
        break;
      case 'gemini.generate':
        for await (const c of await new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: url, headers } }).models.generateContentStream({ model, contents: prompt })) seen.text += c.text ?? '';
        break;
    }
  } catch (err) {
    seen.thrown = err;
  }
  return seen;
}

describe('ledger: streams that fail after they began, every client × upstream pair', function () {
  this.timeout(120_000);
  let mock: MockUpstream;
  let gw: TestGateway;
  let database: string;
  let dir: string;
  let failure: Failure | 'preamble held past the keep-alive, then a reset' = 'connection reset';
  /** Fail after the preamble, before any content: nothing has reached the client. */
  let beforeContent = false;

  before(async () => {
    mock = await startMockUpstream();
    mock.handle((req, res) => {
      const p = protocolOfPath(req.url);
      const s = new FamilyStream(p, SERVED[p]);
      // Anthropic reports the prompt (and its cache read) in message_start; Gemini in every chunk.
      const opening = p === 'anthropic.messages' ? s.opening().replace('"input_tokens":5', '"input_tokens":120,"cache_read_input_tokens":30') : s.opening();
      const delta = (t: string) => (p === 'gemini.generate'
        ? sse({ candidates: [{ content: { role: 'model', parts: [{ text: t }] }, index: 0 }], usageMetadata: { promptTokenCount: 120, candidatesTokenCount: 4, totalTokenCount: 124 }, modelVersion: SERVED[p] })
        : s.delta(t));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (failure === 'preamble held past the keep-alive, then a reset') {
        // Comments keep idle_ms away while the gateway holds the preamble past sse_keepalive_ms.
        res.write(opening);
        const timer = setInterval(() => res.write(': still thinking\n\n'), 150);
        setTimeout(() => { clearInterval(timer); res.destroy(); }, 1300);
        return;
      }
      res.write(beforeContent ? opening : opening + TEXT.map(delta).join(''));
      setTimeout(() => {
        switch (failure) {
          case 'connection reset': res.destroy(); break;
          case 'error event': res.end(errorEvent(p, s)); break;
          case 'silence past idle_ms': break;
          case 'end without the terminal event': res.end(); break;
          case 'an event that is not JSON, then the end': res.end(NOT_JSON); break;
          case 'an event that is not JSON, then the rest of a whole answer': res.end(NOT_JSON + delta('And the sea. ') + ending(p)); break;
        }
      }, 30);
    });
    dir = tempDir('sluice-stream-failures-');
    database = `sqlite:${path.join(dir, 'ledger.db')}`;
    gw = await startGateway(`server: { shutdown_grace_ms: 500, sse_keepalive_ms: 1000 }
storage: { database: "${database}" }
providers:
${upstreamProviders(mock.url.replace(/\/v1$/, ''), ', timeouts: { idle_ms: 400 }')}
chain:
  - use: router
    with:
      routes:
${GENERATE.map((p) => `        - { match: ${modelFor(p)}, provider: ${PROVIDER[p]}, model: ${SERVED[p]} }`).join('\n')}
  - use: translator
  - use: ledger
    with: { flush_interval_ms: 100 }
`, { dir });
  });
  after(async () => { await gw.close(); await mock.close(); });

  /**
   * The rows whose ids `wanted` picks, once there are `n` (or after 10 s, as they are): the writer
   * writes every 100 ms, but a burst of streams ending at once takes it longer than that on a
   * loaded machine (a fixed 300 ms wait once read none of 64).
   */
  async function rowsOf(wanted: (id: string) => boolean, n: number): Promise<Awaited<ReturnType<typeof ledgerRows>>> {
    const read = async () => {
      const knex = openDatabase(database, dir);
      return (await ledgerRows(knex).finally(() => knex.destroy())).filter((r) => wanted(r.request_id));
    };
    await until(async () => (await read()).length >= n).catch(() => undefined);
    return await read();
  }

  it('failing after its preamble, before any content: every SDK\'s HTTP error; the row keeps what the provider reported (Anthropic\'s message_start), else none', async () => {
    beforeContent = true;
    const ids = new Map<string, { failure: Failure; upstream: GenProtocol; status: number | undefined }>();
    try {
      for (const f of Object.keys(FAILURES) as Failure[]) {
        if (f === 'an event that is not JSON, then the rest of a whole answer') continue; // the same as the line alone, before content
        // undici checks idle_ms on a coarse timer, so here it may fire after this gateway's 1 s hold
        // has committed the stream; ledger-failed-attempt-usage.test.ts covers it with the default hold.
        if (f === 'silence past idle_ms') continue;
        failure = f;
        await Promise.all(pairs().map(async ({ client, upstream }) => {
          const id = `pre.${f.replace(/\W+/g, '-')}.${client}.${upstream}`;
          const seen = await throughSdk(client, gw.url, modelFor(upstream), id);
          expect(seen.text, id).to.equal('');
          const status = (seen.thrown as { status?: number } | undefined)?.status;
          expect(status, `${id}: ${String(seen.thrown)}`).to.be.a('number').at.least(500);
          ids.set(id, { failure: f, upstream, status });
        }));
      }
    } finally {
      beforeContent = false;
    }
    const rows = await rowsOf((id) => ids.has(id), ids.size);
    expect(rows).to.have.length(ids.size);
    for (const row of rows) {
      const { failure: f, upstream, status } = ids.get(row.request_id)!;
      expect(row, row.request_id).to.include({ status, outcome: 'error', error_code: FAILURES[f] });
      if (upstream === 'anthropic.messages') {
        expect(row, row.request_id).to.include({ usage_source: 'partial', input_tokens: 120, cache_read_tokens: 30 });
        expect(row.cost_total, row.request_id).to.be.a('number').above(0);
      } else {
        expect(row, row.request_id).to.include({ usage_source: 'none', input_tokens: 0, output_tokens: 0 });
      }
    }
  });

  it('a stream committed on its held preamble whose first byte is the error: the row has that byte\'s time (ttfb_ms), as an HTTP error has', async () => {
    failure = 'preamble held past the keep-alive, then a reset';
    const held = GENERATE.flatMap((client) => (['openai.chat', 'anthropic.messages'] as const).map((upstream) => ({ client, upstream, id: `held.${client}.${upstream}` })));
    const ids = held.map((h) => h.id);
    await Promise.all(held.map(async ({ client, upstream, id }) => {
      const seen = await throughSdk(client, gw.url, modelFor(upstream), id);
      expect(seen.thrown !== undefined || seen.terminal === 'response.failed', `${client} ← ${upstream}`).to.equal(true);
    }));
    const rows = await rowsOf((id) => ids.includes(id), ids.length);
    expect(rows).to.have.length(ids.length);
    for (const row of rows) {
      // Committed at the hold's expiry (status 200), the translated preamble wrote nothing before the error.
      expect(row, row.request_id).to.include({ status: 200, outcome: 'error', error_code: 'SLUICE_E_UPSTREAM_TRUNCATED' });
      expect(row.ttfb_ms, row.request_id).to.be.a('number').within(900, Number(row.latency_ms));
    }
  });

  it('the SDK raises, and the row is an error with the usage reported or estimated so far, priced', async () => {
    const seen = new Map<string, Seen & { failure: Failure; client: GenProtocol; upstream: GenProtocol }>();
    for (const f of Object.keys(FAILURES) as Failure[]) {
      failure = f;
      await Promise.all(pairs().map(async ({ client, upstream }) => {
        const id = `${f.replace(/\W+/g, '-')}.${client}.${upstream}`;
        seen.set(id, { ...(await throughSdk(client, gw.url, modelFor(upstream), id)), failure: f, client, upstream });
      }));
    }
    await gw.close();
    const knex = openDatabase(database, dir);
    const all = await ledgerRows(knex).finally(() => knex.destroy());
    const rows = all.filter((r) => !r.request_id.startsWith('held.') && !r.request_id.startsWith('pre.'));
    expect(rows.map((r) => r.request_id).sort()).to.deep.equal([...seen.keys()].sort());
    for (const row of rows) {
      const s = seen.get(row.request_id)!;
      const label = `${s.failure}: ${s.client} ← ${s.upstream}`;
      // The client: the text before the failure, then its SDK's error — the protocol's error event,
      // not its own parser choking on the upstream's line — or, for Responses, the failure events.
      expect(s.text, label).to.equal(TEXT.join(''));
      if (s.client === 'openai.responses') {
        expect(s.thrown, `${label}: ${String(s.thrown)}`).to.equal(undefined);
        expect(s.terminal, label).to.be.oneOf(['response.failed', 'error']);
      } else {
        expect(s.thrown, label).to.be.instanceOf(Error);
        expect(s.thrown, `${label}: ${String(s.thrown)}`).to.not.be.instanceOf(SyntaxError);
        expect(s.terminal, label).to.equal(undefined);
      }
      // The row.
      expect(row, label).to.include({ status: 200, outcome: 'error', error_code: FAILURES[s.failure], stream: 1, provider: PROVIDER[s.upstream], served_model: SERVED[s.upstream] });
      expect(row.usage_source, label).to.equal(REPORTS_EARLY.has(s.upstream) ? 'partial' : 'estimated');
      if (REPORTS_EARLY.has(s.upstream)) expect(Number(row.input_tokens) + Number(row.cache_read_tokens), label).to.equal(s.upstream === 'anthropic.messages' ? 150 : 120);
      else expect(Number(row.input_tokens), `${label}: the prompt's estimate`).to.be.above(0);
      expect(Number(row.output_tokens), `${label}: the text streamed`).to.be.at.least(10);
      expect(row.cost_total, `${label}: priced`).to.be.a('number').above(0);
    }

    // `sluice usage` counts every one of them an error, and their tokens and cost in its totals.
    const r = await sluiceInProcess(['usage', '--config', path.join(dir, 'sluice.yaml'), '--by', 'provider', '--json']);
    expect(r.status, r.stderr).to.equal(0);
    const report = JSON.parse(r.stdout) as { rows: Record<string, unknown>[]; total: Record<string, unknown> };
    const sum = (column: string) => all.reduce((n, row) => n + Number(row[column]), 0);
    expect(report.total).to.include({ requests: all.length, errors: all.length, estimated: all.filter((r) => r.usage_source !== 'none').length, unpriced: 0, input_tokens: sum('input_tokens'), output_tokens: sum('output_tokens'), cache_read_tokens: sum('cache_read_tokens') });
    expect(report.total['cost_usd']).to.be.closeTo(sum('cost_total'), 1e-9);
    for (const p of GENERATE) {
      const n = all.filter((r) => r.provider === PROVIDER[p]).length;
      expect(report.rows.find((x) => x['provider'] === PROVIDER[p]), p).to.include({ requests: n, errors: n });
    }
  });
});
