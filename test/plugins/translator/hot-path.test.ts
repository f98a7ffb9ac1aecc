// The translator on the JSON hot path: `exchange.translate` is one function per plugin instance,
// called as a method of the exchange, not a closure made per request. (A per-request closure over
// the exchange, stored on it, made V8 promote every exchange's object graph to the old generation:
// ~5 KB per request, scavenges some 3x as costly.) Passthrough and translation still work through it.
import { expect } from 'chai';
import { config, startGateway, type TestGateway } from '../../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../../helpers/mock-upstream.js';

const CAPTURE_PLUGIN = `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'capture-translate', version: '1.0.0', sluice: '>=0.1.0', options: z.strictObject({}),
  setup: () => ({ middleware: async (ctx, next) => {
    (globalThis.__sluiceTranslate ??= []).push(ctx.exchange.translate);
    await next();
  } }) });`;

const COMPLETION = {
  id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-x',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hello there' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
};

describe('translator: the hot path', () => {
  let mock: MockUpstream;
  let gw: TestGateway;
  before(async () => {
    mock = await startMockUpstream();
    mock.handle((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify(COMPLETION)); });
    gw = await startGateway(config({
      providers: `  upstream: { type: openai, base_url: "${mock.url}" }`,
      chain: '  - use: router\n    with: { default: upstream }\n  - use: translator\n  - use: ./capture.js\n',
    }), { files: { 'capture.js': CAPTURE_PLUGIN } });
  });
  after(async () => { await gw.close(); await mock.close(); delete (globalThis as { __sluiceTranslate?: unknown }).__sluiceTranslate; });

  it('sets one shared exchange.translate for every request, and still passes through and translates', async () => {
    const chat = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(await chat.json()).to.deep.include({ object: 'chat.completion' });
    // Anthropic client → openai provider: translated both ways through the same function.
    const messages = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'gpt-x', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const answer = await messages.json() as { type?: string; content?: { text?: string }[] };
    expect(answer.type).to.equal('message');
    expect(answer.content?.[0]?.text).to.equal('hello there');
    const seen = (globalThis as { __sluiceTranslate?: unknown[] }).__sluiceTranslate ?? [];
    expect(seen).to.have.length(2);
    expect(seen[0]).to.be.a('function');
    expect(seen[1], 'the same function for both requests').to.equal(seen[0]);
  });
});
