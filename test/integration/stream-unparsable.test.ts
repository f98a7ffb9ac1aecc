// An upstream stream that carries no event Sluice can read (every line `data: data: {…}`, or
// garbage), or whose protocol's terminal event never comes, is a failure for every client, streaming
// or not — never a 200 with an empty, finished-looking answer. Before the first byte it is an HTTP
// error the router may fall over on; after it, the client protocol's in-stream error. The official
// SDKs are the judges.
import Anthropic from '@anthropic-ai/sdk';
import { expect } from 'chai';
import { FamilyStream, protocolOfPath } from '../helpers/family-wire.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { anthropicClient, drivers, errorStatus, GENERATE, modelFor, routesYaml, upstreamProviders, type Driver, type GenProtocol } from '../helpers/translation-rig.js';

const sse = (data: unknown, event?: string): string => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

/** A whole, well-formed stream of `p` answering `text`. */
function complete(p: GenProtocol, text: string): string {
  const s = new FamilyStream(p);
  switch (p) {
    case 'openai.chat':
      return s.opening() + s.delta(text)
        + sse({ id: 'chatcmpl-mock', object: 'chat.completion.chunk', created: 1700000000, model: 'loopback', choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }] })
        + 'data: [DONE]\n\n';
    case 'openai.responses': {
      const item = { id: 'msg_mock', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] };
      const response = { id: 'resp_mock', object: 'response', created_at: 1700000000, status: 'completed', model: 'loopback', output: [item], usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 }, error: null };
      return s.opening() + s.delta(text)
        + sse({ type: 'response.output_item.done', sequence_number: 90, output_index: 0, item }, 'response.output_item.done')
        + sse({ type: 'response.completed', sequence_number: 91, response }, 'response.completed');
    }
    case 'anthropic.messages':
      return s.opening() + s.delta(text) + sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop')
        + sse({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } }, 'message_delta')
        + sse({ type: 'message_stop' }, 'message_stop');
    case 'gemini.generate':
      return s.delta(text) + sse({ candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2, totalTokenCount: 5 }, modelVersion: 'loopback' });
  }
}

/** Every data line said twice, as a broken proxy re-wrapping SSE does: no event parses. */
const doubled = (wire: string): string => wire.replace(/^data: /gm, 'data: data: ');

async function rejection(p: Promise<unknown>): Promise<Error> {
  try { await p; } catch (err) { return err as Error; }
  throw new Error('expected the call to fail');
}

interface LogLine { msg: string; outcome?: string; error?: string; status?: number }

