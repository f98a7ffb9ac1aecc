// Stream integrity (issue 8, items 6, 7 and 9), judged by the official SDKs against a mock upstream
// speaking each protocol's own wire format:
// - a stream that ends without its protocol's terminal event is an error, never a finished answer
//   (above all a half-streamed tool call);
// - a stream that fails before its first content (error first, or preamble then error or end) is an
//   ordinary upstream failure: it falls back, or becomes a real HTTP error — not 200 plus an error;
// - a client that did not ask for a stream never receives SSE, and one that did never receives JSON.
import Anthropic from '@anthropic-ai/sdk';
import { expect } from 'chai';
import OpenAI from 'openai';
import { FamilyStream, protocolOfPath } from '../helpers/family-wire.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { anthropicClient, drivers, openaiClient, errorStatus, GENERATE, modelFor, routesYaml, upstreamProviders, type Driver, type GenProtocol } from '../helpers/translation-rig.js';

const sse = (data: unknown, event?: string): string => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
const chatChunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
  sse({ id: 'chatcmpl-t', object: 'chat.completion.chunk', created: 1700000000, model: 'loopback', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
const geminiChunk = (parts: unknown[], extra: Record<string, unknown> = {}): string =>
  sse({ candidates: [{ content: { role: 'model', parts }, index: 0, ...extra }], modelVersion: 'loopback' });

/** Responses events with increasing sequence numbers, as the real API numbers them. */
function responsesWire(): (type: string, fields: Record<string, unknown>) => string {
  let seq = 0;
  return (type, fields) => sse({ type, sequence_number: seq++, ...fields }, type);
}

/** Events that carry no content yet: what a provider sends before it starts answering. */
function preamble(p: GenProtocol): string {
  switch (p) {
    case 'openai.chat': case 'openai.responses': return new FamilyStream(p).opening();
    case 'anthropic.messages': return new FamilyStream(p).opening() + sse({ type: 'ping' }, 'ping');
    case 'gemini.generate': return sse({ candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, index: 0 }], usageMetadata: { promptTokenCount: 3 }, modelVersion: 'loopback' });
  }
}

