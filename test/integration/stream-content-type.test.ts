// A stream asked for and answered as a stream, but labelled text/plain, application/octet-stream or
// not at all (some servers and API-management proxies do): the client gets the stream. A JSON
// answer to a stream request is still refused (502), as before.
import Anthropic from '@anthropic-ai/sdk';
import { expect } from 'chai';
import OpenAI from 'openai';
import { jsonAnswer, streamAnswer } from '../helpers/family-answers.js';
import { protocolOfPath } from '../helpers/family-wire.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { isStreamRequest, startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';

describe('stream content type: an event stream labelled otherwise is still read as one', () => {
  let upstream: RecordingUpstream;
  let gw: TestGateway;
  let openai: OpenAI;
  let anthropic: Anthropic;
  /** The content-type the mock labels its streams with (undefined: none). */
  let label: string | undefined;

  before(async () => {
    upstream = await startRecordingUpstream();
    upstream.handle((req, res) => {
      const model = String(req.body?.['model']);
      const protocol = protocolOfPath(req.url);
      const body = isStreamRequest(req) ? streamAnswer(protocol, { model, text: ['Hello', ' world'] }, { includeUsage: true }) : JSON.stringify(jsonAnswer(protocol, { model, text: ['Hello world'] }));
      res.writeHead(200, label === undefined ? {} : { 'content-type': label }).end(body);
    });
    gw = await startGateway(config({
      providers: `  oa: { type: openai, base_url: "${upstream.origin}/v1", api_key: k }\n  an: { type: anthropic, base_url: "${upstream.origin}", api_key: k }\n`,
      chain: '  - use: router\n    with:\n      routes:\n        - { match: "claude-*", provider: an }\n      default: oa\n  - use: translator',
    }));
    openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client', maxRetries: 0 });
    anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client', maxRetries: 0 });
  });
  after(async () => { await gw.close(); await upstream.close(); });

  for (const l of ['text/plain; charset=utf-8', 'application/octet-stream', undefined]) {
    it(`labelled ${l ?? 'with no content-type'}: the openai and Anthropic SDKs get the stream`, async () => {
      label = l;
      let text = '';
      for await (const c of await openai.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] })) text += c.choices[0]?.delta.content ?? '';
      expect(text).to.equal('Hello world');
      const final = await anthropic.messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
      expect(final.content).to.deep.equal([{ type: 'text', text: 'Hello world' }]);
      // A JSON request is still read as JSON, whatever the label.
      const json = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
      expect(json.choices[0]?.message.content).to.equal('Hello world');
    });
  }

  it('a JSON answer to a stream request is still a 502', async () => {
    upstream.handle((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jsonAnswer('openai.chat', { model: String(req.body?.['model']), text: ['Hello world'] })));
    });
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).to.equal(502);
    expect(await res.json()).to.have.nested.property('error.message').that.matches(/answered a streaming request with JSON/);
  });
});
