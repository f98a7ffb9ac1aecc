// A provider's connection cap with a bounded queue (provider `connections` + `queue`): when every
// connection is held by hung upstream calls, an extra request waits at most `queue.timeout_ms`
// behind at most `queue.max` others, then fails as "saturated" (503 SLUICE_E_UPSTREAM_UNAVAILABLE),
// which the router's fallbacks take at once, before the first byte.
import { expect } from 'chai';
import type { ServerResponse } from 'node:http';
import OpenAI from 'openai';
import { chatCompletionBody, chunk, defaultHandler, startMockUpstream, type MockHandler, type MockUpstream } from '../helpers/mock-upstream.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

const answerAsB: MockHandler = (req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(chatCompletionBody(String(req.body?.['model']), 'from B')));
};

interface LogLine { msg: string; request_id?: string; provider?: string; status?: number; fallbacks?: { provider: string; code: string; status: number }[] }

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('provider connection queue (saturation)', () => {
  let a: MockUpstream;
  let b: MockUpstream;
  let gw: TestGateway;
  let client: OpenAI;
  /** Responses the hanging handler holds, so a test can release them. */
  let held: ServerResponse[] = [];
  /** Client requests still open (the ones holding A's connections); aborted after each test. */
  let open: AbortController[] = [];
  const hang: MockHandler = (_req, res) => { held.push(res); };

  before(async () => {
    a = await startMockUpstream();
    b = await startMockUpstream();
    const tight = (name: string, queue: string) => `  ${name}: { type: openai, base_url: "${a.url}", api_key: key-a, connections: 1, queue: ${queue} }`;
    gw = await startGateway(config({
      providers: [
        tight('nowait', '{ max: 0 }'),
        tight('onewaits', '{ max: 1, timeout_ms: 60000 }'),
        tight('briefwait', '{ max: 4, timeout_ms: 300 }'),
        tight('alone', '{ max: 0 }'),
        tight('single', '{ max: 0 }'),
        `  backup: { type: openai, base_url: "${b.url}", api_key: key-b }`,
      ].join('\n'),
      chain: `  - use: router
    with:
      routes:
        - { match: "gpt-nowait", provider: nowait, fallbacks: [backup] }
        - { match: "gpt-onewaits", provider: onewaits, fallbacks: [backup] }
        - { match: "gpt-briefwait", provider: briefwait, fallbacks: [backup] }
        - { match: "gpt-alone", provider: alone }
        - { match: "gpt-single", provider: single }
      default: local
  - use: translator`,
    }));
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
  });
  after(async () => { await gw.close(); await a.close(); await b.close(); });
  beforeEach(() => {
    a.requests.length = 0; b.requests.length = 0; held = [];
    a.handle(hang); b.handle(answerAsB);
  });
  afterEach(async () => {
    for (const c of open) c.abort();
    open = [];
    for (const res of held) res.destroy();
  });

  /** Sends a chat request that the upstream holds; resolves once A has received it. */
  async function occupy(model: string): Promise<void> {
    const seen = a.requests.length;
    const controller = new AbortController();
    open.push(controller);
    void fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', signal: controller.signal, headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hang' }] }),
    }).catch(() => undefined);
    await until(() => a.requests.length > seen, 'the upstream to receive the held request');
  }

  const ask = (model: string, id: string) =>
    client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-request-id': id } });

  async function logLine(id: string): Promise<LogLine> {
    let line: LogLine | undefined;
    await until(() => (line = gw.logs.map((l) => JSON.parse(l) as LogLine).find((l) => l.msg === 'request' && l.request_id === id)) !== undefined, `log line ${id}`);
    return line!;
  }

  it('fails over at once when the only connection is busy and queue.max is 0', async () => {
    await occupy('gpt-nowait');
    const started = Date.now();
    const res = await ask('gpt-nowait', 'sat-nowait');
    const elapsed = Date.now() - started;
    expect(res.choices[0]!.message.content).to.equal('from B');
    expect(a.requests, 'the extra request never reached the saturated provider').to.have.length(1);
    expect(elapsed, 'no wait behind the hung request (first_byte_ms is 120 s)').to.be.below(5000);
    expect((await logLine('sat-nowait')).fallbacks).to.deep.equal([{ provider: 'nowait', model: 'gpt-nowait', code: 'SLUICE_E_UPSTREAM_UNAVAILABLE', status: 503 }]);
  });

  it('lets queue.max requests wait, fails over the next one at once, and hands the freed connection to the waiter', async () => {
    await occupy('gpt-onewaits');
    let waiterDone = false;
    const waiter = ask('gpt-onewaits', 'sat-waiter').finally(() => { waiterDone = true; });
    await new Promise((r) => setTimeout(r, 100)); // the waiter is in line (nothing reached A or B for it)
    expect(a.requests.length + b.requests.length).to.equal(1);

    const extra = await ask('gpt-onewaits', 'sat-extra');
    expect(extra.choices[0]!.message.content).to.equal('from B');
    expect((await logLine('sat-extra')).fallbacks).to.deep.equal([{ provider: 'onewaits', model: 'gpt-onewaits', code: 'SLUICE_E_UPSTREAM_UNAVAILABLE', status: 503 }]);
    expect(waiterDone, 'the waiter is still waiting').to.equal(false);

    // Freeing the connection (the held request's client goes away) gives it to the waiter, which A now answers.
    a.handle(defaultHandler);
    open.shift()!.abort();
    const served = await waiter;
    expect(served.choices[0]!.message.content).to.equal('Hello world');
    expect((await logLine('sat-waiter')).fallbacks).to.equal(undefined);
  });

  it('takes a waiter whose client left out of the queue', async () => {
    await occupy('gpt-onewaits');
    const leaving = new AbortController();
    const gone = fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', signal: leaving.signal, headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-onewaits', messages: [{ role: 'user', content: 'hi' }] }),
    }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    leaving.abort();
    await gone;
    await new Promise((r) => setTimeout(r, 50));
    // Its place in line is free again: the next request waits (it is not failed over) and gets A's connection.
    const next = ask('gpt-onewaits', 'sat-after-leave');
    await new Promise((r) => setTimeout(r, 100));
    expect(b.requests, 'not failed over: the queue had room').to.have.length(0);
    a.handle(defaultHandler);
    open.shift()!.abort();
    expect((await next).choices[0]!.message.content).to.equal('Hello world');
  });

  it('fails over when no connection frees within queue.timeout_ms', async () => {
    await occupy('gpt-briefwait');
    const started = Date.now();
    const res = await ask('gpt-briefwait', 'sat-timeout');
    const elapsed = Date.now() - started;
    expect(res.choices[0]!.message.content).to.equal('from B');
    expect(elapsed, 'it waited for the queue timeout').to.be.at.least(290);
    expect(elapsed, 'and not for the hung request').to.be.below(5000);
    expect(a.requests).to.have.length(1);
    expect((await logLine('sat-timeout')).fallbacks).to.deep.equal([{ provider: 'briefwait', model: 'gpt-briefwait', code: 'SLUICE_E_UPSTREAM_UNAVAILABLE', status: 503 }]);
  });

  it('with no fallback left, answers 503 in the client protocol with a retry-after', async () => {
    await occupy('gpt-alone');
    const chat = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-alone', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(chat.status).to.equal(503);
    expect(chat.headers.get('retry-after')).to.equal('1');
    const body = await chat.json() as { error: { message: string; type: string; code: string } };
    expect(body.error).to.deep.include({ type: 'api_error', code: 'SLUICE_E_UPSTREAM_UNAVAILABLE' });
    expect(body.error.message).to.equal('provider alone is saturated: all 1 connections are busy');

    const messages = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-alone', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(messages.status).to.equal(503);
    const anthropic = await messages.json() as { type: string; error: { type: string; message: string } };
    expect(anthropic.type).to.equal('error');
    expect(anthropic.error.message).to.match(/^provider alone is saturated/);
  });

  it('gives the connection back after every kind of response (JSON, stream, error, 401, abandoned stream)', async () => {
    // With one connection and no queue, any slot that is not given back makes the next request a 503.
    a.handle((req, res) => {
      const content = (req.body?.['messages'] as { content: string }[])[0]!.content;
      const model = String(req.body?.['model']);
      if (content === 'fail') { res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"boom","type":"server_error"}}'); return; }
      if (content === 'unauthorized') { res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"message":"bad key"}}'); return; }
      if (content === 'half') { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.write(chunk(model, { role: 'assistant', content: 'x' })); held.push(res); return; }
      defaultHandler(req, res, undefined as never);
    });
    const send = (content: string, stream = false) => fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-single', stream, messages: [{ role: 'user', content }] }),
    });
    for (let round = 0; round < 3; round++) {
      expect((await send('json')).status).to.equal(200);
      const streamed = await send('stream', true);
      expect(await streamed.text()).to.include('data: [DONE]');
      expect((await send('fail')).status).to.equal(500);
      expect((await send('unauthorized')).status).to.equal(401);
      // A client that leaves mid-stream: the upstream body is destroyed and its connection freed.
      const controller = new AbortController();
      const half = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST', signal: controller.signal, headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-single', stream: true, messages: [{ role: 'user', content: 'half' }] }),
      });
      const reader = half.body!.getReader();
      await reader.read();
      const abortedBefore = a.aborted;
      controller.abort();
      await until(() => a.aborted > abortedBefore, 'the upstream stream to be cut');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await send('json')).status).to.equal(200);
  });
});
