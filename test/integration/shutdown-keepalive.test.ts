// A shutdown and a proxy's kept-alive connections: a request the proxy sends on an idle connection
// just as the shutdown begins is served, as that connection's last, instead of meeting a reset
// (nginx's 502, not retried for a POST). New connections are refused from the first moment; after
// a while (shutdown-idle-close.test.ts) the open ones are closed and requests on them refused with
// a 503, as before.
// A stream in flight when the shutdown began went out as keep-alive: its connection, at the head of
// the proxy's keep-alive pool once the stream ends, carries one more request, served as its last.
import { expect } from 'chai';
import http from 'node:http';
import { config, startGateway } from '../helpers/gateway.js';
import { slowStreams } from '../helpers/slow-streams.js';

const BODY = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });

function post(agent: http.Agent, port: number, body = BODY): Promise<{ status: number; connection: string | undefined; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers['connection'], text }));
    });
    req.on('error', reject);
    req.end(body);
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

  it('serves the request a proxy sends on the connection of a stream that was in flight when the shutdown began, right as it ends', async () => {
    // 60 deltas 30 ms apart: ends ~1.5 s into the shutdown, after the 1.2 s (half the grace) when
    // open connections stop being left to their clients, and before the 2.4 s deadline.
    const mock = await slowStreams();
    const gw = await startGateway(config({
      server: '  shutdown_grace_ms: 2400\n',
      providers: `  mock: { type: openai, base_url: "${mock.url}", api_key: test-key }\n`,
      chain: '  - use: router\n    with: { routes: [{ match: "gpt-*", provider: mock }], default: local }',
    }));
    const port = gw.running.port;
    // One socket, as a proxy's keep-alive pool hands out the connection it got back last.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const streaming = post(agent, port, JSON.stringify({ model: 'gpt-x', stream: true, messages: [{ role: 'user', content: 'hi' }] }));
      await new Promise((r) => setTimeout(r, 300)); // the stream's head is out, with keep-alive
      const stopping = gw.close();
      const stream = await streaming;
      expect(stream.status).to.equal(200);
      expect(stream.text).to.contain('data: [DONE]');
      // The next request at once, on the connection the stream just released (the drain has begun).
      const next = await post(agent, port);
      expect(next.status, next.text).to.equal(200);
      expect(next.connection).to.equal('close');
      await stopping;
    } finally {
      agent.destroy();
      await mock.close();
    }
  });
});
