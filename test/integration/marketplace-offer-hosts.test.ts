// Where a marketplace offer may point. Its base_url is the marketplace's and the seller's choice,
// and the gateway sends prompts and the seller's key there: loopback, private networks, link-local
// (cloud metadata) and this machine's own addresses are refused unless the operator allows them in
// buy.offer_hosts, and so is plain http. A host name is judged by the addresses it resolves to when
// the connection is made, so `localhost` (or any name pointed at 127.0.0.1) gets nowhere either.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { isInternalAddress } from '../../core/http/internal-address.js';
import { startFakeMarketplace, type FakeMarketplace, type FakeOffer } from '../helpers/fake-marketplace.js';
import { startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { until } from '../plugins/marketplace/rig.js';
import { offerHostsFor } from '../../plugins/marketplace/offer-hosts.js';

const STRICT = '        offer_hosts: { allow_http: false, allow: [] }\n';

function yaml(fake: FakeMarketplace, offerHosts: string): string {
  return `server:
  shutdown_grace_ms: 200
storage:
  database: "sqlite:./sluice.db"
logging: { level: debug }
providers:
  local: { type: loopback }
chain:
  - use: router
    with:
      routes:
        - { match: "m-*", provider: "offer:*" }
      default: local
  - use: marketplace
    with:
      url: "${fake.url}"
      api_key: "${fake.apiKey}"
      gateway_id: gw-buyer
      pull_interval: 1h
      buy:
        enabled: true
${offerHosts}`;
}

describe('marketplace: where offers may point (buy.offer_hosts)', function () {
  this.timeout(30_000);
  let fake: FakeMarketplace;
  let target: MockUpstream;
  let gw: TestGateway;
  let client: OpenAI;
  const offer = (id: string, base: string): FakeOffer => ({ id, seller: 'gw-evil', models: [`m-${id}`], protocol: 'openai', base_url: base, api_key: 'k', price: { input: 1, output: 1 } });
  const port = () => new URL(target.url).port;
  const offers = () => gw.gateway.providers.names().filter((n) => n.startsWith('offer:')).sort();
  const call = (model: string) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'the prompt' }] });
  const ask = (model: string) => call(model).then(() => 200, (e: unknown) => (e as { status?: number }).status);
  const reload = async (offerHosts: string) => {
    writeFileSync(path.join(gw.dir, 'sluice.yaml'), yaml(fake, offerHosts));
    await gw.gateway.reload();
  };

  before(async () => {
    fake = await startFakeMarketplace();
    target = await startMockUpstream();
    fake.offers = [
      offer('loop', `http://127.0.0.1:${port()}/v1`),
      offer('mapped', `http://[::ffff:127.0.0.1]:${port()}/v1`),
      offer('metadata', 'http://169.254.169.254/latest'),
      offer('private', 'https://10.1.2.3/v1'),
      offer('name', `http://localhost:${port()}/v1`),
    ];
    // The fake marketplace is on this machine, which unset offer_hosts trusts (the last test): the
    // policy for a marketplace on the internet is set explicitly.
    gw = await startGateway(yaml(fake, STRICT), { dir: tempDir('sluice-market-hosts-') });
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  after(async () => {
    await gw.close();
    await Promise.all([fake.close(), target.close()]);
  });

  it('for a marketplace on the internet buys no offer pointing at http:// or an internal address, and says why', async () => {
    await until(() => gw.logs.some((l) => l.includes('does not make a provider') && l.includes('private')), 5000, 'the pull');
    expect(offers()).to.deep.equal([]);
    const skipped = gw.logs.filter((l) => l.includes('marketplace offer skipped'));
    expect(skipped.join('\n')).to.include('is not https').and.include('internal address');
  });

  it('with allow_http, internal literals are still refused; a name resolving to loopback is refused when connecting', async () => {
    await reload('        offer_hosts: { allow_http: true }\n');
    await until(() => offers().includes('offer:name'), 5000, 'the re-pull');
    expect(offers()).to.deep.equal(['offer:name']);
    const refused = await call('m-name').then(() => ({ status: 200, message: '' }), (e: unknown) => e as { status: number; message: string });
    expect(refused.status).to.equal(502);
    expect(refused.message).to.include('resolves only to internal addresses');
    expect(target.requests.length, 'the prompt never reached the loopback address').to.equal(0);
  });

  it('an address or name the operator allows is reached', async () => {
    await reload('        offer_hosts: { allow_http: true, allow: ["127.0.0.0/8", "localhost"] }\n');
    await until(() => offers().includes('offer:loop'), 5000, 'the re-pull');
    expect(offers()).to.deep.equal(['offer:loop', 'offer:mapped', 'offer:name']);
    expect(await ask('m-loop')).to.equal(200);
    expect(await ask('m-name')).to.equal(200);
    expect(target.requests.length).to.equal(2);
  });

  it('unset, a marketplace on this machine is the operator\'s own: its offers may use http and loopback or private addresses, never link-local', async () => {
    await reload('');
    await until(() => offers().includes('offer:private'), 5000, 'the re-pull');
    expect(offers()).to.deep.equal(['offer:loop', 'offer:mapped', 'offer:name', 'offer:private']);
    const before = target.requests.length;
    expect(await ask('m-loop')).to.equal(200);
    expect(await ask('m-name')).to.equal(200);
    expect(target.requests.length - before).to.equal(2);
  });

  it('offerHostsFor: the operator\'s setting wins; unset, by where the marketplace is', () => {
    const strict = { allow_http: false, allow: [] };
    expect(offerHostsFor(strict, 'http://127.0.0.1:9')).to.equal(strict);
    expect(offerHostsFor(undefined, 'https://market.example.com')).to.deep.equal(strict);
    expect(offerHostsFor(undefined, 'https://93.184.216.34/v1')).to.deep.equal(strict);
    for (const url of ['http://127.0.0.1:9', 'http://localhost:9', 'http://[::1]:9', 'http://10.0.0.5', 'http://192.168.1.2:8080']) {
      const policy = offerHostsFor(undefined, url);
      expect(policy.allow_http, url).to.equal(true);
      expect(policy.allow, url).to.include('127.0.0.0/8');
      expect(policy.allow.some((a) => a.startsWith('169.254')), url).to.equal(false);
    }
  });

  it('classifies internal addresses, v4 inside v6 included', () => {
    for (const a of ['127.0.0.1', '10.0.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1',
      '::ffff:127.0.0.1', '::ffff:a9fe:a9fe', '64:ff9b::a9fe:a9fe', '2002:a00:1::', '[::1]', '224.0.0.1', '255.255.255.255',
      '::7f00:1', '::127.0.0.1', '::ffff:0:7f00:1', '64:ff9b:1::7f00:1', 'fd00:ec2::254', '100.100.100.200']) {
      expect(isInternalAddress(a), a).to.equal(true);
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '64:ff9b::808:808', '172.32.0.1', '::ffff:8.8.8.8']) {
      expect(isInternalAddress(a), a).to.equal(false);
    }
  });
});
