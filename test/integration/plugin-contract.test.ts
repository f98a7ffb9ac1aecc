// The plugin contract, exercised by test plugins written the way third parties write them:
// (a) change the request, (b) answer without next(), (c) wrap a stream event by event,
// (d) read final usage after the response; plus loading from a file and from an installed package.
import { expect } from 'chai';
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { ConfigError } from '../../core/config/config-error.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { config, startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const PLUGINS: Record<string, string> = {
  'add-system.js': `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'add-system', version: '1.0.0', sluice: '^0.1.0',
  options: z.strictObject({ text: z.string() }),
  setup: (o) => ({ middleware: async (ctx, next) => {
    const req = ctx.exchange.request;
    req.messages = [{ role: 'system', content: o.text }, ...(req.messages ?? [])];
    await next();
  } }) });`,
  'short-circuit.js': `import { definePlugin, z, GatewayError } from 'sluice';
export default definePlugin({ name: 'short-circuit', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  setup: () => ({ middleware: async (ctx, next) => {
    const ex = ctx.exchange;
    if (ex.model === 'blocked-model') throw new GatewayError('SLUICE_E_BLOCKED', 'this model is blocked by policy');
    if (ex.model === 'canned') {
      ex.response = { kind: 'json', status: 200, headers: {}, protocol: ex.endpoint, body: { id: 'chatcmpl-canned', object: 'chat.completion', created: 1, model: 'canned',
        choices: [{ index: 0, message: { role: 'assistant', content: 'canned answer', refusal: null }, logprobs: null, finish_reason: 'stop' }] } };
      return;
    }
    await next();
  } }) });`,
  'shout.js': `import { definePlugin, z } from 'sluice';
export let seenEvents = 0;
export default definePlugin({ name: 'shout', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  setup: () => ({ middleware: async (ctx, next) => {
    await next();
    const res = ctx.exchange.response;
    if (res?.kind !== 'stream') return;
    const source = res.events;
    res.events = (async function* () {
      for await (const ev of source) {
        globalThis.__shoutEvents = (globalThis.__shoutEvents ?? 0) + 1;
        const delta = ev.data?.choices?.[0]?.delta;
        if (delta && typeof delta.content === 'string') delta.content = delta.content.toUpperCase();
        yield ev;
      }
    })();
  } }) });`,
  'usage-reader.js': `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'usage-reader', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  setup: () => ({ middleware: async (ctx, next) => {
    const ex = ctx.exchange;
    await next();
    ex.completed.then((c) => { (globalThis.__usageSeen ??= []).push({ id: ex.id, outcome: c.outcome, usage: c.usage }); });
  } }) });`,
};

declare global {
  // eslint-disable-next-line no-var
  var __usageSeen: { id: string; outcome: string; usage: { inputTokens: number; outputTokens: number; cacheReadTokens: number } | undefined }[] | undefined;
  // eslint-disable-next-line no-var
  var __shoutEvents: number | undefined;
}

