// Google's API says when to retry a 429 (or 503) in the body — a google.rpc.RetryInfo with
// `retryDelay` in error.details — and sends no retry-after header. A client of another family
// translated to a Gemini upstream reads retry-after (the openai and @anthropic-ai/sdk clients wait
// what it says before their own retries), so the gateway gives it the wait Google asked for.
import Anthropic from '@anthropic-ai/sdk';
import { expect } from 'chai';
import OpenAI from 'openai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';

const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';

describe('a Gemini upstream’s RetryInfo reaches other clients as retry-after', () => {
  let up: MockUpstream;
  let gw: TestGateway;

  before(async () => {
    up = await startMockUpstream();
    gw = await startGateway(config({
      providers: `  gem: { type: gemini, base_url: "${up.url.replace(/\/v1$/, '')}", api_key: k }\n`,
      chain: '  - use: router\n    with: { default: gem }\n  - use: translator',
    }));
  });
  after(async () => { await gw.close(); await up.close(); });

  const quota = (retryDelay: string) => (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(429, { 'content-type': 'application/json' }).end(JSON.stringify({
      error: { code: 429, message: 'You exceeded your current quota', status: 'RESOURCE_EXHAUSTED', details: [
        { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests' }] },
        { '@type': RETRY_INFO, retryDelay },
      ] },
    }));
  };

  it('an OpenAI client gets RateLimitError with retry-after in whole seconds (rounded up)', async () => {
    up.handle(quota('11.26s'));
    const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client', maxRetries: 0 });
    const err = await openai.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }] }).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(OpenAI.RateLimitError);
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).to.equal('12');
  });

  it('an Anthropic client streaming gets RateLimitError with retry-after', async () => {
    up.handle(quota('41s'));
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'client', maxRetries: 0 });
    const err = await anthropic.messages.create({ model: 'gemini-2.5-flash', max_tokens: 20, stream: true, messages: [{ role: 'user', content: 'hi' }] }).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(Anthropic.RateLimitError);
    expect((err as InstanceType<typeof Anthropic.RateLimitError>).headers?.get('retry-after')).to.equal('41');
  });

  it('a Gemini client still gets Google’s body as it came; a retry-after header Google did send wins', async () => {
    up.handle(quota('41s'));
    const res = await fetch(`${gw.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
    });
    expect(res.status).to.equal(429);
    expect(res.headers.get('retry-after')).to.equal('41');
    expect(((await res.json()) as { error: { details: { retryDelay?: string }[] } }).error.details[1]!.retryDelay).to.equal('41s');
    up.handle((_req, res2) => { res2.writeHead(503, { 'content-type': 'application/json', 'retry-after': '3' }).end(JSON.stringify({ error: { code: 503, message: 'overloaded', status: 'UNAVAILABLE', details: [{ '@type': RETRY_INFO, retryDelay: '30s' }] } })); });
    const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client', maxRetries: 0 });
    const err = await openai.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }] }).then(() => undefined, (e: unknown) => e);
    expect((err as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).to.equal('3');
  });
});
