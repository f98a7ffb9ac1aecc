// A client that stops reading its answer (server.send_timeout_ms, nginx's send_timeout): after that
// long with nothing taken, its connection is closed, its upstream request aborted, and its ledger
// row says client_disconnect with SLUICE_E_CLIENT_CLOSED — while other requests are served. A
// slow reader that keeps reading is not cut. Clients are raw sockets that stop reading (paused):
// the gateway's writes back up through both kernels' buffers to its own.
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { parseConfigText } from '../../core/config/load.js';
import { startGateway } from '../helpers/gateway.js';
import { chunk, startMockUpstream, writeWaiting, type MockUpstream } from '../helpers/mock-upstream.js';
import { ledgerRows, startLedgerGateway, type LedgerRig } from '../plugins/ledger/rig.js';
import { pause, until } from '../helpers/until.js';

const SEND_TIMEOUT_MS = 1000;
/** A delta of this many characters: an endless stream fills loopback's buffers (megabytes) in well under a second. */
const DELTA = 'x'.repeat(32 * 1024);
/** The finite stream's deltas: 12 MB, more than both kernels buffer, so the gateway's writes wait on the reader. */
const FINITE_DELTAS = 384;



/** ENDLESS: deltas until the gateway hangs up. FINITE: FINITE_DELTAS of them, then the end. BIG: a 12 MB JSON answer. */
async function upstream(): Promise<MockUpstream> {
  const mock = await startMockUpstream();
  mock.handle(async (req, res) => {
    const body = req.body as { model: string; stream?: boolean; messages: { content: string }[] };
    const prompt = body.messages.map((m) => m.content).join(' ');
    if (!body.stream) {
      const content = prompt.includes('BIG') ? DELTA.repeat(FINITE_DELTAS) : 'hello';
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
      }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const n = prompt.includes('ENDLESS') ? Infinity : FINITE_DELTAS;
    for (let i = 0; i < n; i++) if (!await writeWaiting(res, chunk(body.model, { content: DELTA }))) return;
    await writeWaiting(res, chunk(body.model, {}, 'stop'));
    res.end('data: [DONE]\n\n');
  });
  return mock;
}

const coreIndex = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../core/index.js')).href;
const ADMIN_KEY = 'the-admin-key-of-this-test';

/** A plugin whose admin route answers 12 MB: more than the kernel takes from a client that does not read. */
const BIG_ADMIN = `import { definePlugin, z } from '${coreIndex}';
export default definePlugin({
  name: 'big-admin', version: '1.0.0', sluice: '>=0.1', options: z.object({}),
  setup(_o, host) {
    host.addAdminRoute('GET', '/big', async () => ({ body: { text: 'x'.repeat(12 * 1024 * 1024) } }));
    return {};
  },
});
`;

/** Sends `head` (a whole request) on a raw socket that stops reading after the first bytes of the answer, which it resolves with. */
async function stalledRequest(port: number, head: string): Promise<{ socket: net.Socket; first: string }> {
  const socket = net.connect(port, '127.0.0.1');
  socket.write(head);
  socket.on('error', () => { /* reset by the gateway: expected */ });
  const first = await new Promise<string>((resolve) => socket.once('data', (b: Buffer) => { socket.pause(); resolve(b.toString('latin1')); }));
  return { socket, first };
}

