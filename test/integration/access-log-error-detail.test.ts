// A failed request's access-log line must say enough for the operator to debug it without asking
// the client for the error it got: why a provider could not be reached (the system error), and the
// upstream's own error type and code — never the upstream's message, which may quote the prompt.
import { expect } from 'chai';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { config, freePort, startGateway, type TestGateway } from '../helpers/gateway.js';

interface Line { msg: string; model?: string; error?: string; cause?: string; upstream_type?: string; upstream_code?: string }

describe('access log: what a failed request failed on', () => {
  let openai: MockUpstream;
  let anthropic: MockUpstream;
  let gw: TestGateway;
  before(async () => {
    openai = await startMockUpstream();
    openai.handle((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: {
        message: "This model's maximum context length is 8192 tokens. Your messages: CANARY-PROMPT-TEXT", type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded',
      } }));
    });
    anthropic = await startMockUpstream();
    anthropic.handle((_req, res) => {
      res.writeHead(529, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded CANARY-PROMPT-TEXT' } }));
    });
    const closed = await freePort();
    gw = await startGateway(config({
      providers: [
        `  oa: { type: openai, base_url: "${openai.url}", api_key: key-a, cooldown: { after_failures: 0 } }`,
        `  an: { type: anthropic, base_url: "${anthropic.url}", api_key: key-b, cooldown: { after_failures: 0 } }`,
        `  gone: { type: openai, base_url: "http://127.0.0.1:${closed}/v1", api_key: key-c, cooldown: { after_failures: 0 } }`,
      ].join('\n'),
      chain: `  - use: router
    with:
      routes:
        - { match: "gpt-*", provider: oa }
        - { match: "claude-*", provider: an }
        - { match: "gone-*", provider: gone }
      default: local
  - use: translator`,
    }));
  });
  after(async () => { await gw?.close(); await openai?.close(); await anthropic?.close(); });

  const chat = async (model: string) => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'CANARY-PROMPT-TEXT' }] }),
    });
    await res.text();
    return res.status;
  };
  const lineFor = (model: string) => gw.logs.map((l) => JSON.parse(l) as Line).find((l) => l.msg === 'request' && l.model === model)!;

  it('names the system error behind an unreachable provider', async () => {
    expect(await chat('gone-1')).to.equal(502);
    const line = lineFor('gone-1');
    expect(line.error).to.equal('SLUICE_E_UPSTREAM_UNAVAILABLE');
    expect(line.cause).to.equal('ECONNREFUSED');
  });

  it('carries the upstream error\'s type and code (OpenAI) and type (Anthropic, translated), not its message', async () => {
    expect(await chat('gpt-4o')).to.equal(400);
    const oa = lineFor('gpt-4o');
    expect(oa).to.include({ error: 'SLUICE_E_UPSTREAM_ERROR', upstream_type: 'invalid_request_error', upstream_code: 'context_length_exceeded' });
    expect(await chat('claude-x')).to.be.within(500, 599);
    const an = lineFor('claude-x');
    expect(an).to.include({ error: 'SLUICE_E_UPSTREAM_ERROR', upstream_type: 'overloaded_error' });
    expect(an.upstream_code).to.equal(undefined);
    expect(gw.logs.join('\n')).not.to.include('CANARY-PROMPT-TEXT');
  });
});
