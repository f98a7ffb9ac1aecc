// A client that leaves while Sluice still holds a stream's preamble (the upstream sent Anthropic's
// message_start, with its input and cache tokens, then thinks in silence): the row keeps the usage
// the provider already reported, as it does for a client that leaves after the first text.
import { expect } from 'chai';
import path from 'node:path';
import { openDatabase } from '../../core/storage/database.js';
import { startGateway, tempDir } from '../helpers/gateway.js';
import { startMockUpstream } from '../helpers/mock-upstream.js';
import { ledgerRows } from '../plugins/ledger/rig.js';
import { until } from '../plugins/ledger/client.js';

const START = { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 50, cache_read_input_tokens: 20, cache_creation_input_tokens: 10, output_tokens: 1 } } };

describe('ledger: a client gone while the stream preamble is held', function () {
  this.timeout(30_000);

  it('keeps the usage of message_start (partial), reaching the client in no protocol yet', async () => {
    const mock = await startMockUpstream();
    let closed = 0;
    mock.handle((_req, res, raw) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: message_start\ndata: ${JSON.stringify(START)}\n\nevent: ping\ndata: {"type":"ping"}\n\n`);
      raw.socket.on('close', () => { closed++; }); // silence until the gateway lets go
    });
    const dir = tempDir('sluice-held-');
    const database = `sqlite:${path.join(dir, 'ledger.db')}`;
    const gw = await startGateway(`server: { shutdown_grace_ms: 1000 }
storage: { database: "${database}" }
providers:
  anth: { type: anthropic, base_url: "${mock.url}", api_key: test-key }
chain:
  - use: router
    with: { default: anth }
  - use: translator
  - use: ledger
    with: { flush_interval_ms: 100 }
`, { dir });
    const ids: string[] = [];
    try {
      for (const [p, body] of [
        ['/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] }],
        ['/v1/chat/completions', { model: 'claude-sonnet-4-5', stream: true, messages: [{ role: 'user', content: 'hi' }] }],
      ] as const) {
        const abort = new AbortController();
        const id = `held-${ids.length}`;
        ids.push(id);
        const sent = fetch(`${gw.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': id }, body: JSON.stringify(body), signal: abort.signal });
        sent.catch(() => undefined);
        await until(() => mock.requests.length === ids.length);
        await new Promise((r) => setTimeout(r, 100)); // the preamble has reached the gateway, held
        abort.abort();
      }
      await until(() => closed === ids.length);
    } finally {
      await gw.close();
      await mock.close();
    }
    const knex = openDatabase(database, dir);
    try {
      const rows = await ledgerRows(knex);
      expect(rows.map((r) => r.request_id).sort()).to.deep.equal(ids);
      for (const row of rows) {
        expect(row, row.request_id).to.include({ outcome: 'client_disconnect', status: 499, usage_source: 'partial', input_tokens: 50, cache_read_tokens: 20, cache_write_tokens: 10 });
        expect(row['cost_total'], `${row.request_id}: priced`).to.be.a('number').above(0);
      }
    } finally {
      await knex.destroy();
    }
  });
});
