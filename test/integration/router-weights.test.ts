// Weighted targets: each request's primary is drawn by weight; the other targets back it up.
import { expect } from 'chai';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

function servedBy(gw: TestGateway): string[] {
  return gw.logs.map((l) => JSON.parse(l) as { msg: string; provider?: string; status?: number })
    .filter((l) => l.msg === 'request' && l.status === 200).map((l) => l.provider!);
}

describe('router: weighted targets', () => {
  let gw: TestGateway | undefined;
  let broken: MockUpstream | undefined;
  afterEach(async () => { await gw?.close(); gw = undefined; await broken?.close(); broken = undefined; });

  it('spreads requests by weight (3:1 over 400 requests)', async () => {
    gw = await startGateway(config({
      providers: '  heavy: { type: loopback }\n  light: { type: loopback }\n',
      chain: '  - use: router\n    with:\n      routes:\n        - match: "w-*"\n          targets: [{ provider: heavy, weight: 3 }, { provider: light, weight: 1 }]',
    }));
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'k', maxRetries: 0 });
    for (let i = 0; i < 400; i++) await client.chat.completions.create({ model: 'w-model', messages: [{ role: 'user', content: `n${i}` }] });
    const served = servedBy(gw);
    expect(served).to.have.length(400);
    const heavy = served.filter((p) => p === 'heavy').length;
    // Binomial(400, 0.75): mean 300, sd ≈ 8.7; ±5 sd keeps this from flaking yet catches 1:1 or 1:3.
    expect(heavy).to.be.within(256, 344);
    expect(served.filter((p) => p === 'light').length).to.equal(400 - heavy);
  });

  it('a drawn primary that fails falls back to the other targets', async () => {
    broken = await startMockUpstream();
    broken.handle((_req, res) => { res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"down","type":"server_error"}}'); });
    gw = await startGateway(config({
      providers: `  down: { type: openai, base_url: "${broken.url}/v1", api_key: k }\n`,
      chain: '  - use: router\n    with:\n      routes:\n        - match: "*"\n          targets: [{ provider: down, weight: 1 }, { provider: local, weight: 1 }]',
    }));
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'k', maxRetries: 0 });
    for (let i = 0; i < 20; i++) {
      const r = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
      expect(r.choices[0]!.message.content).to.equal('Loopback reply. You said: hi');
    }
    expect(new Set(servedBy(gw))).to.deep.equal(new Set(['local']));
    expect(broken.requests.length, 'the broken target was drawn some of the time').to.be.greaterThan(0);
  });

  it('refuses a route with both provider and targets at start-up, naming the route', async () => {
    let message = '';
    try {
      gw = await startGateway(config({ chain: '  - use: router\n    with:\n      routes:\n        - { match: "x", provider: local, targets: [{ provider: local }] }' }));
    } catch (err) { message = (err as Error).message; }
    expect(message).to.match(/routes\[0\]/).and.match(/either `provider` or `targets`/);
  });
});