/** Sends a chat request on a raw socket that reads nothing (paused): its request id once the head arrives. */
function stalledClient(port: number, content: string, stream: boolean): { socket: net.Socket; id: Promise<string>; first: Promise<string> } {
  const socket = net.connect(port, '127.0.0.1');
  const payload = JSON.stringify({ model: 'gpt-4o-mini', stream, messages: [{ role: 'user', content }] });
  socket.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`);
  socket.on('error', () => { /* reset by the gateway: expected */ });
  const first = new Promise<string>((resolve) => {
    socket.once('data', (bytes: Buffer) => {
      socket.pause(); // reads no further: the socket stops taking bytes from the kernel
      resolve(bytes.toString('latin1'));
    });
  });
  const id = first.then((text) => {
    const m = /x-request-id: (\S+)/i.exec(text);
    if (!m) throw new Error(`no request id in ${text.slice(0, 200)}`);
    return m[1]!;
  });
  return { socket, id, first };
}

async function connections(rig: LedgerRig): Promise<number> {
  return new Promise((resolve, reject) => rig.gw.running.server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
}

describe('server.send_timeout_ms: a client that stops reading is disconnected', function () {
  this.timeout(60_000);
  let mock: MockUpstream;
  before(async () => { mock = await upstream(); });
  after(async () => { await mock.close(); });

  it('defaults to 60 s, as nginx\'s send_timeout', () => {
    const { server } = parseConfigText('providers: { local: { type: loopback } }\nchain:\n  - use: router\n    with: { default: local }\n', 'x.yaml', {}).config;
    expect(server.send_timeout_ms).to.equal(60_000);
    expect(() => parseConfigText('server: { send_timeout_ms: 0 }\nproviders: { local: { type: loopback } }\nchain:\n  - use: router\n    with: { default: local }\n', 'x.yaml', {})).to.throw(/send_timeout_ms/);
  });

  it('a stream nobody reads: the connection is closed, the upstream aborted, other requests served, and the row says client_disconnect', async () => {
    const rig = await startLedgerGateway({ database: 'sqlite', upstreamUrl: mock.url, server: `  shutdown_grace_ms: 200\n  send_timeout_ms: ${SEND_TIMEOUT_MS}\n` });
    const port = Number(new URL(rig.gw.url).port);
    let id: string;
    const abortedBefore = mock.aborted;
    try {
      const client = stalledClient(port, 'ENDLESS', true);
      id = await client.id;
      // Meanwhile the gateway answers others.
      const other = await fetch(`${rig.gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'local-model', messages: [{ role: 'user', content: 'hi' }] }) });
      expect(other.status).to.equal(200);
      await other.text();
      // Closed once the gateway's writes have waited SEND_TIMEOUT_MS with nothing taken (the stream first fills the buffers).
      await until('the upstream request is aborted', () => mock.aborted > abortedBefore, 20_000);
      expect(rig.gw.logs.some((l) => l.includes('client stopped reading') && l.includes(id))).to.equal(true);
      // Reading again, the client finds the connection closed once it has read what had reached it.
      let closed = false;
      client.socket.on('close', () => { closed = true; });
      client.socket.resume();
      await until('the client sees the connection closed', () => closed, 10_000);
    } finally {
      await rig.gw.close();
    }
    const knex = rig.open();
    try {
      const row = (await ledgerRows(knex)).find((r) => r.request_id === id);
      expect(row, 'the stalled request has its row').to.not.equal(undefined);
      expect(row).to.deep.include({ outcome: 'client_disconnect', error_code: 'SLUICE_E_CLIENT_CLOSED', provider: 'mock' });
      expect(Number(row!['status'])).to.equal(200);
    } finally {
      await knex.destroy();
    }
  });

  it('a JSON answer nobody reads: the connection is closed and the request recorded (it was not, until the client read it)', async () => {
    const rig = await startLedgerGateway({ database: 'sqlite', upstreamUrl: mock.url, server: `  shutdown_grace_ms: 200\n  send_timeout_ms: ${SEND_TIMEOUT_MS}\n` });
    const port = Number(new URL(rig.gw.url).port);
    let id: string;
    try {
      const client = stalledClient(port, 'BIG', false);
      id = await client.id;
      await until('the gateway closes the connection', async () => await connections(rig) === 0, 10_000);
      // Until then the request was not even recorded: it is recorded when its answer has left.
      await until('the request is logged', () => rig.gw.logs.some((l) => l.includes('"request"') && l.includes(id)), 5000);
      const line = rig.gw.logs.find((l) => l.includes('"request"') && l.includes(id))!;
      expect(JSON.parse(line)).to.deep.include({ outcome: 'client_disconnect', error: 'SLUICE_E_CLIENT_CLOSED' });
      client.socket.destroy();
    } finally {
      await rig.gw.close();
    }
    const knex = rig.open();
    try {
      const row = (await ledgerRows(knex)).find((r) => r.request_id === id);
      expect(row).to.deep.include({ outcome: 'client_disconnect', error_code: 'SLUICE_E_CLIENT_CLOSED' });
    } finally {
      await knex.destroy();
    }
  });

  it('a client that breaks the connection while a JSON answer is still queued is a client_disconnect, not a success', async () => {
    const rig = await startLedgerGateway({ database: 'sqlite', upstreamUrl: mock.url, server: '  shutdown_grace_ms: 200\n' });
    const port = Number(new URL(rig.gw.url).port);
    let id: string;
    try {
      const client = stalledClient(port, 'BIG', false);
      id = await client.id;
      await pause(300); // the answer backs up behind the unread bytes
      client.socket.destroy(); // unread bytes in its buffer: the kernel resets the connection
      await until('the request is logged', () => rig.gw.logs.some((l) => l.includes('"request"') && l.includes(id)), 10_000);
      const line = rig.gw.logs.find((l) => l.includes('"request"') && l.includes(id))!;
      expect(JSON.parse(line)).to.deep.include({ outcome: 'client_disconnect', status: 200 });
    } finally {
      await rig.gw.close();
    }
    const knex = rig.open();
    try {
      const row = (await ledgerRows(knex)).find((r) => r.request_id === id);
      expect(row).to.deep.include({ outcome: 'client_disconnect' });
    } finally {
      await knex.destroy();
    }
  });

  it('an admin answer nobody reads: the connection is closed, and a log line says why', async () => {
    const gw = await startGateway(`server: { shutdown_grace_ms: 200, send_timeout_ms: ${SEND_TIMEOUT_MS} }
storage: { database: "sqlite::memory:" }
admin: { key: ${ADMIN_KEY} }
providers: { local: { type: loopback } }
chain:
  - use: ./big-admin.mjs
  - use: router
    with: { default: local }
`, { files: { 'big-admin.mjs': BIG_ADMIN } });
    try {
      const { socket, first } = await stalledRequest(Number(new URL(gw.url).port), `GET /admin/big HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${ADMIN_KEY}\r\n\r\n`);
      const count = () => new Promise<number>((resolve, reject) => gw.running.server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
      expect(first).to.match(/^HTTP\/1\.1 200/);
      expect(await count()).to.equal(1);
      await until('the gateway closes the connection', async () => await count() === 0, 10_000);
      expect(gw.logs.some((l) => l.includes('client stopped reading its answer'))).to.equal(true);
      socket.destroy();
    } finally {
      await gw.close();
    }
  });

  it('a slow reader of a JSON answer is not cut though the answer, one write, takes longer than the timeout to leave', async () => {
    const rig = await startLedgerGateway({ database: 'sqlite', upstreamUrl: mock.url, server: `  shutdown_grace_ms: 200\n  send_timeout_ms: ${SEND_TIMEOUT_MS}\n` });
    const port = Number(new URL(rig.gw.url).port);
    try {
      const { socket, id, first } = stalledClient(port, 'BIG', false);
      await id;
      let text = await first;
      let closed = false;
      // At most 2 MB a burst: a reader that took everything the kernels hold in one burst (~4 MB
      // here, more elsewhere) would finish before the timeout and prove nothing.
      const BURST = 2 * 1024 * 1024;
      let burst = 0;
      socket.on('data', (c: Buffer) => { text += c.toString('latin1'); burst += c.length; if (burst >= BURST) socket.pause(); });
      socket.on('close', () => { closed = true; });
      const started = Date.now();
      // Nothing for 600 ms, then reads for 20 ms (or 2 MB), until the whole body is in.
      const length = Number(/content-length: (\d+)/i.exec(text)![1]);
      const whole = () => text.length - text.indexOf('\r\n\r\n') - 4 >= length;
      while (!closed && !whole()) {
        await pause(600);
        burst = 0;
        socket.resume();
        await pause(20);
        socket.pause();
      }
      expect(whole(), 'the whole answer arrived').to.equal(true);
      // The answer's one write took longer than the timeout to leave: only progress within it kept the connection.
      expect(Date.now() - started).to.be.above(SEND_TIMEOUT_MS);
      expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).to.have.nested.property('choices[0].message.content').with.length(DELTA.length * FINITE_DELTAS);
      socket.destroy();
    } finally {
      await rig.gw.close();
    }
  });

  it('a slow reader that keeps reading is not cut: it gets the whole stream, pausing longer than half the timeout between reads', async () => {
    const rig = await startLedgerGateway({ database: 'sqlite', upstreamUrl: mock.url, server: `  shutdown_grace_ms: 200\n  send_timeout_ms: ${SEND_TIMEOUT_MS}\n` });
    const port = Number(new URL(rig.gw.url).port);
    try {
      const { socket, id, first } = stalledClient(port, 'FINITE', true);
      await id;
      await pause(600);
      let text = await first;
      let ended = false;
      socket.on('data', (c: Buffer) => { text += c.toString('latin1'); }); // still paused: read only while resumed below
      socket.on('close', () => { ended = true; });
      // Reads for 20 ms, then nothing for 600 ms (more than half the timeout), until the stream's end arrives.
      while (!ended && !text.includes('data: [DONE]')) {
        socket.resume();
        await pause(20);
        socket.pause();
        await pause(600);
      }
      expect(text).to.include('data: [DONE]');
      expect(text.split(DELTA).length - 1).to.equal(FINITE_DELTAS);
      socket.destroy();
    } finally {
      await rig.gw.close();
    }
  });
});
