// OpenAI embeddings for more inputs than Gemini takes in one batchEmbedContents call (100, refused
// above that with a 400 INVALID_ARGUMENT) reach a Gemini provider as several calls, joined in order.
import { expect } from 'chai';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream, type RecordedRequest } from '../helpers/mock-upstream.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import type { ServerResponse } from 'node:http';

/** Answers batchEmbedContents as Google does: refuses more than 100 requests, else one vector per text ([n, 0.5] for text "t<n>"). */
function googleEmbed(fail?: (req: RecordedRequest) => boolean, usage = false) {
  return (req: RecordedRequest, res: ServerResponse): void => {
    const requests = (req.body?.['requests'] ?? []) as { content: { parts: { text: string }[] } }[];
    if (requests.length > 100 || fail?.(req)) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({
        error: { code: 400, message: '* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch\n', status: 'INVALID_ARGUMENT' },
      }));
      return;
    }
    const embeddings = requests.map((r) => ({ values: [Number(r.content.parts[0]!.text.slice(1)), 0.5] }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(usage ? { embeddings, usageMetadata: { promptTokenCount: 2 * requests.length } } : { embeddings }));
  };
}

describe('OpenAI embeddings over 100 inputs to a Gemini provider', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  let client: OpenAI;

  before(async () => {
    mock = await startMockUpstream();
    gw = await startGateway(config({
      providers: `  gem: { type: gemini, base_url: "${mock.url.replace(/\/v1$/, '')}", api_key: k }`,
      chain: '  - use: router\n    with:\n      routes:\n        - { match: "text-embedding-fb", provider: gem, fallbacks: [{ provider: local, model: loopback-embed }] }\n        - { match: "text-embedding-*", provider: gem }\n      default: local\n  - use: translator',
    }));
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
  });
  after(async () => { await gw.close(); await mock.close(); });
  beforeEach(() => { mock.requests.length = 0; });

  it('sends batches of at most 100 and joins the vectors in input order', async () => {
    mock.handle(googleEmbed());
    const input = Array.from({ length: 250 }, (_, i) => `t${i}`);
    const res = await client.embeddings.create({ model: 'text-embedding-004', input, encoding_format: 'float' });
    const sizes = mock.requests.map((r) => (r.body?.['requests'] as unknown[]).length);
    expect(sizes).to.deep.equal([100, 100, 50]);
    expect(mock.requests.every((r) => r.url.endsWith('/models/text-embedding-004:batchEmbedContents'))).to.equal(true);
    expect(res.data).to.have.length(250);
    res.data.forEach((d, i) => {
      expect(d.index).to.equal(i);
      expect(d.embedding).to.deep.equal([i, 0.5]);
    });
    expect(res.usage.prompt_tokens).to.equal(0); // Gemini reports none
  });

  it('decodes the joined answer as the SDK asks for it (base64)', async () => {
    mock.handle(googleEmbed());
    const input = Array.from({ length: 101 }, (_, i) => `t${i}`);
    const res = await client.embeddings.create({ model: 'text-embedding-004', input });
    expect(res.data.map((d) => d.embedding[0])).to.deep.equal(input.map((_, i) => i));
  });

  it('sums the usage the parts report', async () => {
    mock.handle(googleEmbed(undefined, true));
    const input = Array.from({ length: 150 }, (_, i) => `t${i}`);
    const res = await client.embeddings.create({ model: 'text-embedding-004', input, encoding_format: 'float' });
    expect(mock.requests).to.have.length(2);
    expect(res.usage).to.deep.equal({ prompt_tokens: 300, total_tokens: 300 });
  });

  it('a batch that fails with a 5xx fails the one attempt: the fallback serves the whole request', async () => {
    mock.handle((req, res) => {
      const requests = req.body?.['requests'] as { content: { parts: { text: string }[] } }[];
      if (requests[0]!.content.parts[0]!.text === 't100') {
        res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }));
        return;
      }
      googleEmbed()(req, res);
    });
    const input = Array.from({ length: 150 }, (_, i) => `t${i}`);
    const res = await client.embeddings.create({ model: 'text-embedding-fb', input, encoding_format: 'float', dimensions: 64 }, { headers: { 'x-request-id': 'embed-fb-1' } });
    expect(res.data).to.have.length(150);
    expect(res.data[0]!.embedding).to.have.length(64); // loopback's vectors
    // The request line is written once the response has ended: give it a moment.
    for (let i = 0; i < 50 && !gw.logs.some((l) => l.includes('"embed-fb-1"') && l.includes('"msg":"request"')); i++) await new Promise((r) => setTimeout(r, 20));
    const line = gw.logs.map((l) => JSON.parse(l) as { msg: string; request_id?: string; provider?: string; fallbacks?: { provider: string; status: number }[] })
      .find((l) => l.msg === 'request' && l.request_id === 'embed-fb-1');
    expect(line?.provider).to.equal('local');
    expect(line?.fallbacks?.map((f) => [f.provider, f.status])).to.deep.equal([['gem', 503]]);
  });

  it('fails the whole request, in the OpenAI envelope, when one batch fails', async () => {
    mock.handle(googleEmbed((req) => (req.body?.['requests'] as { content: { parts: { text: string }[] } }[])[0]!.content.parts[0]!.text === 't100'));
    const input = Array.from({ length: 250 }, (_, i) => `t${i}`);
    const err = await client.embeddings.create({ model: 'text-embedding-004', input, encoding_format: 'float' }).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).status).to.equal(400);
    expect(JSON.stringify((err as InstanceType<typeof OpenAI.BadRequestError>).error)).to.include('at most 100 requests');
  });
});
