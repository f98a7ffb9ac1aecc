// Upstream statuses outside a client API's own set reach the client as that API's nearest error:
// Anthropic's 529 is a 503 UNAVAILABLE for Gemini clients (Google never answers 529) and a 503 for
// OpenAI clients; Cloudflare's 520–524 in front of an upstream and a proxy's 499 likewise, JSON
// and in-stream. Judged by each official SDK.
import Anthropic from '@anthropic-ai/sdk';
import { ApiError } from '@google/genai';
import { expect } from 'chai';
import OpenAI from 'openai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { anthropicClient, genaiClient, modelFor, openaiClient, routesYaml, upstreamProviders } from '../helpers/translation-rig.js';

type Seen = { status: number; type: string };

async function failure(p: Promise<unknown>): Promise<unknown> {
  try { await p; } catch (err) { return err; }
  throw new Error('expected the call to fail');
}

describe('upstream statuses outside a client API\'s set reach it as its nearest error', () => {
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

  it('in a stream: Anthropic\'s overloaded_error event reaches a Gemini client as code 503 UNAVAILABLE', async () => {
    const sse = (data: unknown, event: string): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    mock.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' }).end([
        sse({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 5, output_tokens: 1 } } }, 'message_start'),
        sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start'),
        sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'partial ' } }, 'content_block_delta'),
        sse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'error'),
      ].join(''));
    });
    const res = await fetch(`${gw.url}/v1beta/models/${modelFor('anthropic.messages')}:streamGenerateContent?alt=sse`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    });
    const frames = (await res.text()).trim().split(/\r?\n\r?\n/).map((f) => JSON.parse(f.replace(/^data: /, '')) as Record<string, unknown>);
    expect(frames.at(-1)!['error']).to.deep.equal({ code: 503, message: 'Overloaded', status: 'UNAVAILABLE' });
  });
});
