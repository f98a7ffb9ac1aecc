// Embeddings in the ledger, through the real gateway to mock upstreams speaking each provider's wire
// format: OpenAI's `/v1/embeddings` reports usage.prompt_tokens; Gemini's embedContent and
// batchEmbedContents answers carry no usage, so those rows are estimated from the text (never a
// billed 0); and an OpenAI input given as token ids (arrays of integers, which OpenAI bills one
// token each) is counted as those ids — exactly, whatever the tokenizer — not as no text at all.
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { openDatabase } from '../../core/storage/database.js';
import { startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';
import { ledgerRows, type LedgerRowRead } from '../plugins/ledger/rig.js';

type Answer = (url: string, body: Record<string, unknown>) => unknown;

describe('ledger: embeddings rows', function () {
  this.timeout(30_000);
  let server: http.Server;
  let gw: TestGateway;
  let database: string;
  let dir: string;
  let answer: Answer = () => ({});

  before(async () => {
    server = http.createServer(async (req, res) => {
      let text = '';
      for await (const c of req) text += String(c);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(req.url ?? '', text ? JSON.parse(text) as Record<string, unknown> : {})));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = tempDir('sluice-ledger-embed-');
    database = `sqlite:${path.join(dir, 'ledger.db')}`;
    gw = await startGateway(`server: { shutdown_grace_ms: 200 }
storage: { database: "${database}" }
logging: { level: warn }
providers:
  local: { type: loopback }
  oa: { type: openai, base_url: "${origin}/v1", api_key: k }
  ge: { type: gemini, base_url: "${origin}", api_key: k }
chain:
  - use: router
    with:
      routes:
        - { match: "text-embedding-3-*", provider: oa }
        - { match: "voyage-*", provider: oa }
        - { match: "gemini-embedding-*", provider: ge }
      default: local
  - use: translator
  - use: ledger
    with: { flush_interval_ms: 50 }
`);
  });
  after(async () => {
    await gw.close();
    await new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); });
  });

  const sent: Record<string, string> = {};
  async function send(label: string, p: string, body: unknown, a: Answer): Promise<void> {
    answer = a;
    const res = await fetch(gw.url + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status, `${label}: ${await res.text()}`).to.equal(200);
    sent[label] = res.headers.get('x-request-id')!;
  }
  async function rows(): Promise<Map<string, LedgerRowRead>> {
    await gw.close();
    const knex = openDatabase(database, dir);
    const all = new Map((await ledgerRows(knex)).map((r) => [r.request_id, r]));
    await knex.destroy();
    return all;
  }
  const vectors = (n: number) => Array.from({ length: n }, (_, index) => ({ object: 'embedding', index, embedding: [0.5, 0.25] }));
  const openai = (n: number, usage?: unknown) => () => ({ object: 'list', data: vectors(n), model: 'text-embedding-3-small', ...(usage ? { usage } : {}) });

  it('prices what each provider billed, and estimates (never a billed 0) what it did not report', async () => {
    const text = 'The quick brown fox jumps over the lazy dog.'; // 10 tokens in cl100k_base, 44 characters
    await send('openai text', '/v1/embeddings', { model: 'text-embedding-3-small', input: [text, text], encoding_format: 'float' }, openai(2, { prompt_tokens: 20, total_tokens: 20 }));
    await send('openai token ids', '/v1/embeddings', { model: 'text-embedding-3-small', input: [[791, 4062, 14198, 39935], [9, 8, 7]], encoding_format: 'float' }, openai(2, { prompt_tokens: 7, total_tokens: 7 }));
    await send('openai one token list', '/v1/embeddings', { model: 'text-embedding-3-small', input: [791, 4062, 14198], encoding_format: 'float' }, openai(1, { prompt_tokens: 3, total_tokens: 3 }));
    // An OpenAI-compatible server that reports no usage: 600 token ids sent, so 600 billed.
    await send('token ids, no usage', '/v1/embeddings', { model: 'text-embedding-3-small', input: [Array.from({ length: 600 }, (_, i) => i + 1)], encoding_format: 'float' }, openai(1));
    // Voyage AI's /v1/embeddings (OpenAI's request shape) reports `usage: { total_tokens }` alone.
    await send('total only', '/v1/embeddings', { model: 'voyage-3.5', input: [text, text] }, () => ({ object: 'list', data: vectors(2), model: 'voyage-3.5', usage: { total_tokens: 24 } }));
    await send('gemini embedContent', '/v1beta/models/gemini-embedding-001:embedContent', { content: { parts: [{ text }] } }, () => ({ embedding: { values: [0.5, 0.25] } }));
    await send('gemini batch', '/v1beta/models/gemini-embedding-001:batchEmbedContents', {
      requests: [text, text].map((t) => ({ model: 'models/gemini-embedding-001', content: { parts: [{ text: t }] } })),
    }, () => ({ embeddings: [{ values: [0.5] }, { values: [0.25] }] }));
    await send('openai client to gemini', '/v1/embeddings', { model: 'gemini-embedding-001', input: [text, text], encoding_format: 'float' }, () => ({ embeddings: [{ values: [0.5] }, { values: [0.25] }] }));

    const all = await rows();
    const row = (label: string) => all.get(sent[label]!)!;
    const tokens = (label: string) => {
      const r = row(label);
      return { input: r['input_tokens'], output: r['output_tokens'], source: r['usage_source'], local: r['local_input_tokens'], mismatch: r['count_mismatch'], nanoUsd: r['cost_total'] === null ? null : Math.round(Number(r['cost_total']) * 1e9) };
    };
    // Costs in billionths of a dollar. text-embedding-3-small: $0.02 per million input tokens; gemini-embedding-001: $0.15.
    expect(tokens('openai text')).to.deep.equal({ input: 20, output: 0, source: 'reported', local: 20, mismatch: 0, nanoUsd: 400 });
    // Token ids are tokens: the local count is their number, and it agrees with the bill.
    expect(tokens('openai token ids')).to.deep.equal({ input: 7, output: 0, source: 'reported', local: 7, mismatch: 0, nanoUsd: 140 });
    expect(tokens('openai one token list')).to.deep.equal({ input: 3, output: 0, source: 'reported', local: 3, mismatch: 0, nanoUsd: 60 });
    expect(tokens('token ids, no usage')).to.deep.equal({ input: 600, output: 0, source: 'estimated', local: 600, mismatch: 0, nanoUsd: 12_000 });
    // Unpriced (voyage-3.5 is not in the shipped list), but its tokens are what it billed.
    expect(tokens('total only')).to.deep.equal({ input: 24, output: 0, source: 'reported', local: 22, mismatch: 0, nanoUsd: null });
    // Gemini reports no usage for embeddings: ≈ 4 characters a token (44 → 11 a text), and said so.
    for (const [label, input, nanoUsd] of [['gemini embedContent', 11, 1650], ['gemini batch', 22, 3300], ['openai client to gemini', 22, 3300]] as const) {
      expect(tokens(label), label).to.deep.equal({ input, output: 0, source: 'estimated', local: input, mismatch: 0, nanoUsd });
      expect(row(label)['local_method'], label).to.equal('estimate');
    }
  });
});
