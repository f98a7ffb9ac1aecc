// A shutdown and a proxy's kept-alive connections: a request the proxy sends on an idle connection
// just as the shutdown begins is served, as that connection's last, instead of meeting a reset
// (nginx's 502, not retried for a POST). New connections are refused from the first moment; after
// a short while the open ones are closed and requests on them refused with a 503, as before.
import { expect } from 'chai';
import http from 'node:http';
import { config, startGateway } from '../helpers/gateway.js';

const BODY = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });

function post(agent: http.Agent, port: number): Promise<{ status: number; connection: string | undefined; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers['connection'], text }));
    });
    req.on('error', reject);
    req.end(BODY);
  });
}

describe('shutdown: requests on kept-alive connections', function () {
  this.timeout(20_000);

  it('serves a request sent on an idle kept-alive connection as the shutdown begins, with connection: close; refuses new connections', async () => {
    const gw = await startGateway(config({ server: '  shutdown_grace_ms: 5000\n' }));
    const port = gw.running.port;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await post(agent, port);
      expect(first.status).to.equal(200);
      expect(first.connection).to.equal('keep-alive');
      const stopping = gw.close();
      const second = await post(agent, port); // the same socket: the agent keeps one
      expect(second.status, second.text).to.equal(200);
      expect(second.connection).to.equal('close');
      const fresh = new http.Agent({ keepAlive: false });
      const refused = await post(fresh, port).then(() => 'connected', (err: NodeJS.ErrnoException) => err.code);
      expect(refused).to.equal('ECONNREFUSED');
      await stopping;
    } finally {
      agent.destroy();
    }
  });
});
