// Refusals of bodiless requests keep the connection; a refused body that was not read closes it.
import { expect } from 'chai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { rawRequest } from '../helpers/raw-http.js';

describe('connections after a refusal', () => {
  let gw: TestGateway;
  let port: number;
  before(async () => {
    gw = await startGateway(config());
    port = Number(new URL(gw.url).port);
  });
  after(() => gw.close());

  it('a GET to an unknown path (no body) is answered and the connection stays open', async () => {
    const res = await rawRequest(port, 'GET /nope HTTP/1.1\r\nhost: localhost\r\n\r\n', { waitMs: 300 });
    expect(res.status).to.equal(404);
    expect(res.headers['connection']).to.not.equal('close');
    expect(res.closedAfterMs).to.equal(undefined);
  });

  it('a POST whose body was refused unread closes the connection', async () => {
    const res = await rawRequest(port, 'POST /v1/chat/completions HTTP/1.1\r\nhost: localhost\r\ncontent-type: text/plain\r\ncontent-length: 100\r\n\r\nx', { waitMs: 1000 });
    expect(res.status).to.equal(415);
    expect(res.headers['connection']).to.equal('close');
  });
});
