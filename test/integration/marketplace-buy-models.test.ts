// `buy.models` bounds what leaves for an offer, not only which offers are bought: an offer selling
// `*` is bought under `buy.models: ["gpt-4o*"]` (it overlaps), but only gpt-4o models ever reach
// its endpoint — as overflow, as a glob target, or named outright by a route written after it
// appeared. Other models fall back or fail as for a provider that does not serve them.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { startFakeMarketplace, type FakeMarketplace } from '../helpers/fake-marketplace.js';
import { startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { until } from '../plugins/marketplace/rig.js';

function yaml(o: { fake: FakeMarketplace; busy: MockUpstream; buyModels: string; namedRoute: boolean }): string {
  return `server:
  shutdown_grace_ms: 200
storage:
  database: "sqlite:./sluice.db"
logging: { level: debug }
providers:
  local: { type: loopback }
  busy: { type: openai, base_url: "${o.busy.url}", api_key: busy-key }
chain:
  - use: router
    with:
      routes:
${o.namedRoute ? '        - { match: "mistral-*", provider: "offer:o-star", fallbacks: [local] }\n' : ''}        - { match: "llama-*", provider: busy, fallbacks: ["offer:*"] }
        - { match: "claude-*", provider: "offer:*" }
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
      pull_interval: 1h
      buy:
        enabled: true
        models: ${o.buyModels}
        offer_hosts: { allow_http: true, allow: ["127.0.0.1"] }
`;
}

describe('marketplace: buy.models bounds the models sent to an offer', function () {
  this.timeout(30_000);
  let fake: FakeMarketplace;
  let offerUp: MockUpstream;
  let busy: MockUpstream;
  let gw: TestGateway;
  let client: OpenAI;

  const ask = (model: string) => client.chat.completions.create({ model, messages: [{ role: 'user', content: `secret prompt for ${model}` }] })
    .then((r) => ({ status: 200, content: r.choices[0]!.message.content }), (e: unknown) => ({ status: (e as { status?: number }).status, content: null }));
  const offerModels = () => offerUp.requests.map((r) => r.body?.['model']);

  before(async () => {
    fake = await startFakeMarketplace();
    offerUp = await startMockUpstream();
    busy = await startMockUpstream();
    busy.handle((_req, res) => { res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' }).end(JSON.stringify({ error: { message: 'slow down', type: 'rate_limit_error' } })); });
    fake.offers = [{ id: 'o-star', seller: 'gw-seller', models: ['*'], protocol: 'openai', base_url: offerUp.url, api_key: 'seller-key', price: { input: 1, output: 2 } }];
    gw = await startGateway(yaml({ fake, busy, buyModels: '["gpt-4o*"]', namedRoute: false }), { dir: tempDir('sluice-market-buy-models-') });
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    await until(() => gw.gateway.providers.names().includes('offer:o-star'), 5000, 'the offer in use');
  });
  after(async () => {
    await gw.close();
    await Promise.all([fake.close(), offerUp.close(), busy.close()]);
  });

  it('the offer (models: ["*"]) is bought, and takes gpt-4o overflow', async () => {
    expect(await ask('gpt-4o-mini')).to.deep.equal({ status: 200, content: 'Hello world' });
    expect(offerModels()).to.deep.equal(['gpt-4o-mini']);
  });

  it('other models never reach it: local 429 stays the answer, a route to offer:* only has no provider', async () => {
    const busyBefore = busy.requests.length;
    expect((await ask('llama-3.1-70b')).status).to.equal(429);
    expect(busy.requests.length).to.equal(busyBefore + 1);
    expect((await ask('claude-3-opus')).status).to.equal(503);
    expect(offerModels()).to.deep.equal(['gpt-4o-mini']);
  });

  it('a route naming the offer outright (after a reload) is refused before the upstream call and falls back', async () => {
    writeFileSync(path.join(gw.dir, 'sluice.yaml'), yaml({ fake, busy, buyModels: '["gpt-4o*"]', namedRoute: true }));
    await gw.gateway.reload();
    expect((await ask('mistral-large')).status).to.equal(200);
    expect(offerModels()).to.deep.equal(['gpt-4o-mini']);
    // Usage records at the marketplace: only the one bought request is consumed.
    await until(() => [...fake.usage.values()].some((r) => r.direction === 'consumed'), 5000, 'the consumed record');
    expect([...fake.usage.values()].filter((r) => r.direction === 'consumed').map((r) => r.model)).to.deep.equal(['gpt-4o-mini']);
  });

  it('a reload widening buy.models lets the newly allowed model through', async () => {
    writeFileSync(path.join(gw.dir, 'sluice.yaml'), yaml({ fake, busy, buyModels: '["gpt-4o*", "llama-*"]', namedRoute: false }));
    await gw.gateway.reload();
    await until(async () => (await ask('llama-3.1-70b')).status === 200, 5000, 'llama to be bought');
    expect(offerModels()).to.deep.equal(['gpt-4o-mini', 'llama-3.1-70b']);
  });
});
