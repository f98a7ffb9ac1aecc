// A Responses WebSocket client that stops reading (server.send_timeout_ms): a socket whose queue
// does not go down for that long is dropped, the turn's upstream call aborted and its row a client
// disconnect that says why — though the client keeps sending (pongs: what it sends is not what it
// reads). Past websocket_lifetime_ms such a socket is closed too. The client is a raw socket doing
// the handshake and framing by hand, so it can stop reading for real (paused).
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { expect } from 'chai';
import { startMockUpstream, writeWaiting, type MockUpstream } from '../helpers/mock-upstream.js';
import { ledgerRows, startLedgerGateway, type LedgerRig } from '../plugins/ledger/rig.js';
import { pause, until } from '../helpers/until.js';

const SEND_TIMEOUT_MS = 1000;
const DELTA = 'x'.repeat(32 * 1024);



const event = (data: Record<string, unknown>) => `event: ${String(data['type'])}\ndata: ${JSON.stringify(data)}\n\n`;

/** A Responses stream of 32 KB text deltas that never ends (until the gateway hangs up). */
async function endlessResponses(): Promise<MockUpstream> {
  const mock = await startMockUpstream();
  mock.handle(async (req, res) => {
    const model = String((req.body as { model?: string }).model);
    const response = { id: 'resp_1', object: 'response', created_at: 1, status: 'in_progress', model, output: [] };
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let seq = 0;
    await writeWaiting(res, event({ type: 'response.created', sequence_number: seq++, response }));
    await writeWaiting(res, event({ type: 'response.output_item.added', sequence_number: seq++, output_index: 0, item: { id: 'msg_1', type: 'message', status: 'in_progress', role: 'assistant', content: [] } }));
    await writeWaiting(res, event({ type: 'response.content_part.added', sequence_number: seq++, item_id: 'msg_1', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }));
    while (await writeWaiting(res, event({ type: 'response.output_text.delta', sequence_number: seq++, item_id: 'msg_1', output_index: 0, content_index: 0, delta: DELTA }))) { /* until closed */ }
  });
  return mock;
}

/** A client frame (masked, as RFC 6455 requires of clients): text (0x1) or pong (0xA). */
function frame(opcode: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  let head: Buffer;
  if (payload.length < 126) head = Buffer.from([0x80 | opcode, 0x80 | payload.length]);
  else { head = Buffer.from([0x80 | opcode, 0x80 | 126, 0, 0]); head.writeUInt16BE(payload.length, 2); }
  for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
  return Buffer.concat([head, mask, payload]);
}

/**
 * Opens the Responses socket, sends one response.create, and stops reading once the first bytes
 * of the answer arrive; sends a pong every 100 ms until closed. `closed` is set once the socket
 * is seen closed (only when the test reads again).
 */
/** Open Responses sockets, as /metrics says. */
async function openSockets(rig: LedgerRig): Promise<number> {
  const m = /^sluice_websocket_connections (\d+)$/m.exec(await rig.gw.gateway.metrics.render());
  return Number(m?.[1]);
}

async function stalledSocket(port: number, model: string): Promise<{ socket: net.Socket; closed: () => boolean }> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => { /* reset by the gateway: expected */ });
  let closed = false;
  socket.on('close', () => { closed = true; });
  socket.write(`GET /v1/responses HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: ${randomBytes(16).toString('base64')}\r\n\r\n`);
  const head = await new Promise<string>((resolve) => socket.once('data', (b: Buffer) => resolve(b.toString('latin1'))));
  expect(head).to.match(/^HTTP\/1\.1 101/);
  socket.write(frame(0x1, JSON.stringify({ type: 'response.create', model, input: 'go on for ever' })));
  await new Promise<void>((resolve) => socket.once('data', () => { socket.pause(); resolve(); }));
  const pong = setInterval(() => { if (!socket.destroyed) socket.write(frame(0xA, '')); }, 100);
  socket.once('close', () => clearInterval(pong));
  return { socket, closed: () => closed };
}

describe('Responses API over WebSocket: a client that stops reading', function () {
  this.timeout(60_000);
  let mock: MockUpstream;
  before(async () => { mock = await endlessResponses(); });
  after(async () => { await mock.close(); });

  const gateway = (server: string) => startLedgerGateway({ database: 'sqlite', upstreamUrl: mock.url, server: `  shutdown_grace_ms: 200\n  body_limit: 64kb\n${server}` });

  async function rowOf(rig: LedgerRig, method: string) {
    const knex = rig.open();
    try {
      return (await ledgerRows(knex)).filter((r) => r['method'] === method);
    } finally {
      await knex.destroy();
    }
  }

  it('a socket whose queue does not go down for send_timeout_ms is dropped, though the client sends pongs; the upstream is aborted, others are served, the row says why', async () => {
    const rig = await gateway(`  send_timeout_ms: ${SEND_TIMEOUT_MS}\n`);
    const aborted = mock.aborted;
    try {
      const client = await stalledSocket(Number(new URL(rig.gw.url).port), 'gpt-4o-mini');
      const other = await fetch(`${rig.gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'local-model', messages: [{ role: 'user', content: 'hi' }] }) });
      expect(other.status).to.equal(200);
      await other.text();
      await until('the upstream call is aborted', () => mock.aborted > aborted, 20_000);
      await until('the socket is dropped', async () => await openSockets(rig) === 0, 5000);
      client.socket.resume(); // reads what reached it, then finds the connection closed
      await until('the client sees the socket closed', client.closed, 10_000);
    } finally {
      await rig.gw.close();
    }
    const rows = await rowOf(rig, 'WS');
    expect(rows).to.have.length(1);
    expect(rows[0]).to.deep.include({ outcome: 'client_disconnect', error_code: 'SLUICE_E_CLIENT_CLOSED', provider: 'mock' });
    expect(rig.gw.logs.some((l) => l.includes('client stopped reading') && l.includes(rows[0]!.request_id))).to.equal(true);
  });

  it('past websocket_lifetime_ms a socket that is not read is closed', async () => {
    const rig = await gateway(`  send_timeout_ms: ${SEND_TIMEOUT_MS}\n  websocket_lifetime_ms: 500\n`);
    try {
      const client = await stalledSocket(Number(new URL(rig.gw.url).port), 'local-model');
      // The loopback answer fits in the kernel's buffers: no turn waits on the client, the lifetime's close frame does.
      await until('the socket is closed', async () => await openSockets(rig) === 0, 10_000);
      client.socket.resume();
      await until('the client sees the socket closed', client.closed, 10_000);
    } finally {
      await rig.gw.close();
    }
    const rows = await rowOf(rig, 'WS');
    expect(rows.map((r) => r['outcome'])).to.deep.equal(['success']);
  });
});
