// Selling: the gateway publishes its offer at start (and again every pull interval), buyers call it
// with a key of kind marketplace, their requests are recorded as `supplied` in the ledger and
// reported so to the marketplace at the offer's price; other requests are not reported; the offer
// is withdrawn on shutdown; `sluice marketplace status` shows it all.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import OpenAI from 'openai';
import { openDatabase } from '../../core/storage/database.js';
import { startFakeMarketplace, type FakeMarketplace } from '../helpers/fake-marketplace.js';
import { startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';
import { until } from '../plugins/marketplace/rig.js';
import { cli, cliKey, sluice, type CreatedKey } from './auth-helpers.js';

const PRICE = { input: 2, output: 8 };

function yaml(fake: FakeMarketplace, buyerKey: string): string {
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
    with: { flush_interval_ms: 100 }
  # The offer's capacity, enforced over every buyer together (docs/marketplace.md, "Capacity").
  - use: ratelimit
    with: { rules: [{ scope: key_kind, match: marketplace, rpm: 3 }] }
  - use: marketplace
    with:
      url: "${fake.url}"
      api_key: "${fake.apiKey}"
      gateway_id: gw-seller
      push_interval: 200ms
      pull_interval: 300ms
      sell:
        enabled: true
        offer:
          id: seller-offer-1
          models: ["local-*"]
          price: { input: ${PRICE.input}, output: ${PRICE.output} }
          capacity: { rpm: 3, tpm: 50000 }
          base_url: "https://sluice.example.com/v1"
          ${buyerKey ? `api_key: "${buyerKey}"` : ''}
`;
}

describe('marketplace: selling spare capacity', function () {
  this.timeout(40_000);
  let fake: FakeMarketplace;
  let gw: TestGateway;
  let knex: Knex;
  let dir: string;
  let buyer: CreatedKey;
  let alice: CreatedKey;

  before(async () => {
    fake = await startFakeMarketplace();
    dir = tempDir('sluice-market-sell-');
    const config = path.join(dir, 'sluice.yaml');
    writeFileSync(config, yaml(fake, ''));
    await cli(config, 'user', 'add', 'buyers');
    await cli(config, 'user', 'add', 'alice');
    buyer = await cliKey(config, '--user', 'buyers', '--kind', 'marketplace', '--name', 'marketplace-buyers');
    alice = await cliKey(config, '--user', 'alice');
    expect(fake.calls).to.deep.equal([]); // the CLI never starts the sync
    gw = await startGateway(yaml(fake, buyer.key), { dir });
    knex = openDatabase('sqlite:./sluice.db', dir);
  });
  after(async () => {
    if (gw) await gw.close().catch(() => {});
    await knex?.destroy();
    await fake.close();
  });

  it('publishes its offer at start, and again every pull interval', async () => {
    await until(() => fake.published.has('seller-offer-1'), 5000, 'the offer to be published');
    expect(fake.published.get('seller-offer-1')).to.deep.equal({
      id: 'seller-offer-1', seller: 'gw-seller', models: ['local-*'], protocol: 'openai', base_url: 'https://sluice.example.com/v1',
      price: PRICE, capacity: { rpm: 3, tpm: 50000 }, api_key: buyer.key,
    });
    await until(() => fake.calls.filter((c) => c.method === 'PUT').length >= 2, 5000, 'a re-publish');
  });

  it('a buyer\'s request (marketplace key) is supplied: in the ledger, and at the marketplace at the offer\'s price', async () => {
    const asBuyer = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: buyer.key, maxRetries: 0 });
    const asAlice = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: alice.key, maxRetries: 0 });
    const own = await asAlice.chat.completions.create({ model: 'local-model', messages: [{ role: 'user', content: 'mine' }] }).withResponse();
    const sold = await asBuyer.chat.completions.create({ model: 'local-model', messages: [{ role: 'user', content: 'bought tokens' }] }).withResponse();
    const ownId = own.response.headers.get('x-request-id')!;
    const soldId = sold.response.headers.get('x-request-id')!;

    await until(async () => (await knex('ledger_requests').whereIn('request_id', [ownId, soldId])).length === 2, 5000, 'the ledger rows');
    const rows = new Map(((await knex('ledger_requests').whereIn('request_id', [ownId, soldId])) as Record<string, unknown>[]).map((r) => [r['request_id'], r]));
    expect(rows.get(soldId)).to.include({ direction: 'supplied', offer_id: null, user_id: 'buyers' });
    expect(rows.get(ownId)).to.include({ direction: null, offer_id: null, user_id: 'alice' });

    await until(() => fake.usage.has(soldId), 5000, 'the supplied record at the fake');
    const rec = fake.usage.get(soldId)!;
    const usage = sold.data.usage!;
    expect(rec).to.deep.include({ direction: 'supplied', offer_id: 'seller-offer-1', provider: 'local', model: 'local-model', input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens });
    expect(rec.cost_usd).to.be.closeTo((usage.prompt_tokens * PRICE.input + usage.completion_tokens * PRICE.output) / 1e6, 1e-12);
    expect(fake.usage.has(ownId)).to.equal(false);
  });

  it('buyers together stay within the offer\'s capacity (ratelimit, scope key_kind); the seller\'s own keys do not count', async () => {
    const asBuyer = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: buyer.key, maxRetries: 0 });
    const asAlice = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: alice.key, maxRetries: 0 });
    const statuses: number[] = [];
    const refused: string[] = [];
    for (let i = 0; i < 5; i++) {
      try {
        await asBuyer.chat.completions.create({ model: 'local-model', messages: [{ role: 'user', content: `buy ${i}` }] });
        statuses.push(200);
      } catch (err) {
        expect(err).to.be.instanceOf(OpenAI.RateLimitError);
        statuses.push((err as { status: number }).status);
        refused.push((err as InstanceType<typeof OpenAI.APIError>).headers?.get('x-request-id') ?? '');
      }
    }
    // rpm 3 over the minute, the earlier test's buyer request included: at most 3 admitted in all.
    expect(statuses.filter((s) => s === 200).length).to.be.within(1, 3);
    expect(statuses.slice(-2)).to.deep.equal([429, 429]);
    for (let i = 0; i < 4; i++) await asAlice.chat.completions.create({ model: 'local-model', messages: [{ role: 'user', content: `own ${i}` }] });
    // A refused buyer request still involved the marketplace (issue 15: every such ledger row is
    // reported): supplied, with no tokens, so the marketplace's count matches the seller's ledger.
    expect(refused.every((id) => id.length > 0)).to.equal(true);
    await until(() => refused.every((id) => fake.usage.has(id)), 5000, 'the refused requests\' records at the fake');
    for (const id of refused) expect(fake.usage.get(id)).to.include({ direction: 'supplied', offer_id: 'seller-offer-1', input_tokens: 0, output_tokens: 0 });
  });

  it('`sluice marketplace status` shows the last push and publish; shutdown withdraws the offer', async () => {
    await until(() => fake.calls.some((c) => c.method === 'POST' && c.status === 200), 5000, 'a push');
    await gw.close();
    expect(fake.withdrawn).to.deep.equal(['seller-offer-1']);
    expect(fake.published.has('seller-offer-1')).to.equal(false);
    const r = await sluice(['marketplace', 'status', '--json', '--config', path.join(dir, 'sluice.yaml')]);
    expect(r.code, r.stderr).to.equal(0);
    const report = JSON.parse(r.stdout) as Record<string, { ok: boolean; result: string; detail: string } | null> & { outbox: { unsent: number }; offers_in_use: unknown[] };
    expect(report['push']).to.include({ ok: true, result: 'accepted' });
    expect(report['publish']).to.include({ ok: true, result: 'withdrawn', detail: 'seller-offer-1' });
    expect(report['pull']).to.equal(null); // buying is off
    expect(report.outbox.unsent).to.equal(0);
    expect(report.offers_in_use).to.deep.equal([]);
    const help = await sluice(['marketplace', '--help']);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.include('Usage: sluice marketplace status');
  });
});
