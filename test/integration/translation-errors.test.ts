// Failures across the translation matrix: an upstream of family U failing (401, 429, 500 in its own
// envelope; mid-stream, by dying or by its own error event) must reach a client of family C as that
// client SDK's typed error with the same status; a client that hangs up mid-stream aborts the upstream.
import Anthropic from '@anthropic-ai/sdk';
import { ApiError } from '@google/genai';
import { expect } from 'chai';
import OpenAI from 'openai';
import { errorEnvelope, FamilyStream, protocolOfPath } from '../helpers/family-wire.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { anthropicClient, drivers, GENERATE, genaiClient, modelFor, openaiClient, routesYaml, upstreamProviders, type Driver, type GenProtocol } from '../helpers/translation-rig.js';

const PAIRS = GENERATE.flatMap((client) => GENERATE.map((upstream) => ({ client, upstream, label: `${client} ← ${upstream}${client === upstream ? ' (passthrough)' : ''}` })));

/** The typed error class each SDK throws for a status. */
function expectTyped(client: GenProtocol, err: unknown, status: number): void {
  if (client === 'gemini.generate') {
    expect(err, String(err)).to.be.instanceOf(ApiError);
    expect((err as ApiError).status).to.equal(status);
    return;
  }
  const classes = client === 'anthropic.messages'
    ? { 401: Anthropic.AuthenticationError, 429: Anthropic.RateLimitError, 500: Anthropic.InternalServerError }
    : { 401: OpenAI.AuthenticationError, 429: OpenAI.RateLimitError, 500: OpenAI.InternalServerError };
  expect(err, String(err)).to.be.instanceOf(classes[status as 401 | 429 | 500]);
  expect((err as { status: number }).status).to.equal(status);
  if (status === 429) expect((err as { headers: Headers }).headers.get('retry-after'), 'retry-after forwarded').to.equal('7');
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try { await p; } catch (err) { return err; }
  throw new Error('expected the call to fail');
}

/** Streams through the client's SDK; returns the text seen and how the stream ended. */
async function streamThroughSdk(client: GenProtocol, url: string, model: string): Promise<{ text: string; thrown: unknown; terminal: string | undefined }> {
  let text = '';
  let terminal: string | undefined;
  try {
    switch (client) {
      case 'openai.chat':
        for await (const c of await openaiClient(url).chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: 'go' }] })) text += c.choices[0]?.delta.content ?? '';
        break;
      case 'openai.responses':
        for await (const ev of await openaiClient(url).responses.create({ model, stream: true, input: 'go' })) {
          if (ev.type === 'response.output_text.delta') text += ev.delta;
          if (['response.completed', 'response.failed', 'response.incomplete', 'error'].includes(ev.type)) terminal = ev.type;
        }
        break;
      case 'anthropic.messages':
        for await (const ev of await anthropicClient(url).messages.create({ model, max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'go' }] })) {
          if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') text += ev.delta.text;
          if (ev.type === 'message_stop') terminal = ev.type;
        }
        break;
      case 'gemini.generate':
        for await (const c of await genaiClient(url).models.generateContentStream({ model, contents: 'go' })) text += c.text ?? '';
        break;
    }
  } catch (err) {
    return { text, thrown: err, terminal };
  }
  return { text, thrown: undefined, terminal };
}

function rawStreamRequest(client: GenProtocol, model: string): { path: string; body: unknown } {
  switch (client) {
    case 'openai.chat': return { path: '/v1/chat/completions', body: { model, stream: true, messages: [{ role: 'user', content: 'go' }] } };
    case 'openai.responses': return { path: '/v1/responses', body: { model, stream: true, input: 'go' } };
    case 'anthropic.messages': return { path: '/v1/messages', body: { model, max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'go' }] } };
    case 'gemini.generate': return { path: `/v1beta/models/${model}:streamGenerateContent?alt=sse`, body: { contents: [{ role: 'user', parts: [{ text: 'go' }] }] } };
  }
}

