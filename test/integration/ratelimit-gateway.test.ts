// The ratelimit plugin in a running gateway (memory store): 429s in each client's envelope, judged
// by the official SDKs, with retry-after and OpenAI's x-ratelimit-* headers; the remaining headers on
// every answer; budgets on passthrough, translation, embeddings and count-tokens; exemptions.
import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { within } from './auth-helpers.js';

/** $1 per token in and out: a budget in USD reads as a budget in tokens. */
const PRICED = 'prices: { input: 1000000, output: 1000000 }';

function gatewayConfig(ratelimit: string, router = '{ default: local }'): string {
  return `server:
  shutdown_grace_ms: 200
storage:
  database: "sqlite::memory:"
logging: { level: debug }
providers:
  local: { type: loopback, ${PRICED} }
  chatonly: { type: loopback, protocols: [openai.chat], ${PRICED} }
chain:
  - use: auth
    with: { mode: none }
  - use: router
    with: ${router}
  - use: translator
  - use: ratelimit
    with: ${ratelimit}
`;
}

const post = (gw: TestGateway, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

const chat = (content = 'ping', max = 16) => ({ model: 'loopback', max_tokens: max, messages: [{ role: 'user' as const, content }] });

describe('ratelimit: in a running gateway', function () {
  this.timeout(30_000);
  let gw: TestGateway | undefined;
  afterEach(async () => { await gw?.close(); gw = undefined; });

  it('an OpenAI client gets a RateLimitError with retry-after and the x-ratelimit headers; successes carry the remaining ones', async () => {
    gw = await startGateway(gatewayConfig('{ rules: [{ scope: user, rpm: 3 }] }'));
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { response } = await client.chat.completions.create(chat()).withResponse();
      expect(response.headers.get('x-ratelimit-limit-requests')).to.equal('3');
      expect(response.headers.get('x-ratelimit-reset-requests')).to.match(/^\d+(\.\d+)?s$|^\d+ms$/);
      remaining.push(response.headers.get('x-ratelimit-remaining-requests')!);
      expect(response.headers.get('anthropic-ratelimit-requests-limit'), 'Anthropic names only for Anthropic clients').to.equal(null);
    }
    expect(remaining).to.deep.equal(['2', '1', '0']);
    let err: unknown;
    try { await client.chat.completions.create(chat()); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(OpenAI.RateLimitError);
    const apiErr = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(apiErr.status).to.equal(429);
    expect(apiErr.code).to.equal('SLUICE_E_RATE_LIMITED');
    expect(apiErr.type).to.equal('rate_limit_error');
    expect(apiErr.message).to.contain('3 requests per minute for user anonymous');
    const retryAfter = Number(apiErr.headers?.get('retry-after'));
    expect(retryAfter).to.be.within(1, 60);
    expect(apiErr.headers?.get('x-ratelimit-remaining-requests')).to.equal('0');
    expect(apiErr.headers?.get('x-ratelimit-limit-requests')).to.equal('3');
    expect(gw.logs.some((l) => l.includes('request refused by a limit') && l.includes('"kind":"rpm"') && l.includes('"scope":"user"'))).to.equal(true);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).to.match(/sluice_ratelimit_refused_total\{scope="user",kind="rpm"\} 1/);
    // Admissions reach the counter once a second.
    await within(3000, async () => /sluice_ratelimit_admitted_total\{scope="user",kind="rpm"\} 3/.test(await (await fetch(`${gw!.url}/metrics`)).text()));
  });

  it('an Anthropic client gets its rate_limit_error envelope', async () => {
    gw = await startGateway(gatewayConfig('{ rules: [{ scope: global, tpm: 200 }] }'));
    const client = new Anthropic({ baseURL: gw.url, apiKey: 'unused', maxRetries: 0 });
    const message = { model: 'loopback', max_tokens: 150, messages: [{ role: 'user' as const, content: 'hello there' }] };
    const { response } = await client.messages.create(message).withResponse();
    expect(Number(response.headers.get('x-ratelimit-remaining-tokens'))).to.be.below(200);
    // Anthropic's own header names too, the reset as an RFC 3339 time within the minute.
    expect(response.headers.get('anthropic-ratelimit-tokens-limit')).to.equal('200');
    expect(response.headers.get('anthropic-ratelimit-tokens-remaining')).to.equal(response.headers.get('x-ratelimit-remaining-tokens'));
    const reset = Date.parse(response.headers.get('anthropic-ratelimit-tokens-reset') ?? '');
    expect(reset - Date.now()).to.be.within(-1000, 61_000);
    // What the first used stays counted for the minute: a request reserving the rest no longer fits.
    let err: unknown;
    try { await client.messages.create({ ...message, max_tokens: 185 }); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(Anthropic.RateLimitError);
    const apiErr = err as InstanceType<typeof Anthropic.RateLimitError>;
    expect(apiErr.status).to.equal(429);
    expect((apiErr.error as { type: string; error: { type: string } }).type).to.equal('error');
    expect((apiErr.error as { error: { type: string } }).error.type).to.equal('rate_limit_error');
    expect(apiErr.headers?.get('x-ratelimit-limit-tokens')).to.equal('200');
    expect(Number(apiErr.headers?.get('retry-after'))).to.be.within(1, 60);
  });

  it('a Gemini client gets RESOURCE_EXHAUSTED with a RetryInfo detail matching retry-after, raw and through @google/genai', async () => {
    gw = await startGateway(gatewayConfig('{ rules: [{ scope: user, rpm: 1 }] }'));
    const body = { contents: [{ role: 'user', parts: [{ text: 'ping' }] }] };
    expect((await post(gw, '/v1beta/models/loopback:generateContent', body)).status).to.equal(200);
    const raw = await post(gw, '/v1beta/models/loopback:generateContent', body);
    expect(raw.status).to.equal(429);
    const retryAfter = Number(raw.headers.get('retry-after'));
    expect(retryAfter).to.be.within(1, 60);
    const envelope = await raw.json() as { error: { code: number; status: string; details?: Record<string, unknown>[] } };
    expect(envelope.error).to.include({ code: 429, status: 'RESOURCE_EXHAUSTED' });
    expect(envelope.error.details).to.deep.equal([{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfter}s` }]);

    const client = new GoogleGenAI({ apiKey: 'unused', httpOptions: { baseUrl: gw.url } });
    let err: unknown;
    try { await client.models.generateContent({ model: 'loopback', contents: 'ping' }); } catch (e) { err = e; }
    expect(err, String(err)).to.be.instanceOf(ApiError);
    expect((err as ApiError).status).to.equal(429);
    // The SDK carries the body as its message: what Gemini CLI and users parse for RetryInfo.
    const details = (JSON.parse((err as ApiError).message) as { error: { details: { '@type': string; retryDelay: string }[] } }).error.details;
    const info = details.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.RetryInfo');
    expect(info?.retryDelay).to.match(/^\d+s$/);
    expect(parseInt(info!.retryDelay, 10)).to.be.within(1, 60);
  });

  it('a request bigger than the limit on its own is refused for good (x-should-retry: false)', async () => {
    gw = await startGateway(gatewayConfig('{ rules: [{ scope: global, tpm: 100 }] }'));
    const res = await post(gw, '/v1/chat/completions', chat('hi', 500));
    expect(res.status).to.equal(429);
    expect(res.headers.get('x-should-retry')).to.equal('false');
    expect(res.headers.get('retry-after')).to.equal(null); // waiting will not help
    expect(((await res.json()) as { error: { message: string } }).error.message).to.contain('lower max_tokens');
  });

  it('a session budget counts passthrough, translation, streams, embeddings and count-tokens alike, then refuses', async () => {
    // Anthropic clients on `claude*` reach a Chat-only provider: translated both ways.
    gw = await startGateway(gatewayConfig('{ rules: [{ scope: session, budget_usd: 400 }] }', '{ routes: [{ match: "claude*", provider: chatonly }], default: local }'));
    const session = { 'x-session-id': 'sess-1' };
    const spent = () => 400 - Number(last!.headers.get('x-ratelimit-remaining-budget-usd'));
    let last: Response | undefined;
    last = await post(gw, '/v1/chat/completions', chat('one two three'), session);
    expect(last.status).to.equal(200);
    expect(last.headers.get('x-ratelimit-limit-budget-usd')).to.equal('400');
    last = await post(gw, '/v1/messages', { model: 'claude-x', max_tokens: 16, messages: [{ role: 'user', content: 'translated' }] }, { ...session, 'anthropic-version': '2023-06-01' });
    expect(last.status).to.equal(200);
    const afterTranslation = spent();
    expect(afterTranslation).to.be.greaterThan(0); // the first request's real cost at least
    last = await post(gw, '/v1/embeddings', { model: 'loopback-embed', input: 'embed me please' }, session);
    expect(last.status).to.equal(200);
    last = await post(gw, '/v1/messages/count_tokens', { model: 'loopback', messages: [{ role: 'user', content: 'count' }] }, { ...session, 'anthropic-version': '2023-06-01' });
    expect(last.status).to.equal(200);
    // Streams settle when the stream ends: keep going until the budget refuses.
    let refused: Response | undefined;
    for (let i = 0; i < 40 && !refused; i++) {
      const res = await post(gw, '/v1/chat/completions', { ...chat('stream me'), stream: true }, session);
      if (res.status === 429) refused = res; else { expect(res.status).to.equal(200); await res.text(); }
    }
    expect(refused, 'the budget never refused').to.not.equal(undefined);
    const body = (await refused!.json()) as { error: { code: string; type: string; message: string } };
    expect(body.error.code).to.equal('SLUICE_E_BUDGET_EXCEEDED');
    expect(body.error.type).to.equal('rate_limit_error');
    expect(body.error.message).to.contain('400 USD for session sess-1 (lifetime)');
    expect(refused!.headers.get('x-should-retry')).to.equal('false');
    // Another session is untouched; the exhaustion was announced once.
    expect((await post(gw, '/v1/chat/completions', chat(), { 'x-session-id': 'sess-2' })).status).to.equal(200);
    await post(gw, '/v1/chat/completions', chat(), session);
    expect(gw.logs.filter((l) => l.includes('"msg":"budget exhausted"')).length).to.equal(1);
    expect(gw.logs.filter((l) => l.includes('"msg":"budget at 80 %"')).length).to.equal(1);
  });

  it('count-tokens and embeddings escape only when exempted', async () => {
    gw = await startGateway(gatewayConfig('{ exempt: [count_tokens], rules: [{ scope: global, rpm: 1 }] }'));
    const count = () => post(gw!, '/v1/messages/count_tokens', { model: 'loopback', messages: [{ role: 'user', content: 'count' }] }, { 'anthropic-version': '2023-06-01' });
    for (let i = 0; i < 3; i++) expect((await count()).status).to.equal(200);
    expect((await post(gw, '/v1/embeddings', { model: 'loopback-embed', input: 'x' })).status).to.equal(200);
    expect((await post(gw, '/v1/embeddings', { model: 'loopback-embed', input: 'x' })).status).to.equal(429);
  });

  it('a client repeating its x-request-id is counted every time', async () => {
    gw = await startGateway(gatewayConfig('{ rules: [{ scope: global, rpm: 2 }] }'));
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(gw, '/v1/chat/completions', chat(), { 'x-request-id': 'same-id-every-time' })).status);
    expect(statuses).to.deep.equal([200, 200, 429, 429]);
  });

  it('model and key scopes: a glob picks the subjects, each with its own counter', async () => {
    gw = await startGateway(gatewayConfig('{ rules: [{ scope: model, match: "loopback-*", rpm: 1 }] }'));
    expect((await post(gw, '/v1/embeddings', { model: 'loopback-embed', input: 'x' })).status).to.equal(200);
    expect((await post(gw, '/v1/embeddings', { model: 'loopback-embed', input: 'x' })).status).to.equal(429);
    for (let i = 0; i < 3; i++) expect((await post(gw, '/v1/chat/completions', chat())).status).to.equal(200); // "loopback" does not match
  });

  it('a SIGHUP reload applies new limits to the current window; a reload changing the store is refused whole', async () => {
    gw = await startGateway(gatewayConfig('{ rules: [{ scope: global, rpm: 2 }] }'));
    const statuses = async (n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const res = await post(gw!, '/v1/chat/completions', chat());
        await res.text();
        out.push(res.status);
      }
      return out;
    };
    expect(await statuses(3)).to.deep.equal([200, 200, 429]);
    writeFileSync(path.join(gw.dir, 'sluice.yaml'), gatewayConfig('{ rules: [{ scope: global, rpm: 4 }] }'));
    await gw.gateway.reload();
    // The two admitted before the reload still count: two more fit under the new limit of 4.
    expect(await statuses(3)).to.deep.equal([200, 200, 429]);
    writeFileSync(path.join(gw.dir, 'sluice.yaml'), gatewayConfig('{ store: memory, key_prefix: "other:", rules: [{ scope: global, rpm: 100 }] }'));
    let refused: unknown;
    try { await gw.gateway.reload(); } catch (err) { refused = err; }
    expect(String(refused)).to.match(/key_prefix: cannot change without a restart/);
    expect(await statuses(1)).to.deep.equal([429]);
  });
});
