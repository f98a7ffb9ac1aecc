// A client that hangs up while waiting for a JSON answer the provider is still working on: the
// provider has the prompt and bills it, so the row is `estimated` with the prompt's estimate as
// input (and nothing of the answer), priced — not `none` with 0 tokens, which would let a client
// with a short timeout spend without a trace. A request refused before any call stays `none`.
import { expect } from 'chai';
import path from 'node:path';
import { openDatabase } from '../../core/storage/database.js';
import { startGateway, tempDir } from '../helpers/gateway.js';
import { startMockUpstream } from '../helpers/mock-upstream.js';
import { ledgerRows } from '../plugins/ledger/rig.js';
import { until } from '../plugins/ledger/client.js';

describe('ledger: a call its client abandoned before any answer', function () {
  this.timeout(30_000);

  it('is estimated from its prompt (input only) and priced; a request never sent upstream is none', async () => {
    const mock = await startMockUpstream();
    mock.handle(async (_req, res) => {
      await new Promise((r) => setTimeout(r, 1500));
      if (!res.destroyed) res.end('{}');
    });
    const dir = tempDir('sluice-abandoned-');
    const database = `sqlite:${path.join(dir, 'ledger.db')}`;
    const gw = await startGateway(`server: { shutdown_grace_ms: 1000 }
storage: { database: "${database}" }
providers:
  up: { type: openai, base_url: "${mock.url}", api_key: test-key }
chain:
  - use: router
    with: { default: up }
  - use: ledger
    with: { flush_interval_ms: 100 }
`, { dir });
    const content = 'a question the provider takes its time over';
    try {
      const abort = new AbortController();
      const sent = fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'abandoned-1' }, signal: abort.signal,
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }),
      });
      sent.catch(() => undefined);
      await until(() => mock.requests.length === 1);
      abort.abort();
      // Bad JSON: refused before the chain, never sent upstream.
      const bad = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'refused-1' }, body: '{"model":' });
      await bad.text();
    } finally {
      await gw.close();
      await mock.close();
    }
    const knex = openDatabase(database, dir);
    try {
      const rows = await ledgerRows(knex);
      const abandoned = rows.find((r) => r.request_id === 'abandoned-1')!;
      // The tokenizer's count of the prompt (gpt-4o-mini: o200k) with its turn framing: 8 + 4 + 3.
      expect(abandoned).to.include({ outcome: 'client_disconnect', usage_source: 'estimated', input_tokens: 15, output_tokens: 0 });
      expect(abandoned['cost_total'], 'priced').to.be.a('number').above(0);
      expect(rows.find((r) => r.request_id === 'refused-1')).to.include({ usage_source: 'none', input_tokens: 0 });
    } finally {
      await knex.destroy();
    }
  });
});
