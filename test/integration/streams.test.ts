// Stream robustness: a client that disconnects aborts the upstream request without hurting the
// process; a mid-stream upstream failure becomes an in-stream OpenAI error with no [DONE]; a client
// that stops reading holds the upstream back (the gateway does not buffer the answer for it).
import { expect } from 'chai';
import http from 'node:http';
import { chunk, startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

const body = (model = 'gpt-x') => JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'go' }] });

describe('streams', () => {
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

  it('aborts the upstream when the client disconnects mid-stream, and keeps serving', async () => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((r) => { upstreamClosed = r; });
    mock.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk('gpt-x', { role: 'assistant', content: 'first' }));
      const timer = setInterval(() => res.write(chunk('gpt-x', { content: '.' })), 20);
      res.once('close', () => { clearInterval(timer); upstreamClosed(); });
    });
    const controller = new AbortController();
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(), signal: controller.signal });
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).to.contain('first');
    controller.abort();
    await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('upstream was not aborted')), 3000))]);
    expect(mock.aborted).to.be.at.least(1);
    await new Promise((r) => setTimeout(r, 20));
    const line = gw.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'request' && l.outcome === 'client_disconnect');
    expect(line, 'a request log line with outcome client_disconnect').to.not.equal(undefined);

    mock.handle((_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.end(chunk('gpt-x', { content: 'again' }, 'stop') + 'data: [DONE]\n\n'); });
    const again = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body() });
    expect(await again.text()).to.contain('again');
  });

  it('turns an upstream that dies mid-stream into an in-stream error without [DONE]', async () => {
    mock.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk('gpt-x', { role: 'assistant', content: 'partial' }));
      setTimeout(() => res.destroy(), 20);
    });
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body() });
    const text = await res.text();
    expect(text).to.contain('partial');
    const last = text.trim().split('\n\n').at(-1)!;
    // The provider was reached and began to answer: its stream ended without [DONE], so truncated.
    expect(JSON.parse(last.replace(/^data: /, ''))).to.have.nested.property('error.code', 'SLUICE_E_UPSTREAM_TRUNCATED');
    expect(text).to.not.contain('[DONE]');
  });

  it('lets an in-flight stream finish during a graceful shutdown, then refuses new work', async () => {
    const g = await startGateway(config({
      providers: `  upstream: { type: openai, base_url: "${mock.url}" }`,
      chain: '  - use: router\n    with: { default: upstream }',
      server: '  shutdown_grace_ms: 3000\n',
    }));
    mock.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk('gpt-x', { role: 'assistant', content: 'slow' }));
      setTimeout(() => res.end(chunk('gpt-x', { content: ' end' }, 'stop') + 'data: [DONE]\n\n'), 300);
    });
    const before = mock.requests.length;
    const pending = fetch(`${g.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body() }).then((r) => r.text());
    // Shut down once the stream is in flight upstream (not after a fixed delay: a loaded machine may
    // not have sent it yet, and a request arriving while draining is rightly refused).
    while (mock.requests.length === before) await new Promise((r) => setTimeout(r, 10));
    const stopping = g.close();
    const text = await pending;
    await stopping;
    expect(text).to.contain(' end').and.to.contain('[DONE]');
    const refused = await fetch(`${g.url}/v1/models`).then(() => 'answered', () => 'refused');
    expect(refused).to.equal('refused');
  });

  it('a client that stops reading stops the upstream; reading again, it gets all ~20 MB in order', async function () {
    this.timeout(60_000);
    let written = 0;
    let upstreamDone = false;
    mock.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      const pump = () => {
        while (i < 20_000) {
          const ok = res.write(chunk('gpt-x', i === 0 ? { role: 'assistant', content: `${i}:` } : { content: `${i}:${'x'.repeat(1000)}|` }));
          i++;
          written = i;
          if (!ok) { res.once('drain', pump); return; }
        }
        res.end(chunk('gpt-x', {}, 'stop') + 'data: [DONE]\n\n');
        upstreamDone = true;
      };
      pump();
    });
    const url = new URL(`${gw.url}/v1/chat/completions`);
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, resolve);
      req.on('error', reject);
      req.end(body());
    });
    expect(res.statusCode).to.equal(200);
    res.pause();
    // Until the buffers between the upstream and this paused reader are full: on a loaded machine
    // that takes longer than any fixed wait, so wait for the upstream's writes to stop growing — for
    // three windows in a row: after the process was off the CPU, its overdue timer runs before the
    // socket events that came meanwhile, so one window without a write can be the machine's (seen:
    // 3,276 more writes after such a window).
    let before = -1;
    let still = 0;
    for (let waited = 0; still < 3 && waited < 15_000; waited += 300) {
      before = written;
      await new Promise((r) => setTimeout(r, 300));
      still = written === before ? still + 1 : 0;
    }
    const heldAt = written;
    expect(upstreamDone, 'the upstream is held back while the client does not read').to.equal(false);
    expect(heldAt, 'far less than the whole answer left the upstream').to.be.lessThan(10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(written - heldAt, 'and stays held').to.be.lessThan(200);

    let text = '';
    res.setEncoding('utf8');
    res.on('data', (d: string) => { text += d; });
    res.resume();
    await new Promise((r) => res.on('end', r));
    expect(upstreamDone).to.equal(true);
    const contents = text.split('\n\n').filter((f) => f.startsWith('data: {')).map((f) => (JSON.parse(f.slice(6)) as { choices: { delta: { content?: string } }[] }).choices[0]!.delta.content ?? '');
    const numbers = contents.filter((c) => c !== '').map((c) => Number(c.slice(0, c.indexOf(':'))));
    expect(numbers).to.have.length(20_000);
    expect(numbers.every((n, i) => n === i), 'every event, in order').to.equal(true);
    expect(text.endsWith('data: [DONE]\n\n')).to.equal(true);
  });
});