describe('plugin contract', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  let client: OpenAI;

  before(async () => {
    mock = await startMockUpstream();
    gw = await startGateway(config({
      providers: `  upstream: { type: openai, base_url: "${mock.url}" }`,
      chain: [
        '  - use: ./usage-reader.js',
        '  - use: ./short-circuit.js',
        '  - use: router\n    with: { default: upstream }',
        '  - use: ./add-system.js\n    with: { text: "be brief" }',
        '  - use: ./shout.js',
      ].join('\n'),
    }), { files: PLUGINS });
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'k', maxRetries: 0 });
  });
  after(async () => { await gw.close(); await mock.close(); });

  it('(a) a plugin changes the request the provider sees', async () => {
    await client.chat.completions.create({ model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] });
    expect(mock.requests.at(-1)!.body!['messages']).to.deep.equal([{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }]);
  });

  it('(b) a plugin answers without calling next(): no upstream call', async () => {
    const before = mock.requests.length;
    const res = await client.chat.completions.create({ model: 'canned', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.choices[0]!.message.content).to.equal('canned answer');
    const err = await client.chat.completions.create({ model: 'blocked-model', messages: [] }).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).to.equal('SLUICE_E_BLOCKED');
    expect(mock.requests.length).to.equal(before);
  });

  it('(c) a plugin wraps a stream event by event', async () => {
    globalThis.__shoutEvents = 0;
    const stream = await client.chat.completions.create({ model: 'gpt-x', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    expect(text).to.equal('HELLO WORLD');
    expect(globalThis.__shoutEvents).to.equal(4);
  });

  it('(d) a plugin reads the final usage after the response, streamed or not', async () => {
    globalThis.__usageSeen = [];
    await client.chat.completions.create({ model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] });
    const stream = await client.chat.completions.create({ model: 'gpt-x', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    for await (const _ of stream) { /* drain */ }
    await new Promise((r) => setTimeout(r, 20));
    const seen = globalThis.__usageSeen!;
    expect(seen).to.have.length(2);
    // JSON: 12 prompt tokens of which 4 cached → 8 uncached input + 4 cache reads.
    expect(seen[0]!.usage).to.include({ inputTokens: 8, cacheReadTokens: 4, outputTokens: 5 });
    expect(seen[1]!.usage).to.include({ inputTokens: 12, outputTokens: 2 });
    expect(seen.every((s) => s.outcome === 'success')).to.equal(true);
  });

  describe('a plugin written in TypeScript (test/fixtures/plugins/typed-greeting.ts, compiled under strict)', () => {
    const typed = path.join(repoRoot, 'dist/test/fixtures/plugins/typed-greeting.js');
    const chain = (options: string) => `  - use: router\n    with: { default: local }\n  - use: ${typed}\n    with: ${options}`;

    it('gets its zod options with defaults applied', async () => {
      const g = await startGateway(config({ chain: chain('{ greeting: "hi ", repeat: "${REPEAT:-2}" }') }));
      try {
        const res = await fetch(`${g.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'loopback', messages: [] }) });
        expect(res.headers.get('x-typed-greeting')).to.equal('hi hi ');
      } finally { await g.close(); }
    });

    it('refuses bad options with file:line:col, the plugin, the option path and what was expected', async () => {
      const err = await startGateway(config({ chain: chain('{ repeat: 9, header: "X Bad", greting: hello }') })).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(ConfigError);
      const lines = (err as ConfigError).message.split('\n');
      expect(lines).to.have.length(3);
      expect(lines[0]).to.match(/sluice\.yaml:\d+:\d+: plugin typed-greeting: chain\[1\]\.with\.repeat: expected an integer from 1 to 5, got 9$/);
      expect(lines[1]).to.match(/sluice\.yaml:\d+:\d+: plugin typed-greeting: chain\[1\]\.with\.header: expected a lower-case header name, got "X Bad"$/);
      expect(lines[2]).to.match(/sluice\.yaml:\d+:\d+: plugin typed-greeting: chain\[1\]\.with\.greting: expected no option "greting" \(did you mean "greeting"\? known: greeting, repeat, header\)$/);
    });
  });

  describe('third-party plugin example (examples/sluice-plugin-greeting)', () => {
    const chain = (use: string) => `  - use: router\n    with: { default: local }\n  - use: ${use}\n    with: { greeting: bonjour }`;

    it('loads from a path relative to the config file', async () => {
      const g = await startGateway(config({ chain: chain(path.join(repoRoot, 'examples/sluice-plugin-greeting/index.js')) }));
      try {
        const res = await fetch(`${g.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'loopback', messages: [] }) });
        expect(res.headers.get('x-greeting')).to.equal('bonjour');
      } finally { await g.close(); }
      const dir = tempDir();
      mkdirSync(path.join(dir, 'plugins'));
      symlinkSync(path.join(repoRoot, 'examples/sluice-plugin-greeting/index.js'), path.join(dir, 'plugins/greeting.js'));
      const rel = await startGateway(config({ chain: chain('./plugins/greeting.js') }), { dir });
      await rel.close();
      expect(rel.gateway.plugins.map((p) => p.source)).to.deep.equal(['builtin', 'file']);
    });

    it('loads as an installed npm package and counts usage in /metrics', async () => {
      const dir = tempDir();
      mkdirSync(path.join(dir, 'node_modules'));
      // What `npm install ./examples/sluice-plugin-greeting` leaves behind: a link in node_modules.
      symlinkSync(path.join(repoRoot, 'examples/sluice-plugin-greeting'), path.join(dir, 'node_modules/sluice-plugin-greeting'), 'dir');
      const g = await startGateway(config({ chain: chain('sluice-plugin-greeting') }), { dir });
      try {
        expect(g.gateway.plugins[1]!.source).to.equal('package');
        const c = new OpenAI({ baseURL: `${g.url}/v1`, apiKey: 'k', maxRetries: 0 });
        const { response } = await c.chat.completions.create({ model: 'loopback', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
        expect(response.headers.get('x-greeting')).to.equal('bonjour');
        await new Promise((r) => setTimeout(r, 20));
        expect(await (await fetch(`${g.url}/metrics`)).text()).to.match(/greeting_tokens_total\{model="loopback"\} [1-9]/);
      } finally { await g.close(); }
    });
  });
});
