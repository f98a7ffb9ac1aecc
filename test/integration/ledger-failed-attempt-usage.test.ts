// A stream whose upstream fails after it began but before Sluice committed it to the client (an
// Anthropic message_start with its usage, then an overloaded error event) falls back to the next
// target. The provider had reported the prompt it processed; that report was dropped, so nothing in
// the row showed it. The row's tokens and cost stay the answer's (the served attempt is what the
// client got), and the failed attempt's report is kept in its fallback_detail entry, as evidence.
import { expect } from 'chai';
import path from 'node:path';
import { openDatabase } from '../../core/storage/database.js';
import { startGateway, tempDir } from '../helpers/gateway.js';
import { startMockUpstream } from '../helpers/mock-upstream.js';
import { ledgerRows } from '../plugins/ledger/rig.js';

const START = { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 50, cache_read_input_tokens: 20, cache_creation_input_tokens: 10, output_tokens: 1, service_tier: 'standard' } } };
const OVERLOADED = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };

describe('ledger: the usage a failed attempt reported before a fallback', function () {
  this.timeout(30_000);

  it('keeps it in fallback_detail; the row\'s tokens are the served answer\'s', async () => {
    const mock = await startMockUpstream();
    mock.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`event: message_start\ndata: ${JSON.stringify(START)}\n\nevent: error\ndata: ${JSON.stringify(OVERLOADED)}\n\n`);
    });
    const dir = tempDir('sluice-failed-attempt-');
    const database = `sqlite:${path.join(dir, 'ledger.db')}`;
    const gw = await startGateway(`server: { shutdown_grace_ms: 1000 }
storage: { database: "${database}" }
providers:
  anth: { type: anthropic, base_url: "${mock.url}", api_key: test-key }
  local: { type: loopback }
chain:
  - use: router
    with:
      routes:
        - { match: "claude*", provider: anth, fallbacks: [local] }
      default: local
  - use: translator
  - use: ledger
    with: { flush_interval_ms: 100 }
`, { dir });
    let id: string;
    try {
      const res = await fetch(`${gw.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] }) });
      expect(res.status).to.equal(200);
      await res.text();
      id = res.headers.get('x-request-id')!;
    } finally {
      await gw.close();
      await mock.close();
    }
    const knex = openDatabase(database, dir);
    try {
      const row = (await ledgerRows(knex)).find((r) => r.request_id === id)!;
      expect([row['provider'], row['outcome'], Number(row['fallbacks'])]).to.deep.equal(['local', 'success', 1]);
      const detail = JSON.parse(String(row['fallback_detail'])) as Record<string, unknown>[];
      expect(detail).to.have.length(1);
      expect(detail[0]).to.deep.include({ provider: 'anth', model: 'claude-sonnet-4-5' });
      expect(detail[0]!['usage']).to.deep.equal({ input_tokens: 50, output_tokens: 1, cache_read_tokens: 20, cache_write_tokens: 10, reasoning_tokens: 0, service_tier: 'standard' });
      // The served answer's usage, not the failed attempt's added in: loopback's own figures.
      expect(Number(row['cache_read_tokens'])).to.equal(0);
    } finally {
      await knex.destroy();
    }
  });
});
