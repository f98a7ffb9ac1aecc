// Issue 8, item 8: what a graceful shutdown does to requests still open at its deadline. Streams get
// their protocol's in-stream error (the SDK raises it) instead of a bare socket close; requests with
// nothing sent yet get a 503 in the client's envelope; all are logged as cut by the shutdown
// (outcome error, SLUICE_E_SHUTTING_DOWN), not as client disconnects.
import Anthropic from '@anthropic-ai/sdk';
import { expect } from 'chai';
import OpenAI from 'openai';
import { FamilyStream, protocolOfPath } from '../helpers/family-wire.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { anthropicClient, openaiClient, upstreamProviders } from '../helpers/translation-rig.js';

interface LogLine { msg: string; request_id?: string; outcome?: string; error?: string; status?: number; count?: number }

/** Resolves with what the promise rejected with; fails the test if it resolved. */
async function rejection(p: Promise<unknown>): Promise<Error> {
  try { await p; } catch (err) { return err as Error; }
  throw new Error('expected the call to fail');
}

describe('shutdown deadline: in-flight requests are cut with their protocol\'s error', () => {
  let mock: MockUpstream;
  let gw: TestGateway;

  before(async () => {
    mock = await startMockUpstream();
    // Each model name selects an upstream behaviour below.
    mock.handle((req, res) => {
      const model = String(req.body?.['model']);
      if (model === 'hang') return; // never answers
      const s = new FamilyStream(protocolOfPath(req.url));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (model === 'silent') res.write(s.opening()); // preamble only: the stream is not committed
      else res.write(s.opening() + s.delta('slow ')); // content, then nothing more
    });
    gw = await startGateway(config({
      server: '  shutdown_grace_ms: 300\n',
      providers: upstreamProviders(mock.url.replace(/\/v1$/, '')),
      chain: [
        '  - use: router\n    with:\n      routes:',
        '        - { match: slow-anthropic, provider: up-anthropic, model: slow }',
        '        - { match: slow-chat, provider: up-chat, model: slow }',
        '        - { match: silent-chat, provider: up-chat, model: silent }',
        '        - { match: hang, provider: up-chat, model: hang }',
        '  - use: translator',
      ].join('\n'),
    }));
  });
  after(async () => { await mock.close(); });

  it('streams get the in-stream error, pending requests a 503, and every one is logged as cut by shutdown', async () => {
    const anthropic = anthropicClient(gw.url);
    const openai = openaiClient(gw.url);
    const texts: Record<string, string> = { anthropic: '', chat: '', translated: '' };
    let seen!: () => void;
    const allStarted = new Promise<void>((resolve) => { seen = resolve; });
    const started = () => { if (Object.values(texts).every((t) => t === 'slow ')) seen(); };

    const anthropicStream = (async () => {
      const stream = await anthropic.messages.create({ model: 'slow-anthropic', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'go' }] }, { headers: { 'x-request-id': 'cut-anthropic' } });
      for await (const ev of stream) if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') { texts['anthropic'] += ev.delta.text; started(); }
    })();
    const chatStream = (async () => {
      const stream = await openai.chat.completions.create({ model: 'slow-chat', stream: true, messages: [{ role: 'user', content: 'go' }] }, { headers: { 'x-request-id': 'cut-chat' } });
      for await (const c of stream) { texts['chat'] += c.choices[0]?.delta.content ?? ''; started(); }
    })();
    // An Anthropic client whose upstream speaks Chat: the cut error is in the client's protocol.
    const translatedStream = (async () => {
      const stream = await anthropic.messages.create({ model: 'slow-chat', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'go' }] }, { headers: { 'x-request-id': 'cut-translated' } });
      for await (const ev of stream) if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') { texts['translated'] += ev.delta.text; started(); }
    })();
    const uncommitted = openai.chat.completions.create({ model: 'silent-chat', stream: true, messages: [{ role: 'user', content: 'go' }] }, { headers: { 'x-request-id': 'cut-uncommitted' } });
    const pendingJson = openai.chat.completions.create({ model: 'hang', messages: [{ role: 'user', content: 'go' }] }, { headers: { 'x-request-id': 'cut-json' } });
    // Rejections are awaited below; keep them from counting as unhandled meanwhile.
    for (const p of [anthropicStream, chatStream, translatedStream, uncommitted, pendingJson]) p.catch(() => undefined);

    await allStarted;
    while (mock.requests.length < 5) await new Promise((r) => setTimeout(r, 10));
    await gw.close();

    for (const [name, p] of [['anthropic', anthropicStream], ['translated', translatedStream]] as const) {
      const err = await rejection(p);
      expect(err, `${name}: ${String(err)}`).to.be.instanceOf(Anthropic.APIError);
      expect(err.message, name).to.contain('the gateway shut down before this response was complete');
      expect(texts[name], name).to.equal('slow ');
    }
    const chatErr = await rejection(chatStream);
    expect(chatErr, String(chatErr)).to.be.instanceOf(OpenAI.APIError);
    expect(chatErr.message).to.contain('the gateway shut down before this response was complete');
    expect(texts['chat']).to.equal('slow ');

    // Nothing had been sent for these two: a real HTTP 503 in the OpenAI envelope.
    for (const p of [uncommitted, pendingJson]) {
      const err = await rejection(p);
      expect(err, String(err)).to.be.instanceOf(OpenAI.APIError);
      expect((err as InstanceType<typeof OpenAI.APIError>).status).to.equal(503);
      expect((err as InstanceType<typeof OpenAI.APIError>).code).to.equal('SLUICE_E_SHUTTING_DOWN');
    }

    const lines = gw.logs.map((l) => JSON.parse(l) as LogLine);
    for (const id of ['cut-anthropic', 'cut-chat', 'cut-translated', 'cut-uncommitted', 'cut-json']) {
      const line = lines.find((l) => l.msg === 'request' && l.request_id === id);
      expect(line, id).to.include({ outcome: 'error', error: 'SLUICE_E_SHUTTING_DOWN' });
    }
    expect(lines.find((l) => l.request_id === 'cut-anthropic' && l.msg === 'request')!.status, 'a committed stream keeps its 200').to.equal(200);
    expect(lines.find((l) => l.request_id === 'cut-json' && l.msg === 'request')!.status).to.equal(503);
    expect(lines.find((l) => l.msg === 'cut in-flight requests at the shutdown deadline')).to.include({ count: 5 });
  });
});
