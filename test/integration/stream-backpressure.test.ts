// Back-pressure through a stream: a client that stops reading holds the upstream back (the gateway
// does not buffer the answer for it), and once it reads again it gets every event, in order.
import { expect } from 'chai';
import http from 'node:http';
import { chunk, startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

const EVENTS = 20_000;
const WORD = 'x'.repeat(1000);

describe('stream back-pressure', () => {
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

  it('a client that stops reading stops the upstream; reading again, it gets all ~20 MB in order', async () => {
    let written = 0;
    let upstreamDone = false;
    mock.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      const pump = () => {
        while (i < EVENTS) {
          const ok = res.write(chunk('gpt-x', i === 0 ? { role: 'assistant', content: `${i}:` } : { content: `${i}:${WORD}|` }));
          i++;
          written = i;
          if (!ok) { res.once('drain', pump); return; }
        }
        res.end(chunk('gpt-x', {}, 'stop') + 'data: [DONE]\n\n');
        upstreamDone = true;
      };
      pump();
    });
    const body = JSON.stringify({ model: 'gpt-x', stream: true, messages: [{ role: 'user', content: 'go' }] });
    const url = new URL(`${gw.url}/v1/chat/completions`);
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, resolve);
      req.on('error', reject);
      req.end(body);
    });
    expect(res.statusCode).to.equal(200);
    res.pause();
    await new Promise((r) => setTimeout(r, 600));
    const heldAt = written;
    expect(upstreamDone, 'the upstream is held back while the client does not read').to.equal(false);
    expect(heldAt, 'far less than the whole answer left the upstream').to.be.lessThan(EVENTS / 2);
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
    expect(numbers).to.have.length(EVENTS);
    expect(numbers.every((n, i) => n === i), 'every event, in order').to.equal(true);
    expect(text.endsWith('data: [DONE]\n\n')).to.equal(true);
  });
});
