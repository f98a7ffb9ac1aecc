// Gemini's streamGenerateContent in both of Google's framings: with `alt=sse` Server-Sent Events
// (what @google/genai and Gemini CLI ask for), without it (curl and REST clients following Google's
// docs, or `alt=json`) one JSON array streamed element by element. Only the bytes to the client
// differ: the upstream is still asked for SSE, and the array holds the SSE events' data in order —
// from a Gemini upstream, a translated OpenAI or Anthropic one, and the loopback provider alike;
// it stays one valid JSON document when the stream fails, idles or is cut by a shutdown.
import { expect } from 'chai';
import path from 'node:path';
import { openDatabase } from '../../core/storage/database.js';
import { FamilyStream, protocolOfPath } from '../helpers/family-wire.js';
import { config, startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';
import { chunk } from '../helpers/mock-upstream.js';
import { startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { modelFor, routesYaml, upstreamProviders, type GenProtocol } from '../helpers/translation-rig.js';
import { ledgerRows } from '../plugins/ledger/rig.js';
import { EXPECTED, startUsageUpstream } from '../plugins/ledger/usage-upstream.js';

const GEMINI_LAST = { candidates: [{ content: { role: 'model', parts: [{ text: 'done' }] }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 2, totalTokenCount: 3 } };
const BODY = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'go' }] }] });

interface Answer { status: number; contentType: string | null; text: string; requestId: string }

async function stream(url: string, model: string, query: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${url}/v1beta/models/${model}:streamGenerateContent${query}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: BODY });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text(), requestId: res.headers.get('x-request-id')! };
}

/** The data of each SSE event, parsed (comments and blank lines skipped). */
function sseData(text: string): unknown[] {
  return text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)) as unknown);
}

/** The gateway mints ids per request (Gemini's responseId): equal streams differ only there. */
function withoutResponseIds(items: unknown[]): unknown[] {
  return items.map((i) => {
    if (typeof i !== 'object' || i === null) return i;
    const { responseId: _, ...rest } = i as Record<string, unknown>;
    return rest;
  });
}

function expectGeminiError(element: unknown, label: string): { code: number; message: string; status: string } {
  expect(element, label).to.be.an('object').with.keys('error');
  const error = (element as { error: { code: number; message: string; status: string } }).error;
  expect(error, label).to.have.keys('code', 'message', 'status');
  expect(error.code, label).to.be.a('number');
  expect(error.message, label).to.be.a('string');
  expect(error.status, label).to.be.a('string');
  return error;
}