describe('translation errors (SDK typed errors, in-stream errors, disconnects)', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  let clients: Record<GenProtocol, Driver>;

  before(async () => {
    mock = await startMockUpstream();
    gw = await startGateway(config({
      providers: upstreamProviders(mock.url.replace(/\/v1$/, '')),
      chain: ['  - use: router\n    with:\n      routes:', routesYaml(), '  - use: translator'].join('\n'),
    }));
    clients = drivers(gw.url);
  });
  after(async () => { await gw.close(); await mock.close(); });
  beforeEach(() => { mock.requests.length = 0; });

  describe('upstream 401 / 429 / 500 → the client SDK\'s typed error, same status (JSON and stream)', () => {
    for (const { client, upstream, label } of PAIRS) {
      it(label, async () => {
        for (const status of [401, 429, 500]) {
          const message = `upstream says ${status}`;
          mock.handle((req, res) => {
            expect(protocolOfPath(req.url)).to.equal(upstream);
            res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': '7' } : {}) }).end(JSON.stringify(errorEnvelope(upstream, status, message)));
          });
          for (const stream of [false, true]) {
            const err = await failure(stream ? clients[client].streamText(modelFor(upstream), 'hi') : clients[client].text(modelFor(upstream), 'hi'));
            expectTyped(client, err, status);
            // A 401 is about the gateway's credentials: its upstream text (which may quote the key) is replaced.
            if (status === 401) expect(String((err as Error).message), `Sluice's message (stream ${stream})`).to.contain("rejected the gateway's upstream credentials").and.not.contain(message);
            else expect(String((err as Error).message), `upstream message kept (status ${status}, stream ${stream})`).to.contain(message);
          }
        }
        expect(mock.requests, 'one upstream call per attempt, no retries').to.have.length(6);
      });
    }
  });

  // Known source bug, reported to the lead; the cell stays and fails honestly once un-skipped.
  // core/http/egress.ts writeStream/frames(): on an OpenAI Chat passthrough whose upstream sends
  // `data: {"error":…}` and ends the stream, the terminator `data: [DONE]` is still appended.
  const KNOWN_BUGS: Record<string, string> = {
  };

  const HOW = { 'dies': 'connection dies', 'ends early': 'the stream ends cleanly without its terminal event', 'error event': 'the family\'s own error event' } as const;
  for (const how of Object.keys(HOW) as (keyof typeof HOW)[]) {
    describe(`mid-stream upstream failure (${HOW[how]}) → the client protocol's in-stream error`, () => {
      for (const { client, upstream, label } of PAIRS) {
        const bug = KNOWN_BUGS[`${how} ${client} ← ${upstream}`];
        (bug ? it.skip : it)(bug ? `${label} — SKIPPED, source bug: ${bug}` : label, async () => {
          mock.handle((req, res) => {
            const s = new FamilyStream(protocolOfPath(req.url));
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            res.write(s.opening() + s.delta('partial '));
            if (how === 'dies') setTimeout(() => res.destroy(), 30);
            else if (how === 'ends early') setTimeout(() => res.end(), 30);
            else setTimeout(() => res.end(s.error('upstream overloaded')), 30);
          });
          const r = await streamThroughSdk(client, gw.url, modelFor(upstream));
          expect(r.text, 'text before the failure').to.equal('partial ');
          if (client === 'openai.responses') {
            // The SDK yields `error` / `response.failed` as events rather than throwing.
            expect(r.thrown !== undefined || r.terminal === 'error' || r.terminal === 'response.failed', `failure surfaced; terminal ${r.terminal}`).to.equal(true);
            expect(r.terminal, 'no successful terminal event').to.not.equal('response.completed');
          } else {
            expect(r.thrown, 'the SDK throws from the stream').to.be.instanceOf(Error);
            expect(r.terminal, 'no message_stop').to.equal(undefined);
          }
          if (client === 'openai.chat') {
            const { path, body } = rawStreamRequest(client, modelFor(upstream));
            const raw = await (await fetch(gw.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).text();
            expect(raw, 'no [DONE] after a failure').to.not.contain('[DONE]');
            const last = JSON.parse(raw.trim().split('\n\n').at(-1)!.replace(/^data: /, '')) as { error: { code: string | null } };
            expect(last).to.have.property('error');
            if (how === 'ends early') expect(last.error.code).to.equal('SLUICE_E_UPSTREAM_TRUNCATED');
          }
        });
      }
    });
  }

  describe('a client that disconnects mid-translated-stream aborts the upstream request', () => {
    for (const { client, upstream, label } of PAIRS) {
      it(label, async () => {
        let closed!: () => void;
        const upstreamClosed = new Promise<void>((r) => { closed = r; });
        mock.handle((req, res) => {
          const s = new FamilyStream(protocolOfPath(req.url));
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(s.opening() + s.delta('first '));
          const timer = setInterval(() => res.write(s.delta('more ')), 20);
          res.once('close', () => { clearInterval(timer); closed(); });
        });
        const { path, body } = rawStreamRequest(client, modelFor(upstream));
        const controller = new AbortController();
        const res = await fetch(gw.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: controller.signal });
        expect(res.status).to.equal(200);
        const reader = res.body!.getReader();
        let seen = '';
        while (!seen.includes('first')) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`stream ended before any text: ${seen}`);
          seen += new TextDecoder().decode(value);
        }
        controller.abort();
        await Promise.race([upstreamClosed, new Promise((_, reject) => setTimeout(() => reject(new Error('upstream was not aborted')), 3000))]);
      });
    }
  });
});
