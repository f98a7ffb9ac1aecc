// x-sluice-overhead-ms (SPEC.md §3) is the time spent in Sluice itself, not upstream: the wait for
// a provider that failed — before a fallback answered, or when every target failed — is upstream
// time too.
import { expect } from 'chai';
import { chatCompletionBody, startMockUpstream, type MockHandler, type MockUpstream } from '../helpers/mock-upstream.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

/** The upstream takes `ms` before it answers 500. */
const slowFailure = (ms: number): MockHandler => async (_req, res) => {
  await new Promise((r) => setTimeout(r, ms));
  res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'slow failure', type: 'server_error' } }));
};

const answer: MockHandler = (req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(chatCompletionBody(String(req.body?.['model']), 'from B')));
};

describe('x-sluice-overhead-ms leaves out every upstream wait', () => {
  const SLOW_MS = 600;
  let a: MockUpstream;
  let b: MockUpstream;
  let gw: TestGateway;

  before(async () => {
    a = await startMockUpstream();
    b = await startMockUpstream();
    a.handle(slowFailure(SLOW_MS));
    b.handle(answer);
    gw = await startGateway(config({
      providers: [
        `  slow: { type: openai, base_url: "${a.url}", api_key: key-a }`,
        `  backup: { type: openai, base_url: "${b.url}", api_key: key-b }`,
      ].join('\n'),
      chain: `  - use: router
    with:
      routes:
        - { match: "gpt-fallback", provider: slow, fallbacks: [backup] }
        - { match: "gpt-all-fail", provider: slow, fallbacks: [slow] }
      default: local
`,
    }));
  });
  after(async () => { await gw.close(); await a.close(); await b.close(); });

  const chat = async (model: string) => {
    const started = performance.now();
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
    await res.text();
    return { status: res.status, overhead: Number(res.headers.get('x-sluice-overhead-ms')), total: performance.now() - started };
  };

  it('after a fallback, the failed provider\'s wait is not counted as overhead', async () => {
    const r = await chat('gpt-fallback');
    expect(r.status).to.equal(200);
    expect(r.total, 'the slow primary was waited for').to.be.at.least(SLOW_MS);
    expect(r.overhead).to.be.at.least(0).and.below(SLOW_MS / 2);
  });

  it('when every target failed, none of their waits is counted as overhead', async () => {
    const r = await chat('gpt-all-fail');
    expect(r.status).to.equal(500);
    expect(r.total, 'both attempts were waited for').to.be.at.least(2 * SLOW_MS);
    expect(r.overhead).to.be.at.least(0).and.below(SLOW_MS / 2);
  });
});

// SPEC.md §3: "Every response carries x-request-id … and x-sluice-overhead-ms" — probes, /metrics
// and refusals before an endpoint matched (404, 405, 426, malformed HTTP) included.
describe('x-sluice-overhead-ms on every response', () => {
  let gw: TestGateway;
  before(async () => { gw = await startGateway(config()); });
  after(async () => { await gw.close(); });

  const expectHeaders = (headers: Headers, what: string) => {
    expect(headers.get('x-request-id'), what).to.be.a('string');
    expect(Number(headers.get('x-sluice-overhead-ms') ?? 'missing'), what).to.be.at.least(0).and.below(1000);
  };

  for (const [method, path] of [['GET', '/health'], ['GET', '/ready'], ['GET', '/metrics'], ['GET', '/no/such/path'], ['PUT', '/v1/chat/completions'], ['GET', '/admin/users']] as const) {
    it(`${method} ${path}`, async () => {
      const res = await fetch(gw.url + path, { method });
      await res.arrayBuffer();
      expectHeaders(res.headers, `${method} ${path} (${res.status})`);
    });
  }

  it('WebSocket upgrades refused (426 off the Responses endpoint, 400 a bad handshake on it) and a malformed request line', async () => {
    const net = await import('node:net');
    const port = Number(new URL(gw.url).port);
    const raw = (text: string) => new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
      let got = '';
      socket.on('data', (d) => { got += d.toString('latin1'); });
      socket.on('close', () => resolve(got));
      socket.on('error', reject);
    });
    for (const answer of [
      await raw('GET /v1/chat/completions HTTP/1.1\r\nhost: localhost\r\nconnection: Upgrade\r\nupgrade: websocket\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n'),
      await raw('GET /v1/responses HTTP/1.1\r\nhost: localhost\r\nconnection: Upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\n\r\n'),
      await raw('GET /v1/models HTTP/1.1\r\nhost: localhost\r\nbad header\r\n\r\n'),
    ]) {
      expect(answer).to.match(/^HTTP\/1\.1 4\d\d /);
      expect(answer).to.match(/\r\nx-request-id: \S+\r\n/i);
      expect(answer).to.match(/\r\nx-sluice-overhead-ms: \d+(\.\d+)?\r\n/i);
    }
  });
});
