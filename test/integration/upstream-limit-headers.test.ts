// Which of the upstream's headers reach the client. The organisation a provider bills (OpenAI's
// openai-organization and openai-project, Anthropic's anthropic-organization-id) names the
// operator's account and is never passed on. The upstream's rate-limit headers are the operator's
// organisation limits: passed on when Sluice applies no limit of its own to the request (SDKs pace
// themselves by them), and dropped as a whole when the ratelimit plugin states the client's own —
// a client must not read Sluice's requests limit beside the organisation's tokens limit, nor have
// an upstream 429's headers overwrite Sluice's. JSON, streams and errors alike.
import Anthropic from '@anthropic-ai/sdk';
import { expect } from 'chai';
import OpenAI from 'openai';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { defaultHandler, startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';

const ORG = {
  'openai-organization': 'org-operator-secret', 'openai-project': 'proj_operator', 'anthropic-organization-id': 'f0e1-operator',
};
const UPSTREAM_LIMITS = {
  'x-ratelimit-limit-requests': '10000', 'x-ratelimit-remaining-requests': '9999', 'x-ratelimit-reset-requests': '6ms',
  'x-ratelimit-limit-tokens': '30000000', 'x-ratelimit-remaining-tokens': '29999000', 'x-ratelimit-reset-tokens': '0s',
  'anthropic-ratelimit-input-tokens-limit': '400000', 'anthropic-ratelimit-requests-limit': '4000',
};

function yaml(upstream: MockUpstream, ratelimit: boolean): string {
  return `server:
  shutdown_grace_ms: 200
storage:
  database: "sqlite::memory:"
providers:
  oa: { type: openai, base_url: "${upstream.url}/v1", api_key: sk-operator }
  an: { type: anthropic, base_url: "${upstream.url}", api_key: sk-ant-operator }
chain:
  - use: router
    with:
      routes:
        - { match: "claude*", provider: an }
      default: oa
${ratelimit ? '  - use: ratelimit\n    with: { rules: [{ scope: global, rpm: 50 }] }\n' : ''}`;
}

const anthropicMessage = { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [{ type: 'text', text: 'hi' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 3, output_tokens: 1 } };

describe('upstream headers: organisation ids never, rate limits only when Sluice sets none', function () {
  this.timeout(30_000);
  let upstream: MockUpstream;
  let gw: TestGateway | undefined;
  let status = 200;

  before(async () => {
    upstream = await startMockUpstream();
    upstream.handle((req, res, raw) => {
      for (const [k, v] of Object.entries({ ...ORG, ...UPSTREAM_LIMITS })) res.setHeader(k, v);
      if (status === 429) {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' }).end(JSON.stringify({ error: { message: 'org limit', type: 'requests', code: 'rate_limit_exceeded' } }));
        return;
      }
      if (req.url.startsWith('/v1/messages')) { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(anthropicMessage)); return; }
      return defaultHandler(req, res, raw);
    });
  });
  afterEach(async () => { await gw?.close(); gw = undefined; status = 200; });
  after(() => upstream.close());

  const openai = () => new OpenAI({ baseURL: `${gw!.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  const chat = (stream = false) => ({ model: 'gpt-x', messages: [{ role: 'user' as const, content: 'hi' }], stream });
  const headersOf = async (stream: boolean): Promise<Headers> => {
    if (stream) {
      const { response, data } = await openai().chat.completions.create({ ...chat(), stream: true }).withResponse();
      for await (const _ of data) { /* drain */ }
      return response.headers;
    }
    return (await openai().chat.completions.create(chat()).withResponse()).response.headers;
  };
  const errorHeadersOf = async (): Promise<Headers> => {
    status = 429;
    const err = await openai().chat.completions.create(chat()).then(() => undefined, (e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
    expect(err?.status).to.equal(429);
    return err!.headers as unknown as Headers;
  };
  const noOrg = (h: Headers) => { for (const name of Object.keys(ORG)) expect(h.get(name), name).to.equal(null); };

  it('without Sluice limits: the upstream\'s rate-limit headers pass, its organisation ids do not (JSON, stream, 429)', async () => {
    gw = await startGateway(yaml(upstream, false));
    for (const h of [await headersOf(false), await headersOf(true), await errorHeadersOf()]) {
      noOrg(h);
      expect(h.get('x-ratelimit-limit-tokens')).to.equal('30000000');
      expect(h.get('x-ratelimit-limit-requests')).to.equal('10000');
    }
  });

  it('with Sluice limits: only Sluice\'s rate-limit headers, none of the organisation\'s (JSON, stream, 429 with its retry-after)', async () => {
    gw = await startGateway(yaml(upstream, true));
    const answers = [await headersOf(false), await headersOf(true)];
    const err = await errorHeadersOf();
    expect(err.get('retry-after'), 'the upstream\'s retry-after still says when to retry').to.equal('7');
    for (const h of [...answers, err]) {
      noOrg(h);
      expect(h.get('x-ratelimit-limit-requests')).to.equal('50');
      for (const name of Object.keys(UPSTREAM_LIMITS).filter((n) => !n.endsWith('-requests'))) expect(h.get(name), name).to.equal(null);
    }
  });

  it('an Anthropic client with Sluice limits sees Sluice\'s anthropic-ratelimit-* only, and no organisation id', async () => {
    gw = await startGateway(yaml(upstream, true));
    const client = new Anthropic({ baseURL: gw.url, apiKey: 'unused', maxRetries: 0 });
    const { response } = await client.messages.create({ model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    noOrg(response.headers);
    expect(response.headers.get('anthropic-ratelimit-requests-limit')).to.equal('50');
    expect(response.headers.get('anthropic-ratelimit-input-tokens-limit')).to.equal(null);
    expect(response.headers.get('x-ratelimit-limit-tokens')).to.equal(null);
  });
});
