// A stream held for its first content (preamble, then a model thinking in silence) commits when
// server.sse_keepalive_ms runs out, so its client is not left without bytes. A translated client
// may have nothing to show for the preamble (an Anthropic client's message_start waits for the
// first content, which carries the real input count): it gets a keep-alive at the commit, not one
// more keep-alive interval later.
import { expect } from 'chai';
import http from 'node:http';
import { chunk, startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

const KEEPALIVE_MS = 1000;

/** ms from the request until its first body byte, and the body. */
function firstByte(url: string, path: string, body: object): Promise<{ ms: number; text: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let ms: number | undefined;
    let text = '';
    const req = http.request(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (d: string) => { ms ??= performance.now() - t0; text += d; });
      res.on('end', () => resolve({ ms: ms ?? Infinity, text }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('a held stream that commits at the hold’s end', () => {
  let up: MockUpstream;
  let gw: TestGateway;
  before(async () => {
    up = await startMockUpstream();
    gw = await startGateway(config({
      server: `  sse_keepalive_ms: ${KEEPALIVE_MS}\n  shutdown_grace_ms: 200\n`,
      providers: `  oa: { type: openai, base_url: "${up.url}", api_key: k, protocols: [openai.chat] }\n`,
      chain: '  - use: router\n    with: { default: oa }\n  - use: translator',
    }));
    // A role-only chunk (preamble) at once, then the model thinks for 3.5 keep-alive intervals; for
    // gpt-silent, not even the preamble: headers, then nothing until the content.
    up.handle((req, res) => {
      const model = String(req.body?.['model']);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (model === 'gpt-silent') res.flushHeaders();
      else res.write(chunk(model, { role: 'assistant', content: '' }));
      setTimeout(() => {
        res.write(chunk(model, { content: 'thought it through' }));
        res.end(chunk(model, {}, 'stop') + 'data: [DONE]\n\n');
      }, KEEPALIVE_MS * 3.5);
    });
  });
  after(async () => { await gw.close(); await up.close(); });

  // gpt-silent: an upstream silent after its headers (no preamble: a model thinking without showing
  // it) commits at the hold's end too — Claude Code gives up on a stream that sends no byte for its
  // idle timeout, however long the model takes to think.
  for (const [model, what] of [['gpt-5', 'after its preamble'], ['gpt-silent', 'with no preamble at all']] as const) {
    it(`an Anthropic client (translated) of an upstream silent ${what} gets its first bytes at the commit, then the answer`, async function () {
      this.timeout(20_000);
      const { ms, text } = await firstByte(gw.url, '/v1/messages', { model, max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] });
      expect(ms, `first byte after ${Math.round(ms)} ms`).to.be.below(KEEPALIVE_MS * 1.6);
      expect(text.startsWith('event: ping\n') || text.startsWith(': keep-alive\n'), text.slice(0, 80)).to.equal(true);
      expect(text).to.contain('thought it through');
      expect(text).to.contain('event: message_stop');
    });
  }

  it('a Chat client (passthrough) gets the held preamble at the commit', async function () {
    this.timeout(20_000);
    const { ms, text } = await firstByte(gw.url, '/v1/chat/completions', { model: 'gpt-5', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(ms, `first byte after ${Math.round(ms)} ms`).to.be.below(KEEPALIVE_MS * 1.6);
    expect(text).to.contain('thought it through');
  });
});
