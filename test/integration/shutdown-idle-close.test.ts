// A proxy's idle kept-alive connection during a shutdown: Sluice does not close it under the
// proxy for a while (the proxy closes idle connections itself within its keepalive_timeout, 4 s in
// examples/nginx), and a request the proxy sends on it meanwhile is served as the connection's
// last. Closing it from this side can cross a request already on its way: reproduced with real
// nginx and rolling restarts, a burst arriving as the drain began got "recv() failed (104:
// Connection reset by peer) while reading response header from upstream" — a 502 nginx does not
// retry for a POST.
import { expect } from 'chai';
import net from 'node:net';
import { config, startGateway } from '../helpers/gateway.js';
import { slowStreams } from '../helpers/slow-streams.js';

const BODY = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
const request = `POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(BODY)}\r\n\r\n${BODY}`;

/** Writes a request on the socket; resolves with the raw answer once its head and body are in, or with what happened to the socket. */
function exchange(socket: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (c: Buffer) => {
      text += c.toString('utf8');
      const head = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text);
      if (head !== -1 && length && Buffer.byteLength(text.slice(head + 4)) >= Number(length[1])) done(text);
    };
    const done = (out: string) => { socket.off('data', onData); socket.off('close', onClose); socket.off('end', onClose); socket.off('error', onError); resolve(out); };
    const onClose = () => done(text || 'closed by the server');
    const onError = (err: NodeJS.ErrnoException) => done(`error ${err.code}`);
    if (socket.destroyed || socket.readableEnded) { resolve('closed by the server'); return; }
    socket.on('data', onData); socket.once('close', onClose); socket.once('end', onClose); socket.once('error', onError);
    socket.write(request);
  });
}

describe('shutdown: idle kept-alive connections are left to the client to close', function () {
  this.timeout(20_000);

  it('serves a request sent on an idle connection 2 s into the shutdown, as its last, and ends the shutdown once the client closed it', async () => {
    const gw = await startGateway(config({ server: '  shutdown_grace_ms: 10000\n' }));
    const socket = net.connect(gw.running.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    try {
      expect(await exchange(socket)).to.match(/^HTTP\/1\.1 200 .*connection: keep-alive/is);
      const began = performance.now();
      const stopping = gw.close();
      await new Promise((r) => setTimeout(r, 2000)); // idle, as a proxy's pooled connection between requests
      const answer = await exchange(socket);
      expect(answer).to.match(/^HTTP\/1\.1 200 /);
      expect(answer).to.match(/connection: close/i);
      await stopping;
      expect(performance.now() - began, 'over once the connection closed, not at the grace').to.be.below(4000);
    } finally {
      socket.destroy();
    }
  });
});

describe('shutdown: the connection of a stream that ends while connections are left to their clients', function () {
  this.timeout(20_000);

  it('is left open like any idle one: a request on it 1 s after the stream ended is served, as its last', async () => {
    const mock = await slowStreams(); // 60 deltas 30 ms apart
    const gw = await startGateway(config({
      server: '  shutdown_grace_ms: 10000\n',
      providers: `  mock: { type: openai, base_url: "${mock.url}", api_key: test-key }\n`,
      chain: '  - use: router\n    with: { routes: [{ match: "gpt-*", provider: mock }], default: local }',
    }));
    const socket = net.connect(gw.running.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    try {
      const body = JSON.stringify({ model: 'gpt-x', stream: true, messages: [{ role: 'user', content: 'hi' }] });
      let text = '';
      const ended = new Promise<void>((resolve) => {
        const onData = (c: Buffer) => { text += c.toString('utf8'); if (text.includes('0\r\n\r\n')) { socket.off('data', onData); resolve(); } };
        socket.on('data', onData);
      });
      socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      await new Promise((r) => setTimeout(r, 300)); // its head is out, with keep-alive
      const stopping = gw.close();
      await ended;
      expect(text).to.contain('data: [DONE]');
      await new Promise((r) => setTimeout(r, 1000));
      const answer = await exchange(socket);
      expect(answer).to.match(/^HTTP\/1\.1 200 /);
      expect(answer).to.match(/connection: close/i);
      await stopping;
    } finally {
      socket.destroy();
      await mock.close();
    }
  });
});

describe('shutdown: GET /ready', function () {
  this.timeout(20_000);

  it('answers 503 once the shutdown began, on a connection still open, so a health-checking balancer stops sending', async () => {
    const gw = await startGateway(config({ server: '  shutdown_grace_ms: 4000\n' }));
    const socket = net.connect(gw.running.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const probe = () => new Promise<string>((resolve) => {
      let text = '';
      const onData = (c: Buffer) => { text += c.toString('utf8'); if (/\r\n\r\n[\s\S]*\}$/.test(text)) { socket.off('data', onData); resolve(text); } };
      socket.on('data', onData);
      socket.write('GET /ready HTTP/1.1\r\nHost: localhost\r\n\r\n');
    });
    try {
      expect(await probe()).to.match(/^HTTP\/1\.1 200 /);
      const stopping = gw.close();
      const answer = await probe();
      expect(answer).to.match(/^HTTP\/1\.1 503 /);
      expect(answer).to.contain('"status":"shutting down"');
      await stopping;
    } finally {
      socket.destroy();
    }
  });
});
