// A reload (SIGHUP) that changes `pricing:` prices the requests after it at the new prices, in the
// ledger and in the budgets alike: an operator correcting a price must not have the gateway say
// "config reloaded" and keep billing at the old one until a restart.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../../core/storage/database.js';
import { startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { ledgerRows } from '../plugins/ledger/rig.js';

function yaml(upstream: string, database: string, inputPrice: number): string {
  return `server: { shutdown_grace_ms: 200 }
storage: { database: "${database}" }
logging: { level: warn }
providers:
  up: { type: openai, base_url: "${upstream}", api_key: k }
pricing:
  house-model: { input: ${inputPrice}, output: 1 }
chain:
  - use: router
    with: { default: up }
  - use: ledger
    with: { flush_interval_ms: 50, spill_dir: ./spill }
  - use: ratelimit
    with: { rules: [{ scope: global, budget_daily_usd: 1 }] }
`;
}

describe('pricing: reload', function () {
  this.timeout(20_000);
  let up: MockUpstream;
  let gw: TestGateway;
  let database: string;

  const ask = async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'house-model', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    });
    await res.text();
    expect(res.status).to.equal(200);
    return res.headers.get('x-ratelimit-remaining-budget-usd');
  };

  before(async () => {
    up = await startMockUpstream();
    const dir = tempDir('sluice-pricing-reload-');
    database = `sqlite:${path.join(dir, 'ledger.db')}`;
    gw = await startGateway(yaml(up.url, database, 1), { dir });
  });
  after(async () => { await gw.close(); await up.close(); });

  it('prices requests after the reload at the new prices, in the ledger and the budget', async () => {
    const knex = openDatabase(database, gw.dir);
    const rowsWritten = async (n: number) => {
      let rows: Awaited<ReturnType<typeof ledgerRows>> = [];
      for (const until = Date.now() + 5000; rows.length < n && Date.now() < until;) {
        await new Promise((r) => setTimeout(r, 50));
        rows = await ledgerRows(knex);
      }
      return rows;
    };
    await ask();
    // Rows are priced when the writer builds them (within flush_interval_ms): let the first one land.
    expect(await rowsWritten(1)).to.have.length(1);
    writeFileSync(path.join(gw.dir, 'sluice.yaml'), yaml(up.url, database, 50_000));
    await gw.gateway.reload();
    expect(gw.logs.some((l) => /"msg":"config reloaded"/.test(l) && /"pricing_changed":true/.test(l))).to.equal(true);
    // The budget's reservation already reads the new price: a few prompt tokens at $0.05 each.
    expect(Number(await ask())).to.be.below(0.9);

    try {
      const rows = await rowsWritten(2);
      expect(rows).to.have.length(2);
      // The mock reports 12 prompt tokens (4 of them cached) and 5 completion tokens.
      expect(rows[0]!['cost_input']).to.be.closeTo(8 * 1 / 1e6, 1e-12);
      expect(rows[1]!['cost_input']).to.be.closeTo(8 * 50_000 / 1e6, 1e-9);
    } finally {
      await knex.destroy();
    }
  });
});
