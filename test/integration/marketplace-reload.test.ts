// A reload (SIGHUP) of the marketplace's options: a replaced offer id is withdrawn and the new offer
// published at once; turning buying off takes the bought offers out of service; the metrics follow.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startFakeMarketplace, type FakeMarketplace } from '../helpers/fake-marketplace.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { until } from '../plugins/marketplace/rig.js';

function yaml(fake: FakeMarketplace, o: { offerId: string; buy: boolean }): string {
  return `server:
  shutdown_grace_ms: 200
storage:
  database: "sqlite::memory:"
logging: { level: debug }
providers:
  local: { type: loopback }
chain:
  - use: router
    with: { default: local, fallbacks: ["offer:*"] }
  - use: marketplace
    with:
      url: "${fake.url}"
      api_key: "${fake.apiKey}"
      gateway_id: gw-reload
      pull_interval: 1h
      buy: { enabled: ${o.buy}, offer_hosts: { allow_http: true, allow: ["127.0.0.1"] } }
      sell:
        enabled: true
        offer: { id: ${o.offerId}, models: ["local-*"], price: { input: 1, output: 2 }, base_url: "https://gw.example/v1" }
`;
}

describe('marketplace: reload', function () {
  this.timeout(20_000);
  let fake: FakeMarketplace;
  let gw: TestGateway;
  const metric = async (name: string) => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  };

  before(async () => {
    fake = await startFakeMarketplace();
    fake.offers = [{ id: 'o-1', seller: 'gw-other', models: ['*'], protocol: 'openai', base_url: 'http://127.0.0.1:9/v1', price: { input: 1, output: 1 } }];
    gw = await startGateway(yaml(fake, { offerId: 'first', buy: true }));
  });
  after(async () => { await gw.close(); await fake.close(); });

  it('withdraws a replaced offer, publishes the new one, and stops buying when told, without a restart', async () => {
    await until(() => fake.published.has('first') && gw.gateway.providers.names().includes('offer:o-1'), 5000, 'the first publish and pull');
    await until(async () => (await metric('sluice_marketplace_offers_in_use')) === 1, 5000, 'the offers gauge');
    expect(await metric('sluice_marketplace_sync_total\\{kind="pull",result="updated"\\}')).to.equal(1);

    writeFileSync(path.join(gw.dir, 'sluice.yaml'), yaml(fake, { offerId: 'second', buy: false }));
    await gw.gateway.reload();
    // pull_interval is an hour: only the reload can have done this.
    await until(() => fake.published.has('second') && fake.withdrawn.includes('first'), 5000, 'the re-publish');
    expect(fake.published.has('first')).to.equal(false);
    await until(() => !gw.gateway.providers.names().includes('offer:o-1'), 5000, 'the bought offer to go');
    await until(async () => (await metric('sluice_marketplace_offers_in_use')) === 0, 5000, 'the offers gauge');
  });
});
