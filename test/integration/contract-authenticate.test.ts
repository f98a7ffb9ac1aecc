// A third-party plugin's `authenticate` (PluginInstance.authenticate), from its own side: what it
// returns is who is asking, and what it refuses is refused — also when its promise is not the
// gateway's own Promise (a promise library's, another realm's), which TypeScript accepts as one.
import { expect } from 'chai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { logLineFor } from '../helpers/contract-kit.js';

/** Answers through a thenable that is not a native Promise, as a promise library's would. */
const PLUGIN = `import { definePlugin, GatewayError, z } from 'sluice';
const later = (settle) => ({ then(ok, fail) { return Promise.resolve().then(() => settle(ok, fail)); } });
export default definePlugin({ name: 'door', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  setup: () => ({
    authenticates: true,
    authenticate(request) {
      const who = request.headers['x-who'];
      // A slip a plugin author can make: a path that returns nothing (no principal, no refusal).
      if (who === 'forgot') return undefined;
      if (who === 'forgot-later') return later((ok) => ok(undefined));
      return later((ok, fail) => who === 'ann'
        ? ok({ user: 'ann' })
        : fail(new GatewayError('SLUICE_E_UNAUTHORIZED', 'who are you?', { headers: { 'x-should-retry': 'false' } })));
    },
  }) });`;

describe('contract: a plugin\'s authenticate answering through a thenable', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway(config({ chain: '  - use: ./door.js\n  - use: router\n    with: { default: local }' }), { files: { 'door.js': PLUGIN } });
  });
  after(async () => { await gw.close(); });

  const ask = (id: string, who: string | undefined) => fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': id, ...(who ? { 'x-who': who } : {}) },
    body: JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'hi' }] }),
  });

  it('a refusal is a refusal: 401, never the request served', async () => {
    const res = await ask('door-refused', 'mallory');
    expect(res.status).to.equal(401);
    expect(res.headers.get('x-should-retry')).to.equal('false');
    expect(((await res.json()) as { error: { message: string } }).error.message).to.equal('who are you?');
  });

  it('an answer that names nobody (a missing return) fails closed: 500, never the request served as nobody', async () => {
    const res = await ask('door-forgot', 'forgot');
    expect(res.status).to.equal(500);
    const line = await logLineFor(gw, 'door-forgot');
    expect(line.status).to.equal(500);
    expect(line.user).to.equal(undefined);
    const later = await ask('door-forgot-later', 'forgot-later');
    expect(later.status).to.equal(500);
    expect(((await later.json()) as { error: { code: string } }).error.code).to.equal('SLUICE_E_INTERNAL');
  });

  it('the principal it resolves to is the one the request carries', async () => {
    const res = await ask('door-ann', 'ann');
    expect(res.status).to.equal(200);
    expect((await logLineFor(gw, 'door-ann')).user).to.equal('ann');
  });
});
