// Buying: offers pulled from the fake marketplace become providers (filtered by max_price and
// models); a request reaches the offer's endpoint (a mock upstream) with the offer's credential, the
// ledger prices it at the offer's price and marks it consumed with the offer id, and the marketplace
// gets the same record; overflow on a local 429 goes to the offer; a withdrawn offer stops being
// used at the next pull, an expired one at its expiry. SQLite, and PostgreSQL when SLUICE_TEST_PG is set.
import { expect } from 'chai';
import path from 'node:path';
import type { Knex } from 'knex';
import OpenAI from 'openai';
import { openDatabase } from '../../core/storage/database.js';
import { startFakeMarketplace, type FakeMarketplace, type FakeOffer } from '../helpers/fake-marketplace.js';
import { startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { PG, pgSchema, until } from '../plugins/marketplace/rig.js';

const CHEAP = { input: 100, output: 200, cached_read: 10 };

function offers(upstream: MockUpstream): FakeOffer[] {
  return [
    { id: 'o-cheap', seller: 'gw-seller', models: ['gpt-4o*', 'offer-model'], protocol: 'openai', base_url: upstream.url, api_key: 'seller-key-1', price: CHEAP, capacity: { rpm: 60 } },
    { id: 'o-dear', seller: 'gw-other', models: ['gpt-4o*'], protocol: 'openai', base_url: upstream.url, api_key: 'seller-key-2', price: { input: 1000, output: 200 } },
    { id: 'o-claude', seller: 'gw-other', models: ['claude*'], protocol: 'anthropic', base_url: upstream.url, api_key: 'seller-key-3', price: { input: 1, output: 1 } },
    { id: 'o-own', seller: 'gw-buyer', models: ['gpt-4o*'], protocol: 'openai', base_url: upstream.url, api_key: 'mine', price: { input: 1, output: 1 } },
  ];
}

function yaml(o: { database: string; fake: FakeMarketplace; busy: MockUpstream; pull: string }): string {
  return `server:
  shutdown_grace_ms: 200
storage:
  database: "${o.database}"
logging: { level: debug }
providers:
  local: { type: loopback }
  busy: { type: openai, base_url: "${o.busy.url}", api_key: busy-key }
chain:
  - use: router
    with:
      routes:
        - { match: "offer-model", provider: "offer:*" }
        - { match: "gpt-4o*", provider: busy, fallbacks: ["offer:*"] }
      default: local
  - use: ledger
    with: { flush_interval_ms: 100, count: { enabled: false } }
  - use: marketplace
    with:
      url: "${o.fake.url}"
      api_key: "${o.fake.apiKey}"
      gateway_id: gw-buyer
      push_interval: 200ms
      pull_interval: ${o.pull}
      retry: { initial: 100ms, max: 500ms }
      buy:
        enabled: true
        offer_hosts: { allow_http: true, allow: ["127.0.0.1"] }
        max_price: { input: 500, output: 500 }
        models: ["gpt-4o*", "offer-model"]
`;
}

type Row = Record<string, unknown>;

function suite(name: string, makeDatabase: (dir: string) => Promise<{ url: string; drop(): Promise<void> }>): void {
  describe(`marketplace: buying from offers (${name})`, function () {
    this.timeout(30_000);
    let fake: FakeMarketplace;
    let offerUp: MockUpstream;
    let busy: MockUpstream;
    let gw: TestGateway;
    let knex: Knex;
    let drop: () => Promise<void>;
    let client: OpenAI;

    const ask = async (model: string) => {
      const { data, response } = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hello' }] }).withResponse();
      return { data, id: response.headers.get('x-request-id')! };
    };
    const row = async (id: string): Promise<Row> => {
      await until(async () => (await knex('ledger_requests').where({ request_id: id })).length === 1, 5000, `the ledger row of ${id}`);
      return (await knex('ledger_requests').where({ request_id: id }).first()) as Row;
    };

    before(async () => {
      fake = await startFakeMarketplace();
      offerUp = await startMockUpstream();
      busy = await startMockUpstream();
      busy.handle((_req, res) => { res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' }).end(JSON.stringify({ error: { message: 'slow down', type: 'rate_limit_error' } })); });
      fake.offers = offers(offerUp);
      const dir = tempDir('sluice-market-buy-');
      const db = await makeDatabase(dir);
      drop = db.drop;
      gw = await startGateway(yaml({ database: db.url, fake, busy, pull: '200ms' }), { dir });
      knex = openDatabase(db.url, dir);
      client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0 });
      await until(() => gw.gateway.providers.names().some((n) => n.startsWith('offer:')), 5000, 'the first pull');
    });
    after(async () => {
      await gw.close();
      await knex.destroy();
      await drop();
      await Promise.all([fake.close(), offerUp.close(), busy.close()]);
    });

    it('uses only offers within max_price and buy.models, never its own', () => {
      expect(gw.gateway.providers.names().filter((n) => n.startsWith('offer:'))).to.deep.equal(['offer:o-cheap']);
      const p = gw.gateway.providers.get('offer:o-cheap')!;
      expect(p.offer).to.deep.equal({ id: 'o-cheap', seller: 'gw-seller' });
      expect(p.prices).to.include({ input: 100, output: 200, cached_read: 10 });
    });

    it('a request reaches the offer\'s endpoint, priced at the offer\'s price, consumed with the offer id, and reported', async () => {
      const local = await ask('local-model'); // not a marketplace request: not reported by default
      const before = offerUp.requests.length;
      const { data, id } = await ask('offer-model');
      expect(data.choices[0]!.message.content).to.equal('Hello world');
      expect(offerUp.requests.length).to.equal(before + 1);
      const seen = offerUp.requests.at(-1)!;
      expect(seen.url).to.equal('/v1/chat/completions');
      expect(seen.headers['authorization']).to.equal('Bearer seller-key-1');
      expect(seen.body!['model']).to.equal('offer-model');

      const r = await row(id);
      expect(r).to.include({ provider: 'offer:o-cheap', direction: 'consumed', offer_id: 'o-cheap' });
      const tokens = { input: Number(r['input_tokens']), cached: Number(r['cache_read_tokens']), output: Number(r['output_tokens']) };
      expect(tokens).to.deep.equal({ input: 8, cached: 4, output: 5 });
      const offerPrice = (8 * CHEAP.input + 4 * CHEAP.cached_read + 5 * CHEAP.output) / 1e6;
      expect(Number(r['cost_total'])).to.be.closeTo(offerPrice, 1e-12);
      expect((await row(local.id))['direction']).to.equal(null);

      await until(() => fake.usage.has(id), 5000, 'the usage record at the fake');
      expect(fake.usage.get(id)).to.deep.include({
        direction: 'consumed', offer_id: 'o-cheap', provider: 'offer:o-cheap', model: 'offer-model',
        input_tokens: 8, output_tokens: 5, cached_read_tokens: 4, cache_write_tokens: 0, reasoning_tokens: 0,
      });
      expect(fake.usage.get(id)!.cost_usd).to.be.closeTo(offerPrice, 1e-12);
      // The local request went into the outbox before it, if at all: it was not reported.
      expect(fake.usage.has(local.id)).to.equal(false);
    });

    it('overflow: the local provider answers 429, the offer takes the request', async () => {
      const busyBefore = busy.requests.length;
      const { data, id } = await ask('gpt-4o-mini');
      expect(data.choices[0]!.message.content).to.equal('Hello world');
      expect(busy.requests.length).to.equal(busyBefore + 1);
      const r = await row(id);
      expect(r).to.include({ provider: 'offer:o-cheap', direction: 'consumed', offer_id: 'o-cheap', fallbacks: 1 });
      const [failed, ...more] = JSON.parse(String(r['fallback_detail'])) as Record<string, unknown>[];
      expect(more).to.deep.equal([]);
      expect(failed).to.deep.include({ provider: 'busy', model: 'gpt-4o-mini', code: 'SLUICE_E_UPSTREAM_ERROR', status: 429 }).and.to.have.keys('provider', 'model', 'code', 'status', 'ms');
      await until(() => fake.usage.get(id)?.direction === 'consumed', 5000, 'the overflow record at the fake');
    });

    it('a withdrawn offer stops being used at the next pull', async () => {
      const pullsBefore = fake.calls.filter((c) => c.path === '/v1/offers').length;
      fake.offers = fake.offers.filter((o) => o.id !== 'o-cheap');
      await until(() => !gw.gateway.providers.names().includes('offer:o-cheap'), 5000, 'the offer to go');
      expect(fake.calls.filter((c) => c.path === '/v1/offers').length).to.be.greaterThan(pullsBefore);
      const before = offerUp.requests.length;
      const gone = await ask('offer-model').then(() => undefined, (e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
      expect(gone?.status).to.equal(503);
      const overflow = await ask('gpt-4o-mini').then(() => undefined, (e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
      expect(overflow?.status).to.equal(429);
      expect(offerUp.requests.length).to.equal(before);
    });

    it('unchanged catalogues are answered 304 (If-None-Match) and change nothing', async () => {
      await until(() => fake.calls.some((c) => c.path === '/v1/offers' && c.status === 304), 5000, 'a 304');
    });
  });
}

suite('SQLite', async (dir) => ({ url: `sqlite:${path.join(dir, 'sluice.db')}`, drop: async () => {} }));
if (PG) suite('PostgreSQL', () => pgSchema(PG!));
else describe('marketplace: buying from offers (PostgreSQL)', () => { it('needs SLUICE_TEST_PG'); });

describe('marketplace: an offer past its expires_at', function () {
  this.timeout(20_000);
  it('is removed by its own timer, without waiting for a pull', async () => {
    const fake = await startFakeMarketplace();
    const up = await startMockUpstream();
    const busy = await startMockUpstream();
    fake.offers = [{ id: 'o-brief', models: ['offer-model'], protocol: 'openai', base_url: up.url, api_key: 'k', price: CHEAP, expires_at: new Date(Date.now() + 2500).toISOString() }];
    const dir = tempDir('sluice-market-expiry-');
    const gw = await startGateway(yaml({ database: `sqlite:${path.join(dir, 'x.db')}`, fake, busy, pull: '1h' }), { dir });
    try {
      await until(() => gw.gateway.providers.names().includes('offer:o-brief'), 5000, 'the offer');
      const pulls = fake.calls.filter((c) => c.path === '/v1/offers').length;
      await until(() => !gw.gateway.providers.names().includes('offer:o-brief'), 6000, 'the offer to expire');
      expect(fake.calls.filter((c) => c.path === '/v1/offers').length).to.equal(pulls);
    } finally {
      await gw.close();
      await Promise.all([fake.close(), up.close(), busy.close()]);
    }
  });
});
