// A fallback the request cannot be translated for (a Gemini client's candidateCount 2, which only a
// Gemini upstream can give) is passed over when the primary fails: the client gets the primary's
// failure in its own envelope, not a 400 about a provider it never needed — and a fallback after the
// untranslatable one is still tried.
import { expect } from 'chai';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';

const GEMINI_OK = { candidates: [{ content: { role: 'model', parts: [{ text: 'one' }] }, finishReason: 'STOP', index: 0 }, { content: { role: 'model', parts: [{ text: 'two' }] }, finishReason: 'STOP', index: 1 }], usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2, totalTokenCount: 5 } };

describe('router fallbacks: a fallback the request cannot be translated for', function () {
  this.timeout(20_000);
  let down: MockUpstream;
  let chat: MockUpstream;
  let backup: MockUpstream;
  let gw: TestGateway;
  before(async () => {
    down = await startMockUpstream();
    down.handle((_req, res) => { res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 503, message: 'primary is overloaded', status: 'UNAVAILABLE' } })); });
    chat = await startMockUpstream();
    backup = await startMockUpstream();
    backup.handle((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(GEMINI_OK)); });
    gw = await startGateway(`server: { shutdown_grace_ms: 200 }
storage: { database: "sqlite::memory:" }
providers:
  gem: { type: gemini, base_url: "${down.url}", api_key: k }
  oai: { type: openai, base_url: "${chat.url}", api_key: k }
  gem2: { type: gemini, base_url: "${backup.url}", api_key: k }
chain:
  - use: router
    with:
      routes:
        - { match: "gemini-only-chat", provider: gem, fallbacks: [oai] }
        - { match: "gemini-then-backup", provider: gem, fallbacks: [oai, gem2] }
  - use: translator
`);
  });
  after(async () => { await gw.close(); await down.close(); await chat.close(); await backup.close(); });

  const ask = (model: string) => fetch(`${gw.url}/v1beta/models/${model}:generateContent`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig: { candidateCount: 2 } }),
  });

  it('answers with the primary failure when no fallback is left, and never calls the untranslatable one', async () => {
    const res = await ask('gemini-only-chat');
    const body = await res.json() as { error?: { code: number; status: string; message: string } };
    expect(res.status).to.equal(503);
    expect(body.error).to.include({ code: 503, status: 'UNAVAILABLE' });
    expect(chat.requests).to.have.length(0);
  });

  it('goes on to the next fallback that can take the request', async () => {
    const res = await ask('gemini-then-backup');
    expect(res.status).to.equal(200);
    const body = await res.json() as { candidates: unknown[] };
    expect(body.candidates).to.have.length(2);
    expect(chat.requests).to.have.length(0);
    expect(backup.requests).to.have.length(1);
  });
});