/** Preamble plus a tool call whose arguments stop half-way (Gemini sends calls whole: no finishReason). */
function halfToolCall(p: GenProtocol): string {
  switch (p) {
    case 'openai.chat':
      return chatChunk({ role: 'assistant', content: null })
        + chatChunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '' } }] })
        + chatChunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":"Par' } }] });
    case 'openai.responses': {
      const ev = responsesWire();
      const response = { id: 'resp_t', object: 'response', created_at: 1700000000, status: 'in_progress', model: 'loopback', output: [], usage: null, error: null };
      return ev('response.created', { response })
        + ev('response.output_item.added', { output_index: 0, item: { id: 'fc_1', type: 'function_call', status: 'in_progress', call_id: 'call_1', name: 'lookup', arguments: '' } })
        + ev('response.function_call_arguments.delta', { item_id: 'fc_1', output_index: 0, delta: '{"city":"Par' });
    }
    case 'anthropic.messages':
      return sse({ type: 'message_start', message: { id: 'msg_t', type: 'message', role: 'assistant', model: 'loopback', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 5, output_tokens: 1 } } }, 'message_start')
        + sse({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_1', name: 'lookup', input: {} } }, 'content_block_start')
        + sse({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"city":"Par' } }, 'content_block_delta');
    case 'gemini.generate':
      return geminiChunk([{ functionCall: { name: 'lookup', args: { city: 'Paris' } } }]);
  }
}

/** The family's in-stream error with the given meaning. */
function errorEvent(p: GenProtocol, kind: 'overloaded' | 'rate_limited' | 'invalid', message: string): string {
  switch (p) {
    case 'openai.chat':
      return sse({ error: { message, type: kind === 'invalid' ? 'invalid_request_error' : 'server_error', param: null, code: kind === 'rate_limited' ? 'rate_limit_exceeded' : kind === 'invalid' ? 400 : null } });
    case 'openai.responses':
      return responsesWire()('error', { code: kind === 'rate_limited' ? 'rate_limit_exceeded' : kind === 'invalid' ? 'invalid_prompt' : 'server_error', message, param: null });
    case 'anthropic.messages':
      return sse({ type: 'error', error: { type: kind === 'rate_limited' ? 'rate_limit_error' : kind === 'invalid' ? 'invalid_request_error' : 'overloaded_error', message } }, 'error');
    case 'gemini.generate': {
      const [code, status] = kind === 'rate_limited' ? [429, 'RESOURCE_EXHAUSTED'] : kind === 'invalid' ? [400, 'INVALID_ARGUMENT'] : [503, 'UNAVAILABLE'];
      return sse({ error: { code, message, status } });
    }
  }
}

/** The HTTP status a pre-content overload error becomes, per upstream family. */
const OVERLOADED_STATUS: Record<GenProtocol, number> = { 'openai.chat': 502, 'openai.responses': 502, 'anthropic.messages': 529, 'gemini.generate': 503 };

/** The model name that routes to `p` with the loopback provider as fallback. */
const withFallback = (p: GenProtocol) => `fb-${p.replace('.', '-')}`;
const UPSTREAM: Record<GenProtocol, string> = { 'openai.chat': 'up-chat', 'openai.responses': 'up-responses', 'anthropic.messages': 'up-anthropic', 'gemini.generate': 'up-gemini' };

interface LogLine { msg: string; endpoint?: string; status?: number; outcome?: string; error?: string; provider?: string; fallbacks?: { provider: string; code: string; status: number }[] }
const settle = () => new Promise((r) => setTimeout(r, 40));

async function rejection(p: Promise<unknown>): Promise<Error> {
  try { await p; } catch (err) { return err as Error; }
  throw new Error('expected the call to fail');
}

describe('stream integrity: truncation, failures before content, SSE to non-stream clients', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  let clients: Record<GenProtocol, Driver>;
  const lastRequest = (): LogLine => gw.logs.map((l) => JSON.parse(l) as LogLine).filter((l) => l.msg === 'request').at(-1)!;

  before(async () => {
    mock = await startMockUpstream();
    gw = await startGateway(config({
      providers: upstreamProviders(mock.url.replace(/\/v1$/, '')),
      chain: [
        '  - use: router\n    with:\n      routes:',
        routesYaml(),
        ...GENERATE.map((p) => `        - { match: ${withFallback(p)}, provider: ${UPSTREAM[p]}, model: loopback, fallbacks: [{ provider: local, model: loopback }] }`),
        '  - use: translator',
      ].join('\n'),
    }));
    clients = drivers(gw.url);
  });
  after(async () => { await gw.close(); await mock.close(); });
  beforeEach(() => { mock.requests.length = 0; });

  describe('item 6: an upstream stream cut cleanly mid tool-call is an error for every client', () => {
    for (const upstream of GENERATE) {
      it(`${upstream} upstream, every client SDK raises (none returns a finished tool call)`, async () => {
        mock.handle((req, res) => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(halfToolCall(protocolOfPath(req.url)));
          setTimeout(() => res.end(), 20); // a clean end: no reset, just no terminal event
        });
        for (const client of GENERATE) {
          const err = await rejection(clients[client].tools(modelFor(upstream), 'weather in Paris?', true));
          expect(err.message, `${client} ← ${upstream}: ${err.message}`).to.contain('ended the stream before it was complete');
          await settle();
          expect(lastRequest(), `${client} ← ${upstream} is logged as an error`).to.include({ outcome: 'error', error: 'SLUICE_E_UPSTREAM_TRUNCATED' });
        }
      });
    }

    it('the Anthropic SDK raises an APIError from messages.stream().finalMessage(), and sees no message_stop', async () => {
      for (const upstream of GENERATE) {
        mock.handle((req, res) => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.end(halfToolCall(protocolOfPath(req.url)));
        });
        const stream = anthropicClient(gw.url).messages.stream({
          model: modelFor(upstream), max_tokens: 100, messages: [{ role: 'user', content: 'weather?' }],
          tools: [{ name: 'lookup', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
        });
        const seen: string[] = [];
        stream.on('streamEvent', (ev) => { seen.push(ev.type); });
        const err = await rejection(stream.finalMessage());
        expect(err, `${upstream}: ${String(err)}`).to.be.instanceOf(Anthropic.APIError);
        expect(err.message).to.contain('ended the stream before it was complete');
        expect(seen, upstream).to.not.include('message_stop');
        expect(seen, upstream).to.not.include('message_delta');
      }
    });

    it('an OpenAI Chat stream gets an in-stream error and no [DONE] (raw wire)', async () => {
      mock.handle((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(chatChunk({ role: 'assistant', content: '' }) + chatChunk({ content: 'half an answ' }));
      });
      const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: modelFor('openai.chat'), stream: true, messages: [{ role: 'user', content: 'go' }] }) });
      const text = await res.text();
      expect(text).to.contain('half an answ').and.not.contain('[DONE]').and.not.contain('"finish_reason":"stop"');
      const last = JSON.parse(text.trim().split('\n\n').at(-1)!.replace(/^data: /, '')) as { error: { code: string } };
      expect(last.error.code).to.equal('SLUICE_E_UPSTREAM_TRUNCATED');
    });

    it('a Chat upstream that sends finish_reason then closes without [DONE] is complete (some servers do)', async () => {
      mock.handle((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(chatChunk({ role: 'assistant', content: '' }) + chatChunk({ content: 'whole' }) + chatChunk({}, 'stop'));
      });
      for (const client of GENERATE) {
        expect((await clients[client].streamText(modelFor('openai.chat'), 'go')).text, client).to.equal('whole');
      }
    });

    it('an Anthropic upstream that stops after message_delta without message_stop is truncated', async () => {
      mock.handle((_req, res) => {
        const s = new FamilyStream('anthropic.messages');
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(s.opening() + s.delta('whole') + sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop')
          + sse({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } }, 'message_delta'));
      });
      for (const client of GENERATE) {
        const err = await rejection(clients[client].streamText(modelFor('anthropic.messages'), 'go'));
        expect(err.message, client).to.contain('ended the stream before it was complete');
      }
    });
  });

  describe('item 7: a stream that fails before any content falls back', () => {
    const scenarios = {
      'its first event is an error': (p: GenProtocol) => ({ body: errorEvent(p, 'overloaded', 'busy upstream'), code: 'SLUICE_E_UPSTREAM_ERROR' }),
      'preamble, then an error': (p: GenProtocol) => ({ body: preamble(p) + errorEvent(p, 'overloaded', 'busy upstream'), code: 'SLUICE_E_UPSTREAM_ERROR' }),
      'preamble, then the end': (p: GenProtocol) => ({ body: preamble(p), code: 'SLUICE_E_UPSTREAM_TRUNCATED' }),
    } as const;
    for (const [name, scenario] of Object.entries(scenarios)) {
      for (const upstream of GENERATE) {
        it(`${upstream} upstream, ${name}: every client is served by the fallback`, async () => {
          const { body, code } = scenario(upstream);
          mock.handle((_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.end(body); });
          for (const client of GENERATE) {
            const r = await clients[client].streamText(withFallback(upstream), 'hello there');
            expect(r.text, `${client}: the loopback fallback answered`).to.be.a('string').and.not.equal('');
            await settle();
            const line = lastRequest();
            expect(line.provider, client).to.equal('local');
            expect(line.outcome, client).to.equal('success');
            expect(line.fallbacks?.[0], client).to.include({ provider: UPSTREAM[upstream], code });
            if (code === 'SLUICE_E_UPSTREAM_ERROR') expect(line.fallbacks![0]!.status, client).to.equal(OVERLOADED_STATUS[upstream]);
          }
          expect(mock.requests, 'one upstream attempt per client').to.have.length(4);
        });
      }
    }

    it('an error before content that is the client\'s fault (400) does not fall back', async () => {
      for (const upstream of GENERATE) {
        mock.handle((_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.end(preamble(upstream) + errorEvent(upstream, 'invalid', 'bad request')); });
        const err = await rejection(clients[upstream].streamText(withFallback(upstream), 'hello'));
        expect(errorStatus(err), `${upstream}: ${String(err)}`).to.equal(400);
        await settle();
        expect(lastRequest().fallbacks, upstream).to.equal(undefined);
      }
    });
  });

  describe('item 7: with no fallback left, a failure before content is a real HTTP error, not 200', () => {
    for (const upstream of GENERATE) {
      it(`${upstream} upstream: the status the error implies, in each client's envelope`, async () => {
        for (const [kind, status] of [['overloaded', OVERLOADED_STATUS[upstream]], ['rate_limited', 429]] as const) {
          mock.handle((_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.end(preamble(upstream) + errorEvent(upstream, kind, `upstream ${kind}`)); });
          for (const client of GENERATE) {
            const err = await rejection(clients[client].streamText(modelFor(upstream), 'hello'));
            // Only Anthropic's API answers 529: the others' clients get its nearest, 503.
            const expected = status === 529 && client !== 'anthropic.messages' ? 503 : status;
            expect(errorStatus(err), `${client} ← ${upstream} (${kind}): ${String(err)}`).to.equal(expected);
            expect(err.message, `${client} ← ${upstream}`).to.contain(`upstream ${kind}`);
          }
        }
      });
    }

    it('the raw response is an HTTP error with a JSON body in the client\'s envelope', async () => {
      mock.handle((_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.end(preamble('anthropic.messages') + errorEvent('anthropic.messages', 'overloaded', 'Overloaded')); });
      const res = await fetch(`${gw.url}/v1/messages`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: modelFor('anthropic.messages'), max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).to.equal(529);
      expect(res.headers.get('content-type')).to.contain('application/json');
      expect(await res.json()).to.deep.equal({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    });

    it('a stream that ends with nothing but preamble is a 502 SLUICE_E_UPSTREAM_TRUNCATED', async () => {
      mock.handle((_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.end(preamble('openai.chat')); });
      const err = await rejection(openaiClient(gw.url).chat.completions.create({ model: modelFor('openai.chat'), stream: true, messages: [{ role: 'user', content: 'hi' }] }));
      expect(err).to.be.instanceOf(OpenAI.InternalServerError);
      expect((err as InstanceType<typeof OpenAI.APIError>).status).to.equal(502);
      expect((err as InstanceType<typeof OpenAI.APIError>).code).to.equal('SLUICE_E_UPSTREAM_TRUNCATED');
    });
  });

  describe('item 9: a non-streaming client never receives SSE', () => {
    const answerWithSse = (req: { url: string }, res: import('node:http').ServerResponse) => {
      const s = new FamilyStream(protocolOfPath(req.url));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(s.opening() + s.delta('streamed anyway'));
    };

    for (const upstream of GENERATE) {
      it(`${upstream} upstream answering SSE to a non-stream request: a 502 in JSON for every client`, async () => {
        mock.handle(answerWithSse);
        for (const client of GENERATE) {
          const err = await rejection(clients[client].text(modelFor(upstream), 'hello'));
          expect(errorStatus(err), `${client}: ${String(err)}`).to.equal(502);
          expect(err.message, client).to.contain('answered a non-streaming request with an event stream');
        }
      });
    }

    it('the raw answer is JSON, and a fallback serves the request when there is one', async () => {
      mock.handle(answerWithSse);
      const raw = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: modelFor('openai.chat'), messages: [{ role: 'user', content: 'hi' }] }) });
      expect(raw.status).to.equal(502);
      expect(raw.headers.get('content-type')).to.contain('application/json');
      expect(await raw.json()).to.have.nested.property('error.message').that.contains('event stream');
      for (const client of GENERATE) {
        const r = await clients[client].text(withFallback('openai.chat'), 'hello there');
        expect(r.text, client).to.not.equal('');
        await settle();
        expect(lastRequest().fallbacks?.[0], client).to.include({ provider: 'up-chat', status: 502 });
      }
    });
  });

  describe('item 9, the reverse: a streaming client never receives JSON', () => {
    /** Each family's plain answer, as a server that ignores `stream: true` sends it. */
    const answer: Record<GenProtocol, unknown> = {
      'openai.chat': { id: 'chatcmpl-j', object: 'chat.completion', created: 1700000000, model: 'loopback', choices: [{ index: 0, message: { role: 'assistant', content: 'not streamed' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } },
      'openai.responses': { id: 'resp_j', object: 'response', created_at: 1700000000, status: 'completed', model: 'loopback', output: [{ id: 'msg_j', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'not streamed', annotations: [] }] }], usage: { input_tokens: 1, output_tokens: 2, total_tokens: 3 } },
      'anthropic.messages': { id: 'msg_j', type: 'message', role: 'assistant', model: 'loopback', content: [{ type: 'text', text: 'not streamed' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 2 } },
      'gemini.generate': { candidates: [{ content: { role: 'model', parts: [{ text: 'not streamed' }] }, finishReason: 'STOP', index: 0 }], modelVersion: 'loopback' },
    };
    const answerWithJson = (req: { url: string }, res: import('node:http').ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer[protocolOfPath(req.url)]));
    };

    for (const upstream of GENERATE) {
      it(`${upstream} upstream answering JSON to a stream request: every client's stream helper gets a 502 naming the provider`, async () => {
        mock.handle(answerWithJson);
        for (const client of GENERATE) {
          const err = await rejection(clients[client].streamText(modelFor(upstream), 'hello'));
          expect(errorStatus(err), `${client}: ${String(err)}`).to.equal(502);
          expect(err.message, client).to.contain(`provider ${UPSTREAM[upstream]} answered a streaming request with JSON`);
        }
      });
    }

    it('a fallback serves the stream when there is one', async () => {
      mock.handle(answerWithJson);
      for (const client of GENERATE) {
        const r = await clients[client].streamText(withFallback('openai.chat'), 'hello there');
        expect(r.text, client).to.contain('Loopback reply');
        await settle();
        expect(lastRequest().fallbacks?.[0], client).to.include({ provider: 'up-chat', status: 502 });
      }
    });
  });
});

