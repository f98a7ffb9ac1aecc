// Selling: only buyer requests that were served (a provider answered) reach the marketplace as
// `supplied`. A buyer refused before being served — a 403 for a model outside the key's allow-list,
// a 429 from the capacity rule — was sold nothing, so nothing is reported (docs/marketplace.md).
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

describe('marketplace: only served buyer requests are reported as supplied', function () {
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

  it('403 and 429 refusals are in the ledger but not at the marketplace; served requests are, with their tokens', async () => {
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

    // Every request is in the ledger (so the outbox has seen all four: it is written right after).
    await until(async () => (await knex('ledger_requests').whereIn('request_id', ids)).length === 4, 5000, 'the four ledger rows');
    await until(() => fake.usage.has(ok1.id) && fake.usage.has(ok2.id), 5000, 'the served records at the fake');
    const outbox = (await knex('marketplace_outbox').select('id')) as { id: string }[];
    expect(outbox.map((r) => r.id).sort()).to.deep.equal([ok1.id, ok2.id].sort());
    expect([...fake.usage.keys()].sort()).to.deep.equal([ok1.id, ok2.id].sort());
    for (const id of [ok1.id, ok2.id]) {
      const r = fake.usage.get(id)!;
      expect(r).to.include({ direction: 'supplied', offer_id: 'sold', provider: 'local', model: 'local-model' });
      expect(r.input_tokens).to.be.greaterThan(0);
      expect(r.cost_usd).to.be.greaterThan(0);
    }
  });
});