describe('Gemini streamGenerateContent: SSE with alt=sse, one streamed JSON array without', function () {
  this.timeout(30_000);
  let up: RecordingUpstream;
  let gw: TestGateway;

  before(async () => {
    up = await startRecordingUpstream();
    gw = await startGateway(config({
      providers: upstreamProviders(up.origin),
      chain: ['  - use: router\n    with:\n      routes:', routesYaml('mock-model'), '      default: local', '  - use: translator'].join('\n'),
    }));
  });
  after(async () => { await gw.close(); await up.close(); });
  beforeEach(() => { up.handle(); up.requests.length = 0; });

  const SOURCES: { label: string; model: string; upstream: GenProtocol | undefined }[] = [
    { label: 'a Gemini upstream (passthrough)', model: modelFor('gemini.generate'), upstream: 'gemini.generate' },
    { label: 'an OpenAI Chat upstream, translated', model: modelFor('openai.chat'), upstream: 'openai.chat' },
    { label: 'an OpenAI Responses upstream, translated', model: modelFor('openai.responses'), upstream: 'openai.responses' },
    { label: 'an Anthropic upstream, translated', model: modelFor('anthropic.messages'), upstream: 'anthropic.messages' },
    { label: 'the loopback provider', model: 'loopback', upstream: undefined },
  ];

  for (const { label, model, upstream } of SOURCES) {
    it(`from ${label}: no alt (and alt=json) gives a JSON array of the SSE events' data, in order`, async () => {
      const sse = await stream(gw.url, model, '?alt=sse');
      const array = await stream(gw.url, model, '');
      const json = await stream(gw.url, model, '?alt=json');
      expect(sse.status, sse.text).to.equal(200);
      expect(sse.contentType, 'alt=sse unchanged').to.equal('text/event-stream; charset=utf-8');
      expect(sse.text.startsWith('data: {'), sse.text).to.equal(true);
      const events = sseData(sse.text);
      expect(events.length, 'a stream of several events').to.be.at.least(2);

      for (const [name, answer] of [['no alt', array], ['alt=json', json]] as const) {
        expect(answer.status, `${name}: ${answer.text}`).to.equal(200);
        expect(answer.contentType, name).to.equal('application/json; charset=utf-8');
        const elements = JSON.parse(answer.text) as unknown[];
        expect(elements, name).to.be.an('array');
        expect(withoutResponseIds(elements), name).to.deep.equal(withoutResponseIds(events));
        // Google's framing byte for byte: `[{…}\r\n,{…}\r\n]`, each element whole and compact.
        expect(answer.text, name).to.equal(`[${elements.map((e) => JSON.stringify(e)).join('\r\n,')}\r\n]`);
      }
      if (upstream) {
        const urls = up.requests.map((r) => r.url);
        expect(urls, 'one upstream call per client request').to.have.length(3);
        for (const r of up.requests) expect(protocolOfPath(r.url)).to.equal(upstream);
        // The upstream is asked for SSE whatever framing the client wants.
        if (upstream === 'gemini.generate') for (const u of urls) expect(u).to.match(/:streamGenerateContent\?alt=sse$/);
      }
    });
  }

  it('$alt=sse is alt=sse', async () => {
    const answer = await stream(gw.url, modelFor('gemini.generate'), '?$alt=sse');
    expect(answer.contentType).to.equal('text/event-stream; charset=utf-8');
    expect(sseData(answer.text).length).to.be.at.least(2);
  });

  const FAILURES = { 'its own error event': 'error event', 'a dying connection': 'dies' } as const;
  for (const [how, kind] of Object.entries(FAILURES)) {
    for (const upstream of ['gemini.generate', 'openai.chat', 'anthropic.messages'] as const) {
      it(`a mid-stream failure (${how}) of ${upstream} ends the array with Gemini's error object as its last element`, async () => {
        up.handle((req, res) => {
          const s = new FamilyStream(protocolOfPath(req.url));
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(s.opening() + s.delta('partial '));
          setTimeout(() => { if (kind === 'dies') res.destroy(); else res.end(s.error('upstream overloaded')); }, 30);
        });
        const answer = await stream(gw.url, modelFor(upstream), '');
        expect(answer.status).to.equal(200);
        expect(answer.contentType).to.equal('application/json; charset=utf-8');
        const elements = JSON.parse(answer.text) as unknown[];
        expect(elements).to.be.an('array').with.length.at.least(2);
        expect(JSON.stringify(elements.slice(0, -1))).to.contain('partial ');
        const error = expectGeminiError(elements.at(-1), answer.text);
        if (kind === 'error event') expect(error.message).to.contain('upstream overloaded');
        expect(answer.text.endsWith('}\r\n]'), answer.text).to.equal(true);
      });
    }
  }

  it('an error before the stream starts is the plain JSON error envelope, not an array', async () => {
    up.handle((_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 429, message: 'slow down', status: 'RESOURCE_EXHAUSTED' } }));
    });
    const answer = await stream(gw.url, modelFor('gemini.generate'), '');
    expect(answer.status).to.equal(429);
    expect(answer.contentType).to.equal('application/json; charset=utf-8');
    const body = JSON.parse(answer.text) as unknown;
    expect(body).to.not.be.an('array');
    expect(expectGeminiError(body, answer.text)).to.deep.include({ code: 429, status: 'RESOURCE_EXHAUSTED' });
  });

  it('a Gemini upstream that sends no events is refused before any stream, with the same JSON error in either framing', async () => {
    // (An empty stream that did start is `[]`: test/core/stream-framing.test.ts.)
    up.handle((_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }).end(); });
    const array = await stream(gw.url, modelFor('gemini.generate'), '');
    const sse = await stream(gw.url, modelFor('gemini.generate'), '?alt=sse');
    expect(array.status).to.equal(502);
    expect(array.contentType).to.equal('application/json; charset=utf-8');
    expect(expectGeminiError(JSON.parse(array.text), array.text).status).to.equal('UNAVAILABLE');
    expect(sse.status).to.equal(502);
    expect(sse.text).to.equal(array.text);
  });
});

