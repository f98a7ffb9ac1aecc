// Upstreams that compress: Sluice asks for `accept-encoding: identity`, but a proxy in front of a
// provider may gzip (or brotli, or deflate) anyway. The answer, JSON or stream, reaches each
// official SDK decoded, as if it had not been compressed; a body that does not decode, or a coding
// Sluice cannot undo, is a 502 the router falls back from, never garbage passed on.
import zlib from 'node:zlib';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { expect } from 'chai';
import OpenAI from 'openai';
import { jsonAnswer, streamAnswer } from '../helpers/family-answers.js';
import { protocolOfPath } from '../helpers/family-wire.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { isStreamRequest, startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';

const COMPRESS: Record<string, (b: Buffer) => Buffer> = {
  gzip: (b) => zlib.gzipSync(b),
  br: (b) => zlib.brotliCompressSync(b),
  deflate: (b) => zlib.deflateSync(b),
  // Some servers send raw deflate under "deflate".
  'deflate (raw)': (b) => zlib.deflateRawSync(b),
  'gzip, br': (b) => zlib.brotliCompressSync(zlib.gzipSync(b)),
};
const headerOf = (name: string): string => name.replace(' (raw)', '');

describe('upstream compression: answers with a content-encoding reach every SDK decoded', () => {
  let upstream: RecordingUpstream;
  let gw: TestGateway;
  /** The coding the mock applies to its next answers. */
  let coding = 'gzip';

  before(async () => {
    upstream = await startRecordingUpstream();
    gw = await startGateway(config({
      providers: [
        `  oa: { type: openai, base_url: "${upstream.origin}/v1", api_key: k }`,
        `  an: { type: anthropic, base_url: "${upstream.origin}", api_key: k }`,
        `  ge: { type: gemini, base_url: "${upstream.origin}", api_key: k }`,
      ].join('\n') + '\n',
      chain: `  - use: router
    with:
      routes:
        - { match: "claude-*", provider: an }
        - { match: "gemini-*", provider: ge }
        - { match: "broken-*", provider: oa, fallbacks: [local] }
      default: oa
  - use: translator`,
    }));
  });
  after(async () => { await gw.close(); await upstream.close(); });
  beforeEach(() => {
    upstream.handle((req, res) => {
      const stream = isStreamRequest(req);
      const model = typeof req.body?.['model'] === 'string' ? req.body['model'] : /models\/([^:/]+):/.exec(req.url)?.[1] ?? 'mock';
      const protocol = protocolOfPath(req.url);
      const text = stream ? streamAnswer(protocol, { model, text: ['Hello', ' wörld'] }, { includeUsage: true })
        : JSON.stringify(jsonAnswer(protocol, { model, text: ['Hello', ' wörld'] }));
      const body = model.startsWith('broken-') ? Buffer.from('this is not gzip') : COMPRESS[coding]!(Buffer.from(text));
      res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json', 'content-encoding': headerOf(coding) }).end(body);
    });
  });

  for (const name of Object.keys(COMPRESS)) {
    it(`${name}: the OpenAI SDK gets the JSON answer and the stream`, async () => {
      coding = name;
      const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client', maxRetries: 0 });
      const json = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
      expect(json.choices[0]?.message.content).to.equal('Hello wörld');
      let streamed = '';
      for await (const c of await openai.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] })) {
        streamed += c.choices[0]?.delta.content ?? '';
      }
      expect(streamed).to.equal('Hello wörld');
    });
  }

  it('gzip: the Anthropic SDK gets the message, JSON and streamed', async () => {
    coding = 'gzip';
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client', maxRetries: 0 });
    const params = { model: 'claude-sonnet-4-6', max_tokens: 50, messages: [{ role: 'user' as const, content: 'hi' }] };
    const json = await anthropic.messages.create(params);
    const final = await anthropic.messages.stream(params).finalMessage();
    expect(json.content).to.deep.equal([{ type: 'text', text: 'Hello wörld' }]);
    expect(final.content).to.deep.equal(json.content);
  });

  it('br: the Gemini SDK gets the answer, JSON and streamed', async () => {
    coding = 'br';
    const ai = new GoogleGenAI({ apiKey: 'client', httpOptions: { baseUrl: gw.url } });
    const json = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' });
    expect(json.text).to.equal('Hello wörld');
    let streamed = '';
    for await (const c of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi' })) streamed += c.text ?? '';
    expect(streamed).to.equal('Hello wörld');
  });

  it('a gzip stream flushed per event is relayed as it arrives, not held to its end', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => { release = r; });
    upstream.handle(async (_req, res) => {
      const events = streamAnswer('openai.chat', { model: 'gpt-4o', text: ['Hello', ' wörld'] }).split(/(?<=\n\n)/);
      const gzip = zlib.createGzip();
      res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' });
      gzip.pipe(res);
      // The opening chunk and the first delta, flushed as a compressing proxy does per event.
      gzip.write(events[0]! + events[1]!);
      gzip.flush(zlib.constants.Z_SYNC_FLUSH);
      await released;
      gzip.end(events.slice(2).join(''));
    });
    const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client', maxRetries: 0 });
    const stream = await openai.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? '';
      if (text === 'Hello') release();
    }
    expect(text).to.equal('Hello wörld');
  });

  it('asks the upstream for identity: no client accept-encoding is passed on', async () => {
    await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip, br' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(upstream.requests.at(-1)?.headers['accept-encoding']).to.equal('identity');
  });

  it('a body that does not decode is a 502 the router falls back from', async () => {
    coding = 'gzip';
    const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client', maxRetries: 0 });
    for (const stream of [false, true]) {
      const res = await openai.chat.completions.create({ model: 'broken-1', stream, messages: [{ role: 'user', content: 'hi' }] });
      const text = stream ? await (async () => {
        let t = '';
        for await (const c of res as AsyncIterable<OpenAI.ChatCompletionChunk>) t += c.choices[0]?.delta.content ?? '';
        return t;
      })() : (res as OpenAI.ChatCompletion).choices[0]?.message.content;
      // The fallback is the loopback model: its deterministic answer, not the mock's.
      expect(text, `stream: ${stream}`).to.be.a('string').and.not.equal('').and.not.equal('Hello wörld');
    }
  });

  it('a coding Sluice cannot undo is a 502 in the client envelope naming it', async () => {
    upstream.handle((_req, res) => { res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'compress' }).end('\x1f\x9d\x90garbage'); });
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    });
    const body = await res.json() as { error: { message: string } };
    expect(res.status).to.equal(502);
    expect(body.error.message).to.match(/content-encoding compress/);
  });

  it('a compressed upstream error keeps its status and message', async () => {
    upstream.handle((_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'retry-after': '3' })
        .end(zlib.gzipSync(JSON.stringify({ error: { message: 'Rate limit reached for gpt-4o', type: 'requests', param: null, code: 'rate_limit_exceeded' } })));
    });
    const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client', maxRetries: 0 });
    const err = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(OpenAI.RateLimitError);
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).message).to.match(/Rate limit reached for gpt-4o/);
  });
});
