// An OpenAI-compatible upstream that answers 200 with nothing but an error envelope (OpenRouter
// does once the model has started; so do some self-hosted servers): it is the failure it says —
// fallen back from, or the client's HTTP error with the status its code implies — never a 200
// that the openai SDK hands to the caller as a completion without choices.
import { expect } from 'chai';
import OpenAI from 'openai';
import { chatCompletionBody, startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

/** OpenRouter's error shape: a numeric code that is the HTTP status it means. */
const OPENROUTER_ERROR = { error: { code: 502, message: 'Provider returned error', metadata: { provider_name: 'Example' } } };

describe('upstream error envelope in a 200 answer', () => {
  let a: MockUpstream;
  let b: MockUpstream;
  let gw: TestGateway;
  let client: OpenAI;

  before(async () => {
    a = await startMockUpstream();
    b = await startMockUpstream();
    a.handle((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(OPENROUTER_ERROR)); });
    b.handle((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(chatCompletionBody(String(req.body?.['model']), 'from B'))); });
    gw = await startGateway(config({
      providers: `  or: { type: openai, base_url: "${a.url}", api_key: k }\n  backup: { type: openai, base_url: "${b.url}", api_key: k }\n`,
      chain: `  - use: router
    with:
      routes:
        - { match: "fb-*", provider: or, fallbacks: [backup] }
      default: or
  - use: translator`,
    }));
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client', maxRetries: 0 });
  });
  after(async () => { await gw.close(); await a.close(); await b.close(); });

  it('falls back to the next provider', async () => {
    const res = await client.chat.completions.create({ model: 'fb-model', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.choices[0]!.message.content).to.equal('from B');
  });

  it('without a fallback the client gets the status the code says, in its envelope', async () => {
    const err = await client.chat.completions.create({ model: 'other', messages: [{ role: 'user', content: 'hi' }] }).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(OpenAI.InternalServerError);
    const e = err as InstanceType<typeof OpenAI.InternalServerError>;
    expect(e.status).to.equal(502);
    expect(e.message).to.contain('Provider returned error');
  });

  it('an Anthropic client (translated) gets the same failure as an Anthropic error', async () => {
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'other', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).to.equal(502);
    expect(await res.json()).to.have.nested.property('error.message', 'Provider returned error');
  });
});