describe('Gemini JSON array framing: an idle stream, and a shutdown cut', function () {
  this.timeout(30_000);
  let up: RecordingUpstream;
  let gw: TestGateway;

  beforeEach(async () => {
    up = await startRecordingUpstream();
    gw = await startGateway(config({
      server: '  shutdown_grace_ms: 300\n  sse_keepalive_ms: 1000\n',
      providers: upstreamProviders(up.origin),
      chain: ['  - use: router\n    with:\n      routes:', routesYaml('mock-model'), '  - use: translator'].join('\n'),
    }));
  });
  afterEach(async () => { await gw.close(); await up.close(); });

  it('an idle stream gets whitespace between elements; with nothing to write yet, its head and `[` go out at the first keep-alive', async () => {
    const sentAt: Record<string, number> = {};
    up.handle((req, res) => {
      const protocol = protocolOfPath(req.url);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (protocol === 'gemini.generate') {
        // Content at once, then silence: the stream commits and its first element goes out.
        res.write(new FamilyStream(protocol).delta('early '));
        setTimeout(() => { sentAt[protocol] = performance.now(); res.end(`data: ${JSON.stringify(GEMINI_LAST)}\n\n`); }, 3500);
      } else {
        // Chat's role chunk alone: held for the keep-alive interval, then committed, but it makes
        // no Gemini chunk of its own, so the writer has nothing to send before the silence ends.
        res.write(chunk('m', { role: 'assistant', content: '' }));
        setTimeout(() => { sentAt[protocol] = performance.now(); res.end(chunk('m', { content: 'late' }) + chunk('m', {}, 'stop') + 'data: [DONE]\n\n'); }, 3500);
      }
    });
    const read = async (upstream: GenProtocol) => {
      const res = await fetch(`${gw.url}/v1beta/models/${modelFor(upstream)}:streamGenerateContent`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
      expect(res.headers.get('content-type')).to.equal('application/json; charset=utf-8');
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      const first = await reader.read();
      const firstAt = performance.now();
      let text = decoder.decode(first.value, { stream: true });
      const firstChunk = text;
      for (let r = await reader.read(); !r.done; r = await reader.read()) text += decoder.decode(r.value, { stream: true });
      return { firstChunk, firstAt, text, elements: JSON.parse(text) as unknown[] };
    };
    const [gemini, chat] = await Promise.all([read('gemini.generate'), read('openai.chat')]);

    expect(gemini.text, 'keep-alive newlines between the elements').to.match(/^\[\{.*\}\n+\r\n,\{.*\}\r\n\]$/s);
    expect(JSON.stringify(gemini.elements)).to.contain('early ').and.contain('done');

    expect(chat.firstChunk, 'the first bytes are the array\'s opening alone').to.equal('[');
    expect(chat.firstAt, 'sent before the upstream spoke again').to.be.lessThan(sentAt['openai.chat']!);
    expect(chat.text, 'never whitespace before the `[`').to.match(/^\[\s*\{/);
    expect(JSON.stringify(chat.elements)).to.contain('late');
  });

  it('a stream cut by the shutdown deadline ends with the error element and a closed array', async () => {
    up.handle((req, res) => {
      const s = new FamilyStream(protocolOfPath(req.url));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(s.opening() + s.delta('slow ')); // then nothing more
    });
    for (const upstream of ['gemini.generate', 'openai.chat'] as const) {
      const res = await fetch(`${gw.url}/v1beta/models/${modelFor(upstream)}:streamGenerateContent`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      while (!text.includes('slow ')) text += decoder.decode((await reader.read()).value, { stream: true });
      const closing = gw.close();
      for (let r = await reader.read(); !r.done; r = await reader.read()) text += decoder.decode(r.value, { stream: true });
      await closing;
      const elements = JSON.parse(text) as unknown[];
      expect(elements, upstream).to.be.an('array').with.length(2);
      expect(expectGeminiError(elements[1], text).status, upstream).to.equal('UNAVAILABLE');
      if (upstream === 'gemini.generate') {
        // A fresh gateway for the second stream: this one has shut down.
        gw = await startGateway(config({
          server: '  shutdown_grace_ms: 300\n',
          providers: upstreamProviders(up.origin),
          chain: ['  - use: router\n    with:\n      routes:', routesYaml('mock-model'), '  - use: translator'].join('\n'),
        }));
      }
    }
  });
});

describe('Gemini JSON array framing: the ledger records the stream\'s usage as for SSE', function () {
  this.timeout(30_000);

  it('reported usage for a Gemini upstream and a translated Chat one, in either framing', async () => {
    const up = await startUsageUpstream();
    const dir = tempDir('sluice-gemarray-ledger-');
    const database = `sqlite:${path.join(dir, 'ledger.db')}`;
    const gw = await startGateway(`server: { shutdown_grace_ms: 500 }
storage: { database: "${database}" }
logging: { level: warn }
providers:
  local: { type: loopback }
  up-chat: { type: openai, base_url: "${up.origin}/v1", api_key: k, protocols: [openai.chat] }
  up-gemini: { type: gemini, base_url: "${up.origin}", api_key: k }
chain:
  - use: router
    with:
      routes:
        - { match: via-chat, provider: up-chat, model: gpt-4o-mini }
        - { match: via-gemini, provider: up-gemini, model: gemini-2.5-flash }
      default: local
  - use: translator
  - use: ledger
    with: { flush_interval_ms: 100, spill_dir: ./spill }
`, { dir });
    const sent: { id: string; family: 'openai' | 'gemini'; label: string }[] = [];
    try {
      for (const [model, family] of [['via-gemini', 'gemini'], ['via-chat', 'openai']] as const) {
        for (const query of ['', '?alt=sse']) {
          const answer = await stream(gw.url, model, query);
          const label = `${model} ${query || 'no alt'}`;
          expect(answer.status, `${label}: ${answer.text}`).to.equal(200);
          if (query === '') expect(JSON.stringify(JSON.parse(answer.text)), label).to.contain('forty');
          sent.push({ id: answer.requestId, family, label });
        }
      }
    } finally {
      await gw.close();
      await up.close();
    }
    const knex = openDatabase(database, dir);
    const rows = new Map((await ledgerRows(knex)).map((r) => [r.request_id, r]));
    await knex.destroy();
    for (const s of sent) {
      const row = rows.get(s.id);
      expect(row, s.label).to.not.equal(undefined);
      const got = { input_tokens: row!['input_tokens'], cache_read_tokens: row!['cache_read_tokens'], cache_write_tokens: row!['cache_write_tokens'], output_tokens: row!['output_tokens'], reasoning_tokens: row!['reasoning_tokens'] };
      expect(got, s.label).to.deep.equal(EXPECTED[s.family]);
      expect(row!['usage_source'], s.label).to.equal('reported');
      expect(row!['outcome'], s.label).to.equal('success');
      expect(row!['stream'], s.label).to.equal(1);
    }
  });
});
