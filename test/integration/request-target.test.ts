// RFC 9112 §3.2.2: a server MUST accept a request target in absolute form (`GET http://host/path`,
// what clients send to a proxy), and then takes the host from the target, ignoring `Host`. Sluice
// answers it as the same request in origin form — and the target's host is the one its
// unauthenticated Host check (DNS rebinding) judges.
import { expect } from 'chai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { rawRequest } from '../helpers/raw-http.js';

describe('a request target in absolute form', () => {
  let gw: TestGateway;
  let port: number;
  before(async () => {
    gw = await startGateway(config({}));
    port = Number(new URL(gw.url).port);
  });
  after(async () => { await gw.close(); });

  const get = (target: string, host: string) => rawRequest(port, `GET ${target} HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\n\r\n`);

  it('is answered as the same request in origin form (path and query kept as sent)', async () => {
    const models = await get(`http://localhost:${port}/v1/models`, 'localhost');
    expect(models.status, models.text.slice(0, 200)).to.equal(200);
    expect(JSON.parse(models.body)).to.have.property('object', 'list');
    const body = JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'hi' }] });
    const chat = await rawRequest(port, `POST HTTP://127.0.0.1:${port}/v1/chat/completions?x=1 HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
    expect(chat.status, chat.text.slice(0, 200)).to.equal(200);
    expect(chat.body).to.contain('Loopback reply');
    // No path at all is the root.
    expect((await get(`http://localhost:${port}`, 'localhost')).status).to.equal(200);
  });

  it("takes the target's host, not Host: a foreign name there is refused by an unauthenticated gateway", async () => {
    const foreign = await get('http://attacker.example/v1/models', `localhost:${port}`);
    expect(foreign.status).to.equal(403);
    expect(JSON.parse(foreign.body)).to.have.nested.property('error.code', 'SLUICE_E_FORBIDDEN');
    // And a local target under a foreign Host is answered (the Host is ignored).
    expect((await get(`http://localhost:${port}/v1/models`, 'attacker.example')).status).to.equal(200);
  });
});