describe('stream integrity: an upstream stream with nothing readable, or no terminal event', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  let clients: Record<GenProtocol, Driver>;
  const lastRequest = (): LogLine => gw.logs.map((l) => JSON.parse(l) as LogLine).filter((l) => l.msg === 'request').at(-1)!;
  const settle = () => new Promise((r) => setTimeout(r, 40));

  before(async () => {
    mock = await startMockUpstream();
    gw = await startGateway(config({
      providers: upstreamProviders(mock.url.replace(/\/v1$/, '')),
      chain: ['  - use: router\n    with:\n      routes:', routesYaml(), '  - use: translator'].join('\n'),
    }));
    clients = drivers(gw.url);
  });
  after(async () => { await gw.close(); await mock.close(); });

  const scenarios: Record<string, (p: GenProtocol) => string> = {
    'every line doubled (data: data: {…})': (p) => doubled(complete(p, 'hello')),
    'garbage lines only': () => 'data: not json at all\n\ndata: <html>502 Bad Gateway</html>\n\n',
    'garbage, then the sentinel [DONE]': () => 'data: not json\n\ndata: {broken\n\ndata: [DONE]\n\n',
    'only the sentinel [DONE]': () => 'data: [DONE]\n\n',
  };
  for (const [name, body] of Object.entries(scenarios)) {
    for (const upstream of GENERATE) {
      it(`${upstream} upstream, ${name}: every streaming client gets an error, not an empty answer`, async () => {
        mock.handle((_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.end(body(upstream)); });
        for (const client of GENERATE) {
          const outcome = await clients[client].streamText(modelFor(upstream), 'hello').then((r) => `answered ${JSON.stringify(r.text)}`, (err: Error) => err);
          expect(outcome, `${client} ← ${upstream}`).to.be.instanceOf(Error);
          expect(errorStatus(outcome), `${client} ← ${upstream}: ${String(outcome)}`).to.equal(502);
          await settle();
          expect(lastRequest(), `${client} ← ${upstream}`).to.include({ outcome: 'error', error: 'SLUICE_E_UPSTREAM_TRUNCATED' });
        }
      });
    }
  }

  for (const upstream of GENERATE) {
    it(`${upstream} upstream, content then doubled lines to the end: every streaming client gets an in-stream error`, async () => {
      mock.handle((req, res) => {
        const p = protocolOfPath(req.url);
        const whole = complete(p, 'hello');
        // The first content event arrives intact (the stream commits), the rest is unreadable.
        const s = new FamilyStream(p);
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(s.opening() + s.delta('hel') + doubled(whole));
      });
      for (const client of GENERATE) {
        const err = await rejection(clients[client].streamText(modelFor(upstream), 'hello'));
        // The first unreadable line ends the stream with the in-stream error, passthrough or
        // translated: never passed on (a passthrough client's SDK failed on it with a SyntaxError).
        expect(err.message, `${client} ← ${upstream}: ${err.message}`).to.contain('sent a stream event that is not JSON');
        await settle();
        expect(lastRequest(), `${client} ← ${upstream}`).to.include({ outcome: 'error', error: 'SLUICE_E_UPSTREAM_TRUNCATED' });
      }
    });
  }

  for (const upstream of GENERATE) {
    it(`${upstream} upstream answering a non-streaming request with doubled lines: every JSON client gets a 502`, async () => {
      mock.handle((_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.end(doubled(complete(upstream, 'hello'))); });
      for (const client of GENERATE) {
        const err = await rejection(clients[client].text(modelFor(upstream), 'hello'));
        expect(errorStatus(err), `${client} ← ${upstream}: ${String(err)}`).to.equal(502);
      }
    });
  }

  it('an Anthropic client of a Chat upstream that sent garbage then [DONE] gets a 502, not an empty end_turn message (JSON error before the first byte)', async () => {
    mock.handle((_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.end('data: data: {"choices":[]}\n\ndata: [DONE]\n\n'); });
    const raw = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: modelFor('openai.chat'), max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(raw.status).to.equal(502);
    expect(raw.headers.get('x-sluice-error-code')).to.equal('SLUICE_E_UPSTREAM_TRUNCATED');
    expect(await raw.json()).to.deep.include({ type: 'error' });
    const err = await rejection(anthropicClient(gw.url).messages.stream({ model: modelFor('openai.chat'), max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }).finalMessage());
    expect(err).to.be.instanceOf(Anthropic.InternalServerError);
    expect(err.message).to.contain('sent a stream event that is not JSON');
  });

  it('the Anthropic SDK never sees message_stop / end_turn from a doubled OpenAI Chat stream', async () => {
    mock.handle((_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.end(doubled(complete('openai.chat', 'hello'))); });
    const err = await rejection(anthropicClient(gw.url).messages.stream({ model: modelFor('openai.chat'), max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }).finalMessage());
    expect(err).to.be.instanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).to.equal(502);
  });
});

describe('stream integrity: an empty Chat stream ending in [DONE]', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  before(async () => {
    mock = await startMockUpstream();
    gw = await startGateway(config({
      server: '  shutdown_grace_ms: 200\n  sse_keepalive_ms: 1000\n',
      providers: upstreamProviders(mock.url.replace(/\/v1$/, '')),
      chain: '  - use: router\n    with:\n      routes:\n        - { match: empty, provider: up-chat, model: loopback }\n        - { match: empty-fb, provider: up-chat, model: loopback, fallbacks: [{ provider: local, model: loopback }] }\n  - use: translator',
    }));
  });
  after(async () => { await gw.close(); await mock.close(); });

  const roleOnly = 'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n';

  it('before the first byte it is a failure the router falls over on', async () => {
    mock.handle((_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.end(roleOnly + 'data: [DONE]\n\n'); });
    const message = await anthropicClient(gw.url).messages.stream({ model: 'empty-fb', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    expect(message.content.length, 'the loopback fallback answered').to.be.above(0);
  });

  it('once the stream has begun (preamble held past the keep-alive), it ends with an in-stream error, not message_stop', async () => {
    mock.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(roleOnly);
      setTimeout(() => res.end('data: [DONE]\n\n'), 1500);
    });
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'empty', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).to.equal(200);
    const text = await res.text();
    expect(text).to.contain('event: error').and.not.contain('message_stop').and.not.contain('end_turn');
    const err = await rejection((async () => {
      mock.handle((_req, r) => { r.writeHead(200, { 'content-type': 'text/event-stream' }); r.write(roleOnly); setTimeout(() => r.end('data: [DONE]\n\n'), 1500); });
      return anthropicClient(gw.url).messages.stream({ model: 'empty', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    })());
    expect(err).to.be.instanceOf(Anthropic.APIError);
    expect(err.message).to.contain('ended the stream before it was complete');
  });
});
