// Model allow-lists hold through aliases and fallbacks: what counts is the model a target would
// serve, and a target outside the list is never tried — not as primary, not as fallback.
import { expect } from 'chai';
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';
import { authConfig, cli, cliKey } from './auth-helpers.js';

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('auth: model allow-lists through aliases and fallbacks', function () {
  this.timeout(60_000);
  let gw: TestGateway;
  let config: string;
  const key: Record<string, string> = {};

  before(async () => {
    const dir = tempDir('sluice-allow-');
    config = path.join(dir, 'sluice.yaml');
    const dead = await closedPort();
    const yaml = authConfig({
      providers: `  b: { type: loopback }\n  dead: { type: openai, base_url: "http://127.0.0.1:${dead}/v1", api_key: x }\n`,
      router: `
      aliases: { fast: small-model, smart: big-model }
      routes:
        - { match: "big-model", provider: local, fallbacks: [{ provider: b, model: small-model }] }
        - { match: "fragile", provider: dead, model: big-model, fallbacks: [{ provider: b, model: small-model }] }
      default: local`,
    });
    writeFileSync(config, yaml);
    await cli(config, 'user', 'add', 'alice');
    key['small'] = (await cliKey(config, '--user', 'alice', '--models', 'small-*')).key;
    key['big'] = (await cliKey(config, '--user', 'alice', '--models', 'big-model')).key;
    key['aliasName'] = (await cliKey(config, '--user', 'alice', '--models', 'fast')).key;
    key['any'] = (await cliKey(config, '--user', 'alice')).key;
    gw = await startGateway(yaml, { dir });
  });
  after(async () => { await gw?.close(); });

  async function served(which: string, model: string): Promise<string | number> {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key[which]!, maxRetries: 0 });
    try {
      const r = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'ping' }] });
      return r.model;
    } catch (err) {
      return (err as { status: number }).status;
    }
  }

  it('checks the model an alias resolves to, not the alias', async () => {
    expect(await served('small', 'fast')).to.equal('small-model');
    expect(await served('small', 'small-model')).to.equal('small-model');
    // The key names the alias itself: what would be served is small-model, which it does not name.
    expect(await served('aliasName', 'fast')).to.equal(403);
    expect(await served('big', 'fast')).to.equal(403);
    expect(await served('any', 'fast')).to.equal('small-model');
  });

  it('skips a primary outside the list and serves the allowed fallback', async () => {
    // smart → big-model on local, fallback small-model on b: only the fallback is allowed.
    expect(await served('small', 'smart')).to.equal('small-model');
    expect(await served('big', 'smart')).to.equal('big-model');
    expect(await served('any', 'smart')).to.equal('big-model');
  });

  it('never falls back to a model outside the list', async () => {
    // fragile → big-model on a dead provider, fallback small-model: without a list the fallback answers …
    expect(await served('any', 'fragile')).to.equal('small-model');
    // … but a key that may use only big-model gets the dead primary's failure, not the fallback.
    expect(await served('big', 'fragile')).to.be.oneOf([502, 503, 504]);
    const lines = gw.logs.map((l) => JSON.parse(l) as { msg: string; provider?: string; principal?: unknown });
    expect(lines.some((l) => l.msg === 'request')).to.equal(true);
  });

  it('a request no allowed target can serve is a 403 naming the requested model', async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key['small']!, maxRetries: 0 });
    try {
      await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'ping' }] });
      expect.fail('accepted');
    } catch (err) {
      const e = err as { status: number; error: { type: string; code: string; param: string; message: string } };
      expect(e.status).to.equal(403);
      expect(e.error).to.include({ type: 'permission_error', code: 'SLUICE_E_FORBIDDEN', param: 'model' });
      expect(e.error.message).to.contain('gpt-4o');
    }
  });

  it('GET /v1/models lists only what the key could be served', async () => {
    const list = async (which: string) => {
      const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key[which]!, maxRetries: 0 });
      const ids: string[] = [];
      for await (const m of client.models.list()) ids.push(m.id);
      return ids.sort();
    };
    const all = await list('any');
    expect(all).to.include.members(['loopback', 'big-model', 'fast', 'smart', 'fragile']);
    // small-*: `fast` serves small-model; `big-model`, `smart` and `fragile` fall back to it; the
    // loopback provider's own `loopback` model (default route, served as itself) is not for this key.
    const small = await list('small');
    expect(small).to.include.members(['fast', 'big-model', 'smart', 'fragile']);
    expect(small).not.to.include('loopback');
    // big-model: `big-model` and `smart` (primary), `fragile` (primary on the dead provider); never `fast`.
    const big = await list('big');
    expect(big).to.deep.equal(['big-model', 'fragile', 'smart']);
    expect(await served('small', 'loopback')).to.equal(403);
  });
});
