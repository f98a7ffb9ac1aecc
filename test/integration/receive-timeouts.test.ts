// Issue 8 item 3: a request's headers and body must arrive within their deadlines (answered 408 in
// the caller's envelope), a refused body closes its connection instead of wedging it, and neither
// deadline ever touches a response, however long it streams.
import { expect } from 'chai';
import { chunk, startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { rawRequest } from '../helpers/raw-http.js';

const HEADERS_MS = 300;
// Long beside the slow upload's last write (200 ms in): a loaded machine's late timer must not make it late.
const BODY_MS = 1000;

describe('request receive deadlines and refused bodies', () => {
  let gw: TestGateway;
  let mock: MockUpstream;
  let port: number;
  before(async () => {
    mock = await startMockUpstream();
    gw = await startGateway(config({
      server: `  body_limit: 2kb\n  shutdown_grace_ms: 200\n  headers_timeout_ms: ${HEADERS_MS}\n  body_timeout_ms: ${BODY_MS}\n`,
      providers: `  upstream: { type: openai, base_url: "${mock.url}" }`,
      chain: '  - use: router\n    with: { default: local, routes: [{ match: "slow-*", provider: upstream }] }',
    }));
    port = Number(new URL(gw.url).port);
  });
  after(async () => { await gw.close(); await mock.close(); });

  const logLine = (id: string) => gw.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === 'request' && l['request_id'] === id);

  it('answers a stalled body with 408 in the caller\'s envelope and closes the connection', async () => {
    const res = await rawRequest(port, 'POST /v1/messages HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\nx-request-id: stall-1\r\ncontent-length: 100\r\n\r\n{"model":');
    expect(res.status).to.equal(408);
    expect(res.headers['connection']).to.equal('close');
    expect(res.headers['x-request-id']).to.equal('stall-1');
    expect(JSON.parse(res.body)).to.deep.include({ type: 'error' }).and.have.nested.property('error.type', 'invalid_request_error');
    expect(res.closedAfterMs, 'the server closes the socket').to.be.a('number').and.within(BODY_MS - 50, BODY_MS + 1500);
    expect(logLine('stall-1')).to.have.length(1);
    expect(logLine('stall-1')[0]).to.include({ status: 408, outcome: 'error', error: 'SLUICE_E_REQUEST_TIMEOUT' });
  });

  it('times the body from its headers, so a slow but steady upload that finishes in time succeeds', async () => {
    const body = JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'hello there' }] });
    const res = await rawRequest(port, `POST /v1/chat/completions HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, 10)}`, {
      writes: [[100, body.slice(10, 30)], [200, body.slice(30)]],
    });
    expect(res.status).to.equal(200);
  });

  it('answers stalled headers with 408 (Node\'s parser deadline) in an envelope with a request id, and logs it', async () => {
    const before = gw.logs.length;
    const res = await rawRequest(port, 'POST /v1/chat/completions HTTP/1.1\r\nhost: localhost\r\n');
    expect(res.status).to.equal(408);
    expect(res.headers['connection']).to.equal('close');
    const id = res.headers['x-request-id'];
    expect(id).to.match(/^req_[0-9a-f]{32}$/);
    expect(JSON.parse(res.body)).to.have.nested.property('error.code', 'SLUICE_E_REQUEST_TIMEOUT');
    expect(res.closedAfterMs).to.be.a('number').and.below(HEADERS_MS + 1500);
    await new Promise((r) => setTimeout(r, 20));
    const lines = gw.logs.slice(before).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['request_id'] === id);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ msg: 'request', status: 408, error: 'SLUICE_E_REQUEST_TIMEOUT' });
    // Dated from its arrival, not from when the deadline was noticed: it took the whole deadline.
    expect(lines[0]!['ms'], 'latency').to.be.a('number').and.within(HEADERS_MS, HEADERS_MS + 1500);
  });

  it('closes a connection that never sends a byte without an answer or a log line', async () => {
    const before = gw.logs.length;
    const res = await rawRequest(port, '');
    expect(res.text).to.equal('');
    expect(res.closedAfterMs).to.be.a('number').and.below(HEADERS_MS + 1500);
    expect(gw.logs.slice(before).filter((l) => l.includes('"request"'))).to.deep.equal([]);
  });

  it('does not apply the headers deadline to an idle keep-alive connection between requests', async () => {
    const res = await rawRequest(port, 'GET /v1/models HTTP/1.1\r\nhost: localhost\r\n\r\n', {
      writes: [[HEADERS_MS * 3, 'GET /v1/models HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n']],
    });
    expect(res.text.match(/HTTP\/1\.1 200/g)).to.have.length(2);
  });

  it('answers a chunked body over the limit with 413 and closes the connection instead of wedging it', async () => {
    const piece = (s: string) => `${s.length.toString(16)}\r\n${s}\r\n`;
    const res = await rawRequest(port,
      'POST /v1/chat/completions HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n' +
      piece(`{"model":"loopback","messages":[{"role":"user","content":"${'a'.repeat(3000)}`),
      { writes: [[50, piece('b'.repeat(500))], [100, piece('c'.repeat(500))]] });
    expect(res.status).to.equal(413);
    expect(res.headers['connection']).to.equal('close');
    expect(JSON.parse(res.body)).to.have.nested.property('error.code', 'SLUICE_E_BODY_TOO_LARGE');
    expect(res.closedAfterMs, 'closed by the server, not left open').to.be.a('number').and.below(1500);
  });

  it('closes the connection after refusing a declared-oversized or wrongly typed body it never read', async () => {
    const big = await rawRequest(port, 'POST /v1/chat/completions HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 999999\r\n\r\n{"model":');
    expect(big.status).to.equal(413);
    expect(big.closedAfterMs).to.be.a('number').and.below(1500);
    const typed = await rawRequest(port, 'POST /v1/chat/completions HTTP/1.1\r\nhost: localhost\r\ncontent-type: text/plain\r\ncontent-length: 500\r\n\r\nabc');
    expect(typed.status).to.equal(415);
    expect(typed.headers['connection']).to.equal('close');
    expect(typed.closedAfterMs).to.be.a('number').and.below(1500);
  });

  it('keeps connections alive for bodies it read completely', async () => {
    const body = JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'hi' }] });
    const res = await rawRequest(port, `POST /v1/chat/completions HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`, { waitMs: 300 });
    expect(res.status).to.equal(200);
    expect(res.headers['connection']).to.equal('keep-alive');
    expect(res.closedAfterMs, 'still open when the client gave up').to.equal(undefined);
  });

  it('never cuts a response that streams for longer than both deadlines together', async () => {
    mock.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk('slow-1', { role: 'assistant', content: '' }));
      let n = 0;
      const timer = setInterval(() => {
        res.write(chunk('slow-1', { content: `${n}.` }));
        if (++n === 16) { clearInterval(timer); res.end(chunk('slow-1', {}, 'stop') + 'data: [DONE]\n\n'); }
      }, 100);
      res.once('close', () => clearInterval(timer));
    });
    const started = Date.now();
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'slow-1', stream: true, messages: [{ role: 'user', content: 'go' }] }) });
    const text = await res.text();
    expect(Date.now() - started).to.be.above(HEADERS_MS + BODY_MS);
    expect(text).to.contain('15.').and.contain('[DONE]');
  });
});
