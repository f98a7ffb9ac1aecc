// Router fallbacks (SPEC.md §5 router): tried on connection errors, timeouts, 429 and 5xx, only
// before anything reached the client; never on a 4xx; a stream is committed at its first event.
import { expect } from 'chai';
import net from 'node:net';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { chatCompletionBody, chunk, defaultHandler, startMockUpstream, type MockHandler, type MockUpstream } from '../helpers/mock-upstream.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** B answers in its own words so the client can tell who served it. */
const answerAsB: MockHandler = (req, res) => {
  const model = String(req.body?.['model'] ?? 'mock');
  if (req.body?.['stream'] === true) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(chunk(model, { role: 'assistant', content: '' }));
    res.write(chunk(model, { content: 'from ' }));
    res.write(chunk(model, { content: 'B' }));
    res.write(chunk(model, {}, 'stop'));
    res.end('data: [DONE]\n\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(chatCompletionBody(model, 'from B')));
};

const failWith = (status: number, headers: Record<string, string> = {}): MockHandler => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
    .end(JSON.stringify({ error: { message: `primary says ${status}`, type: status === 400 ? 'invalid_request_error' : 'server_error', param: null, code: `primary_${status}` } }));
};

interface LogLine { msg: string; request_id?: string; provider?: string; status?: number; fallbacks?: { provider: string; model: string; code: string; status: number }[]; error?: string }
function requestLines(gw: TestGateway): LogLine[] {
  return gw.logs.map((l) => JSON.parse(l) as LogLine).filter((l) => l.msg === 'request');
}
const settle = () => new Promise((r) => setTimeout(r, 30));

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