describe('stream integrity: preamble is held back at most one keep-alive interval', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  before(async () => {
    mock = await startMockUpstream();
    gw = await startGateway(config({
      server: '  shutdown_grace_ms: 200\n  sse_keepalive_ms: 1000\n',
      providers: upstreamProviders(mock.url.replace(/\/v1$/, '')),
      chain: '  - use: router\n    with:\n      routes:\n        - { match: thinker, provider: up-chat, fallbacks: [{ provider: local, model: loopback }] }',
    }));
  });
  after(async () => { await gw.close(); await mock.close(); });

  it('a model that thinks silently after its preamble gets headers (and keep-alives) before its content', async () => {
    let contentSentAt = Infinity;
    mock.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chatChunk({ role: 'assistant', content: '' }));
      setTimeout(() => {
        contentSentAt = performance.now();
        res.end(chatChunk({ content: 'thought it over' }) + chatChunk({}, 'stop') + 'data: [DONE]\n\n');
      }, 2500);
    });
    const start = performance.now();
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'thinker', stream: true, messages: [{ role: 'user', content: 'go' }] }) });
    const headersAt = performance.now();
    expect(res.status).to.equal(200);
    expect(headersAt, 'headers before the content was even sent').to.be.lessThan(contentSentAt);
    expect(headersAt - start, 'the preamble was held for the keep-alive interval first').to.be.at.least(900);
    const text = await res.text();
    expect(text).to.contain('thought it over').and.contain('[DONE]');
    expect(mock.requests).to.have.length(1);
  });

  it('a stream that goes quiet after its content gets keep-alive comments until it speaks again', async () => {
    mock.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chatChunk({ role: 'assistant', content: 'first' }));
      setTimeout(() => res.end(chatChunk({ content: ' then more' }) + chatChunk({}, 'stop') + 'data: [DONE]\n\n'), 2600);
    });
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'thinker', stream: true, messages: [{ role: 'user', content: 'go' }] }) });
    const text = await res.text();
    const quiet = text.slice(text.indexOf('first'), text.indexOf(' then more'));
    expect(quiet, 'a keep-alive while the upstream was quiet').to.contain(': keep-alive\n\n');
    expect(text).to.contain('[DONE]');
  });
});
