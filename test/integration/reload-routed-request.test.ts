// A reload that rebuilds a provider (a rotated key, say) while a request has already been routed to
// it but not yet sent — a plugin after the router still working on it — must not fail that
// request: docs/configuration.md promises that a request in flight finishes on the provider it
// started with. The replaced provider's pool was closed at the swap, and the request's send then
// failed with 502 SLUICE_E_UPSTREAM_UNAVAILABLE (UND_ERR_DESTROYED).
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

/** Holds each request after the router until the test opens the gate (shared through globalThis: same process). */
const GATE = `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'gate', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  setup: () => ({ middleware: async (_ctx, next) => {
    const gate = globalThis.__sluiceTestGate;
    if (gate) { gate.arrived(); await gate.open; }
    await next();
  } }) });`;

interface Gate { arrived(): void; open: Promise<void> }
const shared = globalThis as { __sluiceTestGate?: Gate };

describe('reload: a request routed to a provider the reload rebuilds', () => {
  let upstream: MockUpstream;
  let gw: TestGateway;
  const yaml = (key: string) => config({
    providers: `  remote: { type: openai, base_url: "${upstream.url}", api_key: ${key} }`,
    chain: '  - use: router\n    with: { default: remote }\n  - use: ./gate.js\n',
  });

  before(async () => {
    upstream = await startMockUpstream();
    gw = await startGateway(yaml('key-old'), { files: { 'gate.js': GATE } });
  });
  after(async () => { delete shared.__sluiceTestGate; await gw.close(); await upstream.close(); });

  const chat = async (stream: boolean) => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-mock', stream, messages: [{ role: 'user', content: 'hi' }] }),
    });
    return { status: res.status, text: await res.text() };
  };

  for (const stream of [false, true]) {
    it(`is still answered by the provider it was routed to (${stream ? 'stream' : 'JSON'})`, async () => {
      // The provider's pool exists: it has served a request.
      expect((await chat(stream)).status).to.equal(200);
      let arrived!: () => void;
      let open!: () => void;
      const reached = new Promise<void>((r) => { arrived = r; });
      shared.__sluiceTestGate = { arrived, open: new Promise<void>((r) => { open = r; }) };
      const pending = chat(stream);
      await reached;
      delete shared.__sluiceTestGate;
      writeFileSync(path.join(gw.dir, 'sluice.yaml'), yaml(stream ? 'key-new-2' : 'key-new-1'));
      await gw.gateway.reload();
      open();
      const res = await pending;
      expect(res.status, res.text).to.equal(200);
      if (stream) expect(res.text).to.include('data: [DONE]');
      // And the rebuilt provider serves what comes next, with the new key.
      expect((await chat(stream)).status).to.equal(200);
      expect(upstream.requests.at(-1)!.headers['authorization']).to.equal(`Bearer ${stream ? 'key-new-2' : 'key-new-1'}`);
    });
  }
});
