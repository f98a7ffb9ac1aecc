// OpenAI-compatible servers do not all answer errors in OpenAI's envelope: Mistral's API and vLLM's
// older releases (FastChat's ErrorResponse) send `{"object":"error","message","type","param","code"}`
// with no `error` object. Passed on as it is, the openai SDK finds no error in it ("400 status code
// (no body)") and other clients got "provider … answered HTTP 400": the server's words were lost.
// The official SDKs are the clients.
import { expect } from 'chai';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';

const MISTRAL_ERROR = { object: 'error', message: "Unexpected role 'user' after role 'tool'", type: 'invalid_request_message_order', param: null, code: '3230' };

describe("an OpenAI-compatible server's error without OpenAI's `error` object", () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  before(async () => {
    mock = await startMockUpstream();
    mock.handle((_req, res) => { res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify(MISTRAL_ERROR)); });
    gw = await startGateway(config({
      providers: `  mistral: { type: openai, base_url: "${mock.url}", api_key: k }`,
      chain: '  - use: router\n    with: { default: mistral }\n  - use: translator',
    }));
  });
  after(async () => { await gw.close(); await mock.close(); });

  it('reaches an OpenAI client in OpenAI\'s envelope, with the server\'s message, type and code', async () => {
    const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'k', maxRetries: 0 });
    const err = await openai.chat.completions.create({ model: 'mistral-large-latest', messages: [{ role: 'user', content: 'hi' }] }).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(OpenAI.BadRequestError);
    const e = err as InstanceType<typeof OpenAI.BadRequestError>;
    expect(e.message).to.equal("400 Unexpected role 'user' after role 'tool'");
    expect(e.type).to.equal('invalid_request_message_order');
    expect(e.code).to.equal('3230');
  });

  it('reaches an Anthropic client (translated) with the server\'s message', async () => {
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'k', maxRetries: 0 });
    const err = await anthropic.messages.create({ model: 'mistral-large-latest', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(Anthropic.BadRequestError);
    expect((err as InstanceType<typeof Anthropic.BadRequestError>).error).to.deep.include({ error: { type: 'invalid_request_error', message: "Unexpected role 'user' after role 'tool'" } });
  });
});
