// `Expect: 100-continue` (curl sends it for large uploads, as do .NET and Java clients): Node
// answers 100 Continue before any handler runs, so a body declared over body_limit was uploaded
// whole — read and thrown away — before its 413. A body declared too large is refused at once
// instead (RFC 9110 §10.1.1: no 100 for a request the server will reject), and the client, told
// before it sent anything, uploads nothing; a body within the limit still gets its 100 and its answer.
import { expect } from 'chai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { rawRequest } from '../helpers/raw-http.js';

describe('Expect: 100-continue', () => {
  let gw: TestGateway;
  let port: number;
  before(async () => {
    gw = await startGateway(config({ server: '  body_limit: 1kb\n  body_timeout_ms: 5000\n  shutdown_grace_ms: 200\n' }));
    port = Number(new URL(gw.url).port);
  });
  after(() => gw.close());

  const head = (path: string, length: number, extra = '') =>
    `POST ${path} HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\nexpect: 100-continue\r\n${extra}\r\n`;

  it('a body declared over the limit gets 413 without 100 Continue, before any of it is sent, and the connection closes', async () => {
    const res = await rawRequest(port, head('/v1/chat/completions', 4096), { waitMs: 3000 });
    expect(res.text.startsWith('HTTP/1.1 413 '), res.text).to.equal(true);
    expect(res.text).to.not.contain('100 Continue');
    expect(JSON.parse(res.body)).to.have.nested.property('error.code', 'SLUICE_E_BODY_TOO_LARGE');
    expect(res.headers['connection']).to.equal('close');
    expect(res.closedAfterMs, 'closed by the server, not left waiting for a body').to.be.a('number').below(2000);
  });

  it('in the caller’s envelope (Anthropic)', async () => {
    const res = await rawRequest(port, head('/v1/messages', 2048, 'anthropic-version: 2023-06-01\r\n'), { waitMs: 3000 });
    expect(res.status).to.equal(413);
    expect(res.text).to.not.contain('100 Continue');
    expect(JSON.parse(res.body)).to.have.property('type', 'error');
  });

  it('a body within the limit gets 100 Continue, then its answer', async () => {
    const body = JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'hi' }] });
    const res = await rawRequest(port, head('/v1/chat/completions', Buffer.byteLength(body), 'connection: close\r\n'), { writes: [[150, body]], waitMs: 3000 });
    expect(res.text.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 '), res.text).to.equal(true);
    expect(res.text).to.contain('Loopback reply');
  });
});
