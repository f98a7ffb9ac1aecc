// A request's abort without an AbortController per request (core/http/abort.ts): the upstream call
// is still cut when the client leaves before the upstream answers, and a plugin that asks for
// `exchange.signal` gets a real AbortSignal that aborts with it, or is already aborted when late.
import { expect } from 'chai';
import { RequestAbort } from '../../core/http/abort.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

const SIGNAL_PLUGIN = `import { definePlugin, z } from 'sluice';
export const seen = [];
export default definePlugin({ name: 'signal-watch', version: '1.0.0', sluice: '>=0.1.0', options: z.strictObject({}),
  setup: () => ({ middleware: async (ctx, next) => {
    const signal = ctx.exchange.signal;
    const entry = { isSignal: signal instanceof AbortSignal, abortedEarly: signal.aborted, reason: undefined };
    signal.addEventListener('abort', () => { entry.reason = signal.reason?.name; });
    globalThis.__sluiceSignalSeen = entry;
    await next();
  } }) });`;

const until = async (check: () => boolean, what: string) => {
  for (const deadline = Date.now() + 3000; !check();) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('request abort (no AbortController unless asked)', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  before(async () => {
    mock = await startMockUpstream();
    gw = await startGateway(config({
      providers: `  upstream: { type: openai, base_url: "${mock.url}" }`,
      chain: '  - use: router\n    with: { default: upstream }',
    }));
  });
  after(async () => { await gw.close(); await mock.close(); });

  it('cuts the upstream call when the client leaves before the upstream has answered (no stream)', async () => {
    mock.handle(() => { /* never answers */ });
    const before = mock.aborted;
    const controller = new AbortController();
    const pending = fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] }), signal: controller.signal,
    }).catch(() => undefined);
    await until(() => mock.requests.length > 0, 'the upstream to receive the request');
    controller.abort();
    await pending;
    await until(() => mock.aborted > before, 'the upstream request to be cut');
    await until(() => gw.logs.some((l) => l.includes('"outcome":"client_disconnect"')), 'the access-log line');
  });

  it('gives a plugin that asks a real AbortSignal, aborted with an AbortError when the client leaves', async () => {
    const g = await startGateway(config({
      providers: `  upstream: { type: openai, base_url: "${mock.url}" }`,
      chain: '  - use: router\n    with: { default: upstream }\n  - use: ./signal-watch.js\n',
    }), { files: { 'signal-watch.js': SIGNAL_PLUGIN } });
    try {
      mock.handle(() => { /* never answers */ });
      const controller = new AbortController();
      const pending = fetch(`${g.url}/v1/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] }), signal: controller.signal,
      }).catch(() => undefined);
      const seen = () => (globalThis as { __sluiceSignalSeen?: { isSignal: boolean; abortedEarly: boolean; reason?: string } }).__sluiceSignalSeen;
      await until(() => seen() !== undefined, 'the plugin to run');
      expect(seen()).to.include({ isSignal: true, abortedEarly: false });
      controller.abort();
      await pending;
      await until(() => seen()!.reason !== undefined, 'the signal to abort');
      expect(seen()!.reason).to.equal('AbortError');
    } finally {
      await g.close();
    }
  });

  it('RequestAbort: listeners once each, removable; a signal asked for late is already aborted', () => {
    const abort = new RequestAbort();
    const calls: string[] = [];
    const a = () => calls.push('a');
    const b = () => calls.push('b');
    abort.once('abort', a);
    abort.on('abort', b);
    abort.removeListener('abort', b);
    const early = abort.signal;
    abort.abort();
    abort.abort();
    expect(calls).to.deep.equal(['a']);
    expect(early.aborted).to.equal(true);
    expect((early.reason as Error).name).to.equal('AbortError');

    const late = new RequestAbort();
    late.abort();
    expect(late.signal.aborted).to.equal(true);
    expect(late.signal.reason).to.equal(late.reason);
    late.on('abort', () => calls.push('late'));
    expect(calls).to.deep.equal(['a']);
  });
});
