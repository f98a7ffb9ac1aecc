// Runtime providers, from a plugin's side: a plugin adds a provider in `start()` (as the
// marketplace turns an offer into one) and adds or removes others from an admin route; the router
// resolves provider globs at request time, as a route's provider and as fallbacks, so requests
// reach the new provider at once and get a 503 once it is gone.
import { expect } from 'chai';
import OpenAI from 'openai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { logLineFor } from '../helpers/contract-kit.js';
import { startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { openaiClient } from '../helpers/translation-rig.js';

const ADMIN_KEY = 'contract-admin-key-0123456789';

const PLUGIN = `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'dyn-providers', version: '1.0.0', sluice: '^0.1.0',
  options: z.strictObject({ base_url: z.string() }),
  setup: (o, host) => {
    const offer = (name) => host.providers.create(name, { type: 'openai', base_url: o.base_url, api_key: name + '-key' });
    host.addAdminRoute('POST', '/offers/:name', (req) => { host.providers.add(offer(req.params.name)); return { status: 201, body: { added: req.params.name } }; });
    host.addAdminRoute('DELETE', '/offers/:name', async (req) => ({ body: { removed: await host.providers.remove(req.params.name) } }));
    return { start() { host.providers.add(offer('dyn-a')); } };
  } });`;

describe('contract: a plugin adds and removes providers at runtime', () => {
  let up: RecordingUpstream;
  let gw: TestGateway;
  let client: OpenAI;
  const admin = (method: string, path: string) => fetch(`${gw.url}/admin${path}`, { method, headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  const ask = (model: string, id: string) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-request-id': id } });

  before(async () => {
    up = await startRecordingUpstream();
    up.answer = { text: ['from the offer'] };
    gw = await startGateway(`${config({
      // Nothing listens on port 9 (discard): the configured provider fails to connect.
      providers: '  broken: { type: openai, base_url: "http://127.0.0.1:9/v1", timeouts: { connect_ms: 500 } }',
      chain: [
        '  - use: router',
        '    with:',
        '      routes:',
        '        - { match: "dyn-model*", provider: "dyn-*" }',
        '        - { match: "flaky", provider: broken, fallbacks: ["dyn-*"] }',
        '      default: local',
        `  - use: ./dyn.js\n    with: { base_url: "${up.origin}/v1" }`,
      ].join('\n'),
    })}admin:\n  key: ${ADMIN_KEY}\n`, { files: { 'dyn.js': PLUGIN } });
    client = openaiClient(gw.url);
  });
  after(async () => { await gw.close(); await up.close(); });

  it('a provider added in start() serves a route whose provider is a glob', async () => {
    const before = up.requests.length;
    const res = await ask('dyn-model-1', 'dyn-route');
    expect(res.choices[0]!.message.content).to.equal('from the offer');
    expect(up.requests.length).to.equal(before + 1);
    const seen = up.requests.at(-1)!;
    expect(seen.url).to.equal('/v1/chat/completions');
    expect(seen.headers['authorization']).to.equal('Bearer dyn-a-key');
    expect(seen.body!['model']).to.equal('dyn-model-1');
    expect(await logLineFor(gw, 'dyn-route')).to.include({ provider: 'dyn-a', outcome: 'success' });
  });

  it('a glob fallback reaches it when the configured provider fails', async () => {
    const res = await ask('flaky', 'dyn-fallback');
    expect(res.choices[0]!.message.content).to.equal('from the offer');
    const line = await logLineFor(gw, 'dyn-fallback');
    expect(line).to.include({ provider: 'dyn-a', outcome: 'success' });
    expect(line['fallbacks']).to.deep.equal([{ provider: 'broken', model: 'flaky', code: 'SLUICE_E_UPSTREAM_UNAVAILABLE', status: 502 }]);
  });

  it('once removed it is unavailable (503), and a provider added later serves again', async () => {
    expect(await (await admin('DELETE', '/offers/dyn-a')).json()).to.deep.equal({ removed: true });
    const before = up.requests.length;
    const err = await ask('dyn-model-1', 'dyn-gone').then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(OpenAI.InternalServerError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).to.equal(503);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).to.equal('SLUICE_E_UPSTREAM_UNAVAILABLE');
    expect(up.requests.length).to.equal(before);
    expect(await logLineFor(gw, 'dyn-gone')).to.include({ status: 503, outcome: 'error' });

    expect((await admin('POST', '/offers/dyn-b')).status).to.equal(201);
    const res = await ask('dyn-model-2', 'dyn-again');
    expect(res.choices[0]!.message.content).to.equal('from the offer');
    expect(up.requests.at(-1)!.headers['authorization']).to.equal('Bearer dyn-b-key');
    expect(await logLineFor(gw, 'dyn-again')).to.include({ provider: 'dyn-b' });
  });

  it('an entry is written as in YAML: defaults applied, a bad field refused by name', () => {
    const providers = gw.gateway.providers;
    expect(() => providers.create('bad', { type: 'openai', base_url: 'ftp://x' })).to.throw('provider bad: base_url: expected an http(s) URL, got "ftp://x"');
    expect(() => providers.create('bad', { type: 'openai', timeouts: { connect_ms: 0 } })).to.throw(/provider bad: timeouts\.connect_ms: expected an integer >= 1/);
    expect(() => providers.create('bad', { type: 'vllm-cluster' })).to.throw(/unknown provider type "vllm-cluster" \(known: openai, anthropic, gemini, loopback;/);
    expect(providers.names()).to.not.include('bad');
  });
});