function sseData(text: string): unknown[] {
  return text.split(/\n\n/).map((f) => f.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n'))
    .filter((d) => d !== '' && d !== '[DONE]').map((d) => JSON.parse(d) as unknown);
}

describe('router fallbacks', () => {
  let a: MockUpstream;
  let b: MockUpstream;
  let gw: TestGateway;
  let client: OpenAI;
  let deadPort: number;

  before(async () => {
    a = await startMockUpstream();
    b = await startMockUpstream();
    deadPort = await closedPort();
    gw = await startGateway(config({
      providers: [
        `  primary: { type: openai, base_url: "${a.url}", api_key: key-a, timeouts: { first_byte_ms: 300 } }`,
        `  backup: { type: openai, base_url: "${b.url}", api_key: key-b }`,
        `  dead: { type: openai, base_url: "http://127.0.0.1:${deadPort}/v1", api_key: key-dead, timeouts: { connect_ms: 2000 } }`,
        `  chatonly: { type: openai, base_url: "${a.url}", api_key: key-a, protocols: [openai.chat] }`,
        `  responsesonly: { type: openai, base_url: "${b.url}", api_key: key-b, protocols: [openai.responses] }`,
        `  idler: { type: openai, base_url: "${a.url}", api_key: key-a, timeouts: { idle_ms: 300 } }`,
      ].join('\n'),
      chain: `  - use: router
    with:
      routes:
        - { match: "gpt-dead", provider: dead, fallbacks: [backup] }
        - { match: "gpt-to-loop", provider: primary, fallbacks: [{ provider: local, model: loopback }] }
        - { match: "gpt-cross", provider: chatonly, fallbacks: [responsesonly] }
        - { match: "gpt-idle", provider: idler, fallbacks: [backup] }
        - { match: "gpt-renamed", provider: primary, fallbacks: [{ provider: backup, model: backup-model }] }
        - { match: "gpt-*", provider: primary, fallbacks: [backup] }
      default: primary
      fallbacks: [backup]
  - use: translator`,
    }));
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
  });
  after(async () => { await gw.close(); await a.close(); await b.close(); });
  beforeEach(() => {
    a.requests.length = 0; b.requests.length = 0;
    a.handle(defaultHandler); b.handle(answerAsB);
  });

  it('falls back to the next provider when the primary answers 500 (JSON), and logs the failed attempt', async () => {
    a.handle(failWith(500));
    const res = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-request-id': 'fo-500-json' } });
    expect(res.choices[0]!.message.content).to.equal('from B');
    expect(a.requests).to.have.length(1);
    expect(b.requests).to.have.length(1);
    expect(b.requests[0]!.headers.authorization).to.equal('Bearer key-b');
    await settle();
    const line = requestLines(gw).find((l) => l.request_id === 'fo-500-json')!;
    expect(line.provider).to.equal('backup');
    expect(line.status).to.equal(200);
    expect(line.fallbacks).to.deep.equal([{ provider: 'primary', model: 'gpt-4o', code: 'SLUICE_E_UPSTREAM_ERROR', status: 500 }]);
  });

  it('falls back when the primary answers 500 to a stream request', async () => {
    a.handle(failWith(503));
    const stream = await client.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    expect(text).to.equal('from B');
    expect(a.requests).to.have.length(1);
    expect(b.requests).to.have.length(1);
  });

  it('sends the fallback its own model name when the fallback names one', async () => {
    a.handle(failWith(502));
    const res = await client.chat.completions.create({ model: 'gpt-renamed', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.choices[0]!.message.content).to.equal('from B');
    expect(a.requests[0]!.body!['model']).to.equal('gpt-renamed');
    expect(b.requests[0]!.body!['model']).to.equal('backup-model');
  });

  it('falls back when the primary refuses connections', async () => {
    const res = await client.chat.completions.create({ model: 'gpt-dead', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-request-id': 'fo-refused' } });
    expect(res.choices[0]!.message.content).to.equal('from B');
    await settle();
    const line = requestLines(gw).find((l) => l.request_id === 'fo-refused')!;
    expect(line.provider).to.equal('backup');
    expect(line.fallbacks).to.have.length(1);
    expect(line.fallbacks![0]).to.include({ provider: 'dead', code: 'SLUICE_E_UPSTREAM_UNAVAILABLE' });
  });

  it('falls back on 429', async () => {
    a.handle(failWith(429, { 'retry-after': '7' }));
    const res = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-request-id': 'fo-429' } });
    expect(res.choices[0]!.message.content).to.equal('from B');
    await settle();
    expect(requestLines(gw).find((l) => l.request_id === 'fo-429')!.fallbacks).to.deep.equal([{ provider: 'primary', model: 'gpt-4o', code: 'SLUICE_E_UPSTREAM_ERROR', status: 429 }]);
  });

  it('falls back on an upstream 499 (a proxy before the provider dropped the request), which a client sees as a 502', async () => {
    a.handle(failWith(499));
    const res = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-request-id': 'fo-499' } });
    expect(res.choices[0]!.message.content).to.equal('from B');
    await settle();
    expect(requestLines(gw).find((l) => l.request_id === 'fo-499')!.fallbacks).to.deep.equal([{ provider: 'primary', model: 'gpt-4o', code: 'SLUICE_E_UPSTREAM_ERROR', status: 499 }]);
  });

  it('falls back when the primary does not answer within first_byte_ms', async () => {
    const timers: NodeJS.Timeout[] = [];
    a.handle((req, res) => { timers.push(setTimeout(() => defaultHandler(req, res, undefined as never), 3000)); });
    const started = Date.now();
    const res = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-request-id': 'fo-timeout' } });
    const took = Date.now() - started;
    timers.forEach(clearTimeout);
    expect(res.choices[0]!.message.content).to.equal('from B');
    expect(took, 'the timeout, not the slow answer, decided').to.be.below(2500);
    await settle();
    expect(requestLines(gw).find((l) => l.request_id === 'fo-timeout')!.fallbacks![0]).to.include({ provider: 'primary', code: 'SLUICE_E_UPSTREAM_TIMEOUT' });
  });

  it('does NOT fall back on a 400: the client sees the upstream 400', async () => {
    a.handle(failWith(400));
    const err = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(OpenAI.BadRequestError);
    const e = err as InstanceType<typeof OpenAI.BadRequestError>;
    expect(e.status).to.equal(400);
    expect(e.message).to.contain('primary says 400');
    expect(e.code).to.equal('primary_400');
    expect(b.requests).to.have.length(0);
  });

  it('reports the last failure when every target fails, listing the earlier attempts', async () => {
    a.handle(failWith(500));
    b.handle(failWith(503));
    const res = await post(`${gw.url}/v1/chat/completions`, { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, { 'x-request-id': 'fo-all' });
    expect(res.status).to.equal(503);
    expect(JSON.parse(res.text)).to.have.nested.property('error.message', 'primary says 503');
    await settle();
    const line = requestLines(gw).find((l) => l.request_id === 'fo-all')!;
    expect(line.fallbacks).to.deep.equal([{ provider: 'primary', model: 'gpt-4o', code: 'SLUICE_E_UPSTREAM_ERROR', status: 500 }]);
    expect(line.provider).to.equal('backup');
  });

  it('falls back when a stream dies before its first event, and the client sees only the fallback\'s events', async () => {
    a.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      setTimeout(() => res.socket?.destroy(), 30);
    });
    const res = await post(`${gw.url}/v1/chat/completions`, { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] }, { 'x-request-id': 'fo-stream-early' });
    expect(res.status).to.equal(200);
    const events = sseData(res.text) as { choices: { delta: { content?: string } }[]; error?: unknown }[];
    expect(events.filter((e) => e.error), 'no error event in the client stream').to.have.length(0);
    expect(events.map((e) => e.choices[0]?.delta.content ?? '').join('')).to.equal('from B');
    expect(res.text.match(/data: \[DONE\]/g)).to.have.length(1);
    expect(a.requests).to.have.length(1);
    expect(b.requests).to.have.length(1);
    await settle();
    const line = requestLines(gw).find((l) => l.request_id === 'fo-stream-early')!;
    expect(line.provider).to.equal('backup');
    expect(line.fallbacks![0]).to.include({ provider: 'primary', code: 'SLUICE_E_UPSTREAM_TRUNCATED' });
  });

  it('does not fall back on an empty but finished stream; a bare [DONE] (no chunk at all) does fall back', async () => {
    // Guard against over-eager fallback: an empty answer that says it finished (finish_reason) is delivered as is.
    a.handle((req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.end(chunk(String(req.body!['model']), {}, 'stop') + 'data: [DONE]\n\n'); });
    const res = await post(`${gw.url}/v1/chat/completions`, { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).to.equal(200);
    expect(b.requests).to.have.length(0);
    // No chunk, no finish_reason: an answer that never began (the openai SDK refuses it as "ended
    // without sending any chunks"), a failure before the first byte like any truncated stream.
    a.handle((_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.end('data: [DONE]\n\n'); });
    const bare = await post(`${gw.url}/v1/chat/completions`, { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(bare.status).to.equal(200);
    expect(b.requests).to.have.length(1);
  });

  it('does not fall back once events reached the client: the failure becomes an in-stream error', async () => {
    a.handle((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk(String(req.body!['model']), { role: 'assistant', content: 'partial' }));
      setTimeout(() => res.socket?.destroy(), 30);
    });
    const res = await post(`${gw.url}/v1/chat/completions`, { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] }, { 'x-request-id': 'fo-stream-late' });
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('partial');
    expect(res.text).to.not.contain('[DONE]');
    const events = sseData(res.text);
    expect(events.at(-1)).to.have.nested.property('error.code', 'SLUICE_E_UPSTREAM_TRUNCATED');
    expect(b.requests).to.have.length(0);
    await settle();
    const line = requestLines(gw).find((l) => l.request_id === 'fo-stream-late')!;
    expect(line.provider).to.equal('primary');
    expect(line.fallbacks).to.equal(undefined);
  });

  it('the openai SDK sees the late in-stream error as an error, after the partial text', async () => {
    a.handle((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk(String(req.body!['model']), { role: 'assistant', content: 'partial' }));
      setTimeout(() => res.socket?.destroy(), 30);
    });
    const stream = await client.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    const err = await (async () => { for await (const c of stream) text += c.choices[0]?.delta.content ?? ''; })().then(() => undefined, (e: unknown) => e);
    expect(text).to.equal('partial');
    expect(err).to.be.instanceOf(OpenAI.APIError);
  });

  it('falls back when a stream sends headers and then stays silent past idle_ms', async () => {
    a.handle((_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.flushHeaders(); });
    const res = await post(`${gw.url}/v1/chat/completions`, { model: 'gpt-idle', stream: true, messages: [{ role: 'user', content: 'hi' }] }, { 'x-request-id': 'fo-idle' });
    expect(res.status).to.equal(200);
    const events = sseData(res.text) as { choices: { delta: { content?: string } }[] }[];
    expect(events.map((e) => e.choices[0]?.delta.content ?? '').join('')).to.equal('from B');
    await settle();
    expect(requestLines(gw).find((l) => l.request_id === 'fo-idle')!.fallbacks![0]).to.include({ provider: 'idler', code: 'SLUICE_E_UPSTREAM_TIMEOUT' });
  });

  it('keeps the last 429 and its retry-after when every target is rate limited', async () => {
    a.handle(failWith(429, { 'retry-after': '3' }));
    b.handle(failWith(429, { 'retry-after': '11' }));
    const res = await post(`${gw.url}/v1/chat/completions`, { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).to.equal(429);
    expect(res.headers.get('retry-after')).to.equal('11');
    expect(a.requests).to.have.length(1);
    expect(b.requests).to.have.length(1);
  });

  it('the default provider uses the top-level fallbacks', async () => {
    a.handle(failWith(500));
    const res = await client.chat.completions.create({ model: 'unrouted-model', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.choices[0]!.message.content).to.equal('from B');
    expect(a.requests[0]!.body!['model']).to.equal('unrouted-model');
    expect(b.requests[0]!.body!['model']).to.equal('unrouted-model');
  });

  describe('across protocols (translator in the chain)', () => {
    it('an Anthropic client whose openai primary fails is served by a loopback fallback', async () => {
      a.handle(failWith(500));
      const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client-key', maxRetries: 0 });
      const msg = await anthropic.messages.create({ model: 'gpt-to-loop', max_tokens: 64, messages: [{ role: 'user', content: 'ping' }] }, { headers: { 'x-request-id': 'fo-cross-anth' } });
      expect(msg.type).to.equal('message');
      expect(msg.content[0]!.type).to.equal('text');
      expect((msg.content[0] as { text: string }).text).to.contain('ping');
      // The primary got the request translated to OpenAI chat.
      expect(a.requests).to.have.length(1);
      expect(a.requests[0]!.url).to.equal('/v1/chat/completions');
      expect(a.requests[0]!.body!['messages']).to.deep.equal([{ role: 'user', content: 'ping' }]);
      await settle();
      const line = requestLines(gw).find((l) => l.request_id === 'fo-cross-anth')!;
      expect(line.provider).to.equal('local');
      expect(line.fallbacks![0]).to.include({ provider: 'primary', status: 500 });
    });

    it('an Anthropic stream whose openai primary fails is served by the loopback fallback', async () => {
      a.handle(failWith(500));
      const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client-key', maxRetries: 0 });
      const stream = anthropic.messages.stream({ model: 'gpt-to-loop', max_tokens: 64, messages: [{ role: 'user', content: 'ping' }] });
      const final = await stream.finalMessage();
      expect((final.content[0] as { text: string }).text).to.contain('ping');
      expect(a.requests).to.have.length(1);
      expect(a.requests[0]!.body!['stream']).to.equal(true);
    });

    it('an OpenAI chat client whose chat-only primary fails is served by a Responses-only fallback through the translator', async () => {
      a.handle(failWith(500));
      b.handle((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
          id: 'resp_mock1', object: 'response', created_at: 1700000000, status: 'completed', model: req.body!['model'],
          output: [{ type: 'message', id: 'msg_mock1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'from B via responses', annotations: [] }] }],
          usage: { input_tokens: 9, output_tokens: 4, total_tokens: 13, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } },
        }));
      });
      const res = await client.chat.completions.create({ model: 'gpt-cross', messages: [{ role: 'user', content: 'hi' }] });
      expect(res.object).to.equal('chat.completion');
      expect(res.choices[0]!.message.content).to.equal('from B via responses');
      expect(res.usage?.prompt_tokens).to.equal(9);
      expect(a.requests[0]!.url).to.equal('/v1/chat/completions');
      expect(b.requests[0]!.url).to.equal('/v1/responses');
      expect(b.requests[0]!.body).to.not.have.property('messages');
      expect(b.requests[0]!.body).to.have.property('input');
    });
  });
});

describe('router fallbacks between Anthropic and OpenAI providers', () => {
  let anth: MockUpstream;
  let oai: MockUpstream;
  let gw: TestGateway;
  const anthropicMessage = (text: string) => ({
    id: 'msg_mock1', type: 'message', role: 'assistant', model: 'claude-mock', content: [{ type: 'text', text }],
    stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 5, output_tokens: 3 },
  });

  before(async () => {
    anth = await startMockUpstream();
    oai = await startMockUpstream();
    gw = await startGateway(config({
      providers: [
        `  claude: { type: anthropic, base_url: "${new URL(anth.url).origin}", api_key: key-anth }`,
        `  oai: { type: openai, base_url: "${oai.url}", api_key: key-oai }`,
      ].join('\n'),
      chain: `  - use: router
    with:
      routes:
        - { match: "claude-*", provider: claude, fallbacks: [{ provider: oai, model: gpt-4o }] }
        - { match: "gpt-*", provider: oai, fallbacks: [{ provider: claude, model: claude-sonnet }] }
      default: local
  - use: translator`,
    }));
  });
  after(async () => { await gw.close(); await anth.close(); await oai.close(); });
  beforeEach(() => {
    anth.requests.length = 0; oai.requests.length = 0;
    oai.handle(answerAsB);
    anth.handle((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(anthropicMessage('from claude'))); });
  });

  it('an Anthropic client whose anthropic primary is overloaded (529) is served by the OpenAI fallback, translated', async () => {
    anth.handle((_req, res) => { res.writeHead(529, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })); });
    const client = new Anthropic({ baseURL: gw.url, apiKey: 'client-key', maxRetries: 0 });
    const msg = await client.messages.create({ model: 'claude-x', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-request-id': 'fo-anth-oai' } });
    expect(msg.type).to.equal('message');
    expect((msg.content[0] as { text: string }).text).to.equal('from B');
    expect(anth.requests).to.have.length(1);
    expect(anth.requests[0]!.url).to.equal('/v1/messages');
    expect(oai.requests).to.have.length(1);
    expect(oai.requests[0]!.url).to.equal('/v1/chat/completions');
    expect(oai.requests[0]!.body!['model']).to.equal('gpt-4o');
    await settle();
    expect(requestLines(gw).find((l) => l.request_id === 'fo-anth-oai')!.fallbacks).to.deep.equal([{ provider: 'claude', model: 'claude-x', code: 'SLUICE_E_UPSTREAM_ERROR', status: 529 }]);
  });

  it('the same as a stream: the Anthropic SDK rebuilds the fallback\'s message', async () => {
    anth.handle((_req, res) => { res.writeHead(500, { 'content-type': 'application/json' }).end('{"type":"error","error":{"type":"api_error","message":"boom"}}'); });
    const client = new Anthropic({ baseURL: gw.url, apiKey: 'client-key', maxRetries: 0 });
    const final = await client.messages.stream({ model: 'claude-x', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    expect((final.content[0] as { text: string }).text).to.equal('from B');
    expect(oai.requests[0]!.body!['stream']).to.equal(true);
  });

  it('an OpenAI chat client whose openai primary fails is served by the Anthropic fallback, translated', async () => {
    oai.handle(failWith(500));
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
    const res = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.object).to.equal('chat.completion');
    expect(res.choices[0]!.message.content).to.equal('from claude');
    expect(res.usage?.prompt_tokens).to.equal(5);
    expect(anth.requests[0]!.url).to.equal('/v1/messages');
    expect(anth.requests[0]!.body!['model']).to.equal('claude-sonnet');
    expect(anth.requests[0]!.body!['max_tokens'], 'Anthropic needs max_tokens').to.be.a('number');
    expect(anth.requests[0]!.headers['x-api-key']).to.equal('key-anth');
  });

  it('an OpenAI chat stream whose openai primary dies before its first event is served by the Anthropic fallback', async () => {
    oai.handle((_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.flushHeaders(); setTimeout(() => res.socket?.destroy(), 20); });
    anth.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
      res.write(ev('message_start', { message: { ...anthropicMessage(''), content: [], stop_reason: null, usage: { input_tokens: 5, output_tokens: 0 } } }));
      res.write(ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
      res.write(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'from ' } }));
      res.write(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'claude' } }));
      res.write(ev('content_block_stop', { index: 0 }));
      res.write(ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 3 } }));
      res.end(ev('message_stop', {}));
    });
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    let usageChunks = 0;
    for await (const c of stream) { text += c.choices[0]?.delta.content ?? ''; if (c.usage) usageChunks++; }
    expect(text).to.equal('from claude');
    expect(usageChunks, 'the client did not ask for usage').to.equal(0);
    expect(oai.requests).to.have.length(1);
    expect(anth.requests).to.have.length(1);
  });

  it('an Anthropic stream translated from an OpenAI primary that dies mid-stream ends in event: error, with no fallback', async () => {
    oai.handle((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk(String(req.body!['model']), { role: 'assistant', content: 'partial' }));
      setTimeout(() => res.socket?.destroy(), 30);
    });
    const res = await post(`${gw.url}/v1/messages`, { model: 'gpt-4o', max_tokens: 32, stream: true, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01' });
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('partial');
    const frames = res.text.trim().split(/\n\n/);
    expect(frames.at(-1)).to.match(/^event: error\n/);
    expect(res.text).to.not.contain('message_stop');
    expect(anth.requests).to.have.length(0);
  });
});
