// `stream: true` asks for an event stream only where the protocol has one (Chat, Responses,
// Messages). In a count_tokens or embeddings body it is a stray field: the request is still a JSON
// exchange, never a "streaming request" an upstream must answer with SSE (the real APIs answer
// such requests with JSON, and a 502 blaming the provider would be the gateway's own mistake).
import { expect } from 'chai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';

describe('stream flag on operations that have no stream', () => {
  let gw: TestGateway;
  let up: RecordingUpstream;

  before(async () => {
    up = await startRecordingUpstream();
    gw = await startGateway(config({
      providers: `  claude: { type: anthropic, base_url: "${up.origin}", api_key: k }\n  oai: { type: openai, base_url: "${up.origin}/v1", api_key: k }`,
      chain: `  - use: router
    with:
      routes:
        - { match: "claude-*", provider: claude }
        - { match: "text-embedding-*", provider: oai }
      default: local
  - use: translator`,
    }));
  });
  after(async () => { await gw.close(); await up.close(); });
  beforeEach(() => { up.requests.length = 0; up.handle(); });

  it('an Anthropic count_tokens body with stream: true is answered with the upstream count', async () => {
    up.handle((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end('{"input_tokens":42}'); });
    const res = await fetch(`${gw.url}/v1/messages/count_tokens`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ input_tokens: 42 });
    expect(up.requests.map((r) => r.url)).to.deep.equal(['/v1/messages/count_tokens']);
  });

  it('an OpenAI embeddings body with stream: true is answered with the upstream embeddings', async () => {
    const res = await fetch(`${gw.url}/v1/embeddings`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'text-embedding-3-small', stream: true, input: 'hi' }),
    });
    expect(res.status).to.equal(200);
    const body = await res.json() as { object: string; data: unknown[] };
    expect(body.object).to.equal('list');
    expect(body.data).to.have.length(1);
  });
});
