// A Responses turn's answer on a real WebSocket (socket-response.ts): what the handler and egress
// write — a stream's lines, or a JSON error with its status — arrives as one message each, and the
// turn remembers the response it may chain from only when a response really ended.
import { expect } from 'chai';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { MESSAGES_CONTENT_TYPE } from '../../../core/http/stream-framing.js';
import { SocketOutbox, SocketTurnResponse } from '../../../core/http/socket-response.js';
import { turnHeaders } from '../../../core/http/socket-turns.js';

describe('a socket turn\'s response', () => {
  let server: WebSocketServer;
  let serverSide: WebSocket;
  let client: WebSocket;
  const received: unknown[] = [];

  beforeEach(async () => {
    received.length = 0;
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(server, 'listening');
    const accepted = once(server, 'connection');
    client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    client.on('message', (d) => received.push(JSON.parse(d.toString())));
    [serverSide] = (await accepted) as [WebSocket];
  });
  afterEach(async () => {
    client.terminate();
    server.close();
  });

  const settle = async (n: number) => {
    for (let i = 0; i < 100 && received.length < n; i++) await new Promise((r) => setTimeout(r, 10));
  };

  it('sends a stream\'s lines as messages and remembers the response that completed', async () => {
    const res = new SocketTurnResponse(new SocketOutbox(serverSide));
    res.writeHead(200, { 'content-type': MESSAGES_CONTENT_TYPE, 'x-request-id': 'r1' });
    const created = { type: 'response.created', sequence_number: 0, response: { id: 'resp_1', output: [] } };
    // A delta whose text names the terminal event is not one.
    const delta = { type: 'response.output_text.delta', sequence_number: 1, delta: '"response.completed"' };
    const completed = { type: 'response.completed', sequence_number: 2, response: { id: 'resp_1', object: 'response', output: [{ type: 'message' }] } };
    res.write(`${JSON.stringify(created)}\n${JSON.stringify(delta)}\n`);
    expect(res.told).to.equal(undefined);
    res.end(`${JSON.stringify(completed)}\n`);
    await once(res, 'close');
    await settle(3);
    expect(received).to.deep.equal([created, delta, completed]);
    expect(res.told).to.equal('completed');
    expect(res.finished).to.deep.equal(completed.response);
    expect(res.writableFinished).to.equal(true);
  });

  it('sends a JSON error answered before any event as OpenAI\'s error message, with its status and headers', async () => {
    const res = new SocketTurnResponse(new SocketOutbox(serverSide));
    res.setHeader('x-request-id', 'r2');
    res.setHeader('retry-after', '7');
    res.setHeader('x-sluice-error-code', 'SLUICE_E_RATE_LIMITED');
    res.setHeader('content-type', 'application/json');
    res.statusCode = 429;
    res.end(JSON.stringify({ error: { message: 'slow down', type: 'rate_limit_error', param: null, code: 'SLUICE_E_RATE_LIMITED' } }));
    await settle(1);
    expect(received).to.deep.equal([{
      type: 'error', status: 429,
      error: { message: 'slow down', type: 'rate_limit_error', param: null, code: 'SLUICE_E_RATE_LIMITED' },
      headers: { 'x-request-id': 'r2', 'retry-after': '7', 'x-sluice-error-code': 'SLUICE_E_RATE_LIMITED' },
    }]);
    expect(res.told).to.equal('error');
    expect(res.finished).to.equal(undefined);
  });

  it('a stream that breaks off tells the client once; a client gone before the end abandons the turn', async () => {
    const broken = new SocketTurnResponse(new SocketOutbox(serverSide));
    broken.writeHead(200, { 'content-type': MESSAGES_CONTENT_TYPE });
    broken.write('{"type":"response.created","sequence_number":0}\n');
    const closed = once(broken, 'close');
    broken.destroy();
    broken.destroy();
    await closed;
    await settle(2);
    expect(received.map((m) => (m as { type: string; status?: number }).status ?? (m as { type: string }).type)).to.deep.equal(['response.created', 502]);
    expect(broken.writableFinished, 'not finished: the handler records it as a stream cut short').to.equal(false);

    const gone = new SocketTurnResponse(new SocketOutbox(serverSide));
    gone.writeHead(200, { 'content-type': MESSAGES_CONTENT_TYPE });
    const abandoned = once(gone, 'close');
    gone.abandon();
    await abandoned;
    expect(gone.destroyed).to.equal(true);
    expect(gone.write('{"type":"x"}\n')).to.equal(false);
  });

  it('a client that closes right after the whole answer was handed over does not turn it into a disconnect', async () => {
    const res = new SocketTurnResponse(new SocketOutbox(serverSide));
    res.writeHead(200, { 'content-type': MESSAGES_CONTENT_TYPE });
    let closes = 0;
    res.on('close', () => { closes++; });
    res.end(`${JSON.stringify({ type: 'response.completed', sequence_number: 0, response: { id: 'resp_2', output: [] } })}\n`);
    res.abandon(); // the socket's 'close' in the same tick, before 'finish'
    await once(res, 'finish');
    await new Promise((r) => setImmediate(r));
    expect({ destroyed: res.destroyed, finished: res.writableFinished, closes }).to.deep.equal({ destroyed: false, finished: true, closes: 1 });
  });

  it('turns of two lanes that fill the socket each hear when it has drained, though the other lane\'s messages left last', async () => {
    // The client reads nothing until both turns are over the high-water mark: lane a's messages
    // leave first, while lane b's still fill the queue, so a's own last message leaves with the
    // queue still high — a turn that listened only to its own messages would wait for ever.
    if (client.readyState !== client.OPEN) await once(client, 'open');
    client.pause();
    const out = new SocketOutbox(serverSide);
    const [a, b] = [new SocketTurnResponse(out, { streamId: 'a' }), new SocketTurnResponse(out, { streamId: 'b' })];
    const big = JSON.stringify({ type: 'response.output_text.delta', delta: 'x'.repeat(8 * 1024 * 1024) });
    for (const res of [a, b]) {
      res.writeHead(200, { 'content-type': MESSAGES_CONTENT_TYPE });
      expect(res.write(`${big}\n`)).to.equal(false);
    }
    const drained = Promise.all([a, b].map((res) => once(res, 'drain')));
    client.resume();
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('a turn never heard the socket drain')), 3000));
    await Promise.race([drained, timeout]);
    expect([a.writableNeedDrain, b.writableNeedDrain]).to.deep.equal([false, false]);
  });
});

describe('a socket turn\'s request headers', () => {
  it('are the upgrade\'s without the handshake\'s, with a JSON content type, and without the websocket beta', () => {
    expect(turnHeaders({
      host: 'x', connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k', 'sec-websocket-version': '13',
      'sec-websocket-extensions': 'permessage-deflate', authorization: 'Bearer k', 'session-id': 's1',
      'openai-beta': 'responses_websockets=2026-02-06, assistants=v2',
    })).to.deep.equal({ host: 'x', authorization: 'Bearer k', 'session-id': 's1', 'content-type': 'application/json', 'openai-beta': 'assistants=v2' });
    expect(turnHeaders({ 'openai-beta': 'responses_websockets=2026-02-06' })).to.deep.equal({ 'content-type': 'application/json' });
  });
});
