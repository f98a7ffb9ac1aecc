// An upstream overload (Anthropic's 529 / overloaded_error) keeps its meaning in every client's
// envelope: Anthropic clients get `overloaded_error` (Claude Code backs off on it), Gemini clients
// `503 UNAVAILABLE`, OpenAI clients a 503 server error with the upstream's message — also when the
// overload body is not JSON, when it comes from another family, and when it arrives mid-stream.
// Other statuses a client's API never answers (Cloudflare's 52x, a proxy's 499) become its nearest.
import Anthropic from '@anthropic-ai/sdk';
import { ApiError } from '@google/genai';
import { expect } from 'chai';
import OpenAI from 'openai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { anthropicClient, genaiClient, modelFor, openaiClient, routesYaml, upstreamProviders } from '../helpers/translation-rig.js';

type AnthropicApiError = InstanceType<typeof Anthropic.APIError>;
type OpenAIApiError = InstanceType<typeof OpenAI.APIError>;

const OVERLOADED = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
const sse = (data: unknown, event?: string): string => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

async function failure(p: Promise<unknown>): Promise<unknown> {
  try { await p; } catch (err) { return err; }
  throw new Error('expected the call to fail');
}

describe('an upstream overload keeps its meaning in every client family', () => {
  let mock: MockUpstream;
  let gw: TestGateway;

  before(async () => {
    mock = await startMockUpstream();
    gw = await startGateway(config({
      providers: upstreamProviders(mock.url.replace(/\/v1$/, '')),
      chain: ['  - use: router\n    with:\n      routes:', routesYaml(), '  - use: translator'].join('\n'),
    }));
  });
  after(async () => { await gw.close(); await mock.close(); });

  const anthropic529 = (json: boolean) => mock.handle((_req, res) => {
    if (json) res.writeHead(529, { 'content-type': 'application/json' }).end(JSON.stringify(OVERLOADED));
    else res.writeHead(529, { 'content-type': 'text/plain' }).end('upstream overloaded, try again later');
  });

  it('Anthropic client ← Anthropic 529 with a non-JSON body: overloaded_error', async () => {
    anthropic529(false);
    const err = await failure(anthropicClient(gw.url).messages.create({ model: modelFor('anthropic.messages'), max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }));
    expect(err).to.be.instanceOf(Anthropic.OverloadedError);
    expect((err as AnthropicApiError).type).to.equal('overloaded_error');
  });

  it('Anthropic client ← an OpenAI-compatible server answering 529: overloaded_error', async () => {
    mock.handle((_req, res) => { res.writeHead(529, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'server overloaded', type: 'server_error', code: null } })); });
    const err = await failure(anthropicClient(gw.url).messages.create({ model: modelFor('openai.chat'), max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }));
    expect((err as AnthropicApiError).type).to.equal('overloaded_error');
    expect((err as AnthropicApiError).status).to.equal(529);
  });

  for (const json of [true, false]) {
    it(`Gemini client ← Anthropic 529${json ? '' : ' (non-JSON body)'}: UNAVAILABLE`, async () => {
      anthropic529(json);
      const err = await failure(genaiClient(gw.url).models.generateContent({ model: modelFor('anthropic.messages'), contents: 'hi' }));
      expect(err).to.be.instanceOf(ApiError);
      const body = JSON.parse((err as ApiError).message) as { error: { status: string; message: string } };
      expect(body.error.status).to.equal('UNAVAILABLE');
      if (json) expect(body.error.message).to.equal('Overloaded');
    });
  }

  it('OpenAI clients ← Anthropic 529: a 503 server error (OpenAI never answers 529) carrying the overload message', async () => {
    anthropic529(true);
    for (const call of [
      () => openaiClient(gw.url).chat.completions.create({ model: modelFor('anthropic.messages'), messages: [{ role: 'user', content: 'hi' }] }),
      () => openaiClient(gw.url).responses.create({ model: modelFor('anthropic.messages'), input: 'hi' }),
    ]) {
      const err = await failure(call());
      expect(err).to.be.instanceOf(OpenAI.InternalServerError);
      expect((err as OpenAIApiError).status).to.equal(503);
      expect((err as OpenAIApiError).type).to.equal('api_error');
      expect((err as OpenAIApiError).message).to.contain('Overloaded');
    }
  });

  describe('mid-stream: Anthropic\'s overloaded_error event', () => {
    beforeEach(() => {
      mock.handle((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end([
          sse({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 5, output_tokens: 1 } } }, 'message_start'),
          sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start'),
          sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'partial ' } }, 'content_block_delta'),
          sse(OVERLOADED, 'error'),
        ].join(''));
      });
    });

    it('reaches a Gemini client as an in-stream 503 UNAVAILABLE error', async () => {
      const res = await fetch(`${gw.url}/v1beta/models/${modelFor('anthropic.messages')}:streamGenerateContent?alt=sse`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
      });
      const frames = (await res.text()).trim().split(/\r?\n\r?\n/).map((f) => JSON.parse(f.replace(/^data: /, '')) as Record<string, { status?: string; message?: string }>);
      // Google's code for UNAVAILABLE is 503: its API never answers 529.
      expect(frames.at(-1)!['error']).to.deep.equal({ code: 503, status: 'UNAVAILABLE', message: 'Overloaded' });
    });

    it('reaches a Chat client as an in-stream server error with the overload message', async () => {
      let thrown: unknown;
      try {
        for await (const _ of await openaiClient(gw.url).chat.completions.create({ model: modelFor('anthropic.messages'), stream: true, messages: [{ role: 'user', content: 'hi' }] })) { /* drain */ }
      } catch (err) { thrown = err; }
      expect(thrown).to.be.instanceOf(OpenAI.APIError);
      expect((thrown as OpenAIApiError).message).to.contain('Overloaded');
    });
  });

  describe('mid-stream from an OpenAI upstream: an overload or a rate limit keeps its class for Anthropic clients', () => {
    const chatChunk = (delta: object) => sse({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-x', choices: [{ index: 0, delta, finish_reason: null }] });
    const responsesEvent = (type: string, fields: object) => sse({ type, ...fields }, type);
    const started = [
      responsesEvent('response.created', { response: { id: 'resp_1', object: 'response', created_at: 1, status: 'in_progress', model: 'gpt-x', output: [] }, sequence_number: 0 }),
      responsesEvent('response.output_item.added', { output_index: 0, item: { id: 'msg_1', type: 'message', role: 'assistant', status: 'in_progress', content: [] }, sequence_number: 1 }),
      responsesEvent('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'partial ', sequence_number: 2 }),
    ];
    const cases: [string, 'openai.chat' | 'openai.responses', string[], string][] = [
      ['Chat error chunk, server_is_overloaded', 'openai.chat', [chatChunk({ role: 'assistant', content: 'partial ' }), sse({ error: { message: 'Overloaded', type: 'server_error', param: null, code: 'server_is_overloaded' } })], 'overloaded_error'],
      ['Chat error chunk, rate_limit_exceeded', 'openai.chat', [chatChunk({ role: 'assistant', content: 'partial ' }), sse({ error: { message: 'Rate limit', type: 'requests', param: null, code: 'rate_limit_exceeded' } })], 'rate_limit_error'],
      ['Responses error event, server_is_overloaded', 'openai.responses', [...started, responsesEvent('error', { code: 'server_is_overloaded', message: 'Overloaded', param: null, sequence_number: 3 })], 'overloaded_error'],
      ['Responses response.failed, rate_limit_exceeded', 'openai.responses', [...started, responsesEvent('response.failed', { response: { id: 'resp_1', object: 'response', status: 'failed', error: { code: 'rate_limit_exceeded', message: 'Rate limit' }, output: [] }, sequence_number: 3 })], 'rate_limit_error'],
    ];
    for (const [label, protocol, frames, type] of cases) {
      it(`${label} → ${type} in the Anthropic stream`, async () => {
        mock.handle((_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.end(frames.join('')); });
        const err = await failure(anthropicClient(gw.url).messages.stream({ model: modelFor(protocol), max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).finalMessage());
        expect(err).to.be.instanceOf(Anthropic.APIError);
        expect(((err as AnthropicApiError).error as { error?: { type?: string } }).error?.type).to.equal(type);
      });
    }
  });

  // Statuses outside a client API's own set reach the client as that API's nearest error:
  // Anthropic's 529 is a 503 UNAVAILABLE for Gemini clients (Google never answers 529) and a 503
  // for OpenAI clients; Cloudflare's 520–524 in front of an upstream and a proxy's 499 likewise.
  describe('statuses outside a client API\'s set: its nearest', () => {
    type Seen = { status: number; type: string };
    /** The upstream answers `status`: Anthropic's overload body for 529, Cloudflare's HTML page otherwise. */
    const answer = (status: number) => mock.handle((_req, res) => {
      if (status === 529) res.writeHead(529, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
      else res.writeHead(status, { 'content-type': 'text/html' }).end(`<html><title>error code: ${status}</title></html>`);
    });

    const gemini = async (model: string): Promise<Seen> => {
      const err = await failure(genaiClient(gw.url).models.generateContent({ model, contents: 'hi' }));
      expect(err).to.be.instanceOf(ApiError);
      const body = JSON.parse((err as ApiError).message) as { error: { code: number; status: string } };
      expect(body.error.code).to.equal((err as ApiError).status);
      return { status: (err as ApiError).status, type: body.error.status };
    };
    const chat = async (model: string): Promise<Seen> => {
      const err = await failure(openaiClient(gw.url).chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] })) as InstanceType<typeof OpenAI.APIError>;
      return { status: err.status!, type: String(err.type) };
    };
    const responses = async (model: string): Promise<Seen> => {
      const err = await failure(openaiClient(gw.url).responses.create({ model, input: 'hi' })) as InstanceType<typeof OpenAI.APIError>;
      return { status: err.status!, type: String(err.type) };
    };
    const anthropic = async (model: string): Promise<Seen> => {
      const err = await failure(anthropicClient(gw.url).messages.create({ model, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })) as InstanceType<typeof Anthropic.APIError>;
      return { status: err.status!, type: String(err.type) };
    };

    const cases: [number, Seen, Seen, Seen][] = [
      // upstream status → [Gemini client, OpenAI clients, Anthropic client]
      [529, { status: 503, type: 'UNAVAILABLE' }, { status: 503, type: 'api_error' }, { status: 529, type: 'overloaded_error' }],
      [520, { status: 502, type: 'INTERNAL' }, { status: 520, type: 'api_error' }, { status: 520, type: 'api_error' }],
      [521, { status: 503, type: 'UNAVAILABLE' }, { status: 521, type: 'api_error' }, { status: 521, type: 'api_error' }],
      [522, { status: 504, type: 'DEADLINE_EXCEEDED' }, { status: 522, type: 'api_error' }, { status: 504, type: 'timeout_error' }],
      [523, { status: 503, type: 'UNAVAILABLE' }, { status: 523, type: 'api_error' }, { status: 523, type: 'api_error' }],
      [524, { status: 504, type: 'DEADLINE_EXCEEDED' }, { status: 524, type: 'api_error' }, { status: 504, type: 'timeout_error' }],
      [499, { status: 502, type: 'INTERNAL' }, { status: 502, type: 'api_error' }, { status: 502, type: 'api_error' }],
    ];
    for (const [status, toGemini, toOpenAI, toAnthropic] of cases) {
      it(`${status}: Gemini ${toGemini.status} ${toGemini.type}, OpenAI ${toOpenAI.status}, Anthropic ${toAnthropic.status} ${toAnthropic.type}`, async () => {
        answer(status);
        // From an upstream of another family than the client's, and (Gemini, Anthropic) of its own.
        expect(await gemini(modelFor('anthropic.messages'))).to.deep.equal(toGemini);
        expect(await gemini(modelFor('openai.chat'))).to.deep.equal(toGemini);
        expect(await chat(modelFor('anthropic.messages'))).to.deep.equal(toOpenAI);
        expect(await responses(modelFor('gemini.generate'))).to.deep.equal(toOpenAI);
        expect(await anthropic(modelFor('openai.chat'))).to.deep.equal(toAnthropic);
      });
    }
  });
});
