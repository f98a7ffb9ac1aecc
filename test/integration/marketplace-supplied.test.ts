// Selling: every request a marketplace buyer makes is a ledger row that involved the marketplace,
// so every one is reported as `supplied` (issue 15) — a 403 for a model outside the key's
// allow-list or a 429 from the capacity rule with no tokens and cost 0 — and the marketplace's count
// of a buyer's requests matches the seller's ledger (docs/marketplace.md).
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import OpenAI from 'openai';
import { openDatabase } from '../../core/storage/database.js';
import { startFakeMarketplace, type FakeMarketplace } from '../helpers/fake-marketplace.js';
import { startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';
import { until } from '../plugins/marketplace/rig.js';
import { cli, cliKey } from './auth-helpers.js';

function yaml(fake: FakeMarketplace): string {
  return `server:
  shutdown_grace_ms: 200
storage:
  database: "sqlite:./sluice.db"
logging: { level: debug }
providers:
  local: { type: loopback }
chain:
  - use: auth
    with: { mode: api_key }
  - use: router
    with: { default: local }
  - use: ledger
    with: { flush_interval_ms: 50 }
  - use: ratelimit
    with: { rules: [{ scope: key_kind, match: marketplace, rpm: 2 }] }
  - use: marketplace
    with:
      url: "${fake.url}"
      api_key: "${fake.apiKey}"
      gateway_id: gw-seller
      push_interval: 100ms
      pull_interval: 1h
      sell:
        enabled: true
        offer: { id: sold, models: ["local-*"], price: { input: 2, output: 8 }, base_url: "https://sluice.example.com/v1" }
`;
}

describe('marketplace: every buyer request is reported as supplied', function () {
  this.timeout(30_000);
  let fake: FakeMarketplace;
  let gw: TestGateway;
  let knex: Knex;
  let buyerKey: string;

  before(async () => {
    fake = await startFakeMarketplace();
    const dir = tempDir('sluice-market-supplied-');
    const config = path.join(dir, 'sluice.yaml');
    writeFileSync(config, yaml(fake));
    await cli(config, 'user', 'add', 'buyers');
    const buyer = await cliKey(config, '--user', 'buyers', '--kind', 'marketplace', '--models', 'local-*');
    gw = await startGateway(yaml(fake), { dir });
    knex = openDatabase('sqlite:./sluice.db', dir);
    buyerKey = buyer.key;
  });
  after(async () => {
    await gw?.close().catch(() => {});
    await knex?.destroy();
    await fake.close();
  });

  it('every buyer request is reported as supplied — refused ones (403, 429) with no tokens, served ones with theirs', async () => {
    const asBuyer = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: buyerKey, maxRetries: 0 });
    const ask = (model: string) => asBuyer.chat.completions.create({ model, messages: [{ role: 'user', content: 'buy' }] }).withResponse()
      .then(({ response }) => ({ status: 200, id: response.headers.get('x-request-id')! }),
        (e: unknown) => { const err = e as InstanceType<typeof OpenAI.APIError>; return { status: err.status, id: err.headers?.get('x-request-id') ?? '' }; });
    const forbidden = await ask('other-model');
    const ok1 = await ask('local-model');
    const ok2 = await ask('local-model');
    const limited = await ask('local-model');
    expect([forbidden.status, ok1.status, ok2.status, limited.status]).to.deep.equal([403, 200, 200, 429]);
    const ids = [forbidden.id, ok1.id, ok2.id, limited.id];
    expect(ids.every((id) => id.length > 0)).to.equal(true);

    // The marketplace's count of this buyer's requests matches the seller's ledger: four and four.
    await until(async () => (await knex('ledger_requests').whereIn('request_id', ids)).length === 4, 5000, 'the four ledger rows');
    await until(() => ids.every((id) => fake.usage.has(id)), 5000, 'the four records at the fake');
    expect([...fake.usage.keys()].sort()).to.deep.equal([...ids].sort());
    for (const id of [ok1.id, ok2.id]) {
      const r = fake.usage.get(id)!;
      expect(r).to.include({ direction: 'supplied', offer_id: 'sold', provider: 'local', model: 'local-model' });
      expect(r.input_tokens).to.be.greaterThan(0);
      expect(r.cost_usd).to.be.greaterThan(0);
    }
    for (const id of [forbidden.id, limited.id]) {
      const r = fake.usage.get(id)!;
      expect(r).to.include({ direction: 'supplied', offer_id: 'sold', input_tokens: 0, output_tokens: 0 });
    }
  });
});
