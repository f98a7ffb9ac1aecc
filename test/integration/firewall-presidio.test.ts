// The Presidio sidecar in the chain, against a fake presidio-analyzer speaking its REST shapes: its
// findings count in every mode, a slow or failing sidecar follows on_error, its health is in /ready,
// and sidecars/presidio/README.md's config starts and works as written.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { QUICK_SHUTDOWN, startGateway, type TestGateway } from '../helpers/gateway.js';
import { errorStatus, openaiClient } from '../helpers/translation-rig.js';
import { agents } from './firewall-agents.js';
import { leaked, modelFor, settle, startFirewallRig, type FirewallRig } from './firewall-rig.js';

const NAME = 'Maria Garcia';
const EMAIL = 'ann.lee@corp-mail.io';

interface FakeAnalyzer {
  url: string;
  analyzed: string[];
  /** hold: answers wait until release() (a sidecar too slow for any timeout, whatever the machine's load). */
  behaviour: { hold: boolean; status: number; healthy: boolean };
  /** Sends the answers held so far. */
  release(): void;
  close(): Promise<void>;
}

/** Finds NAME as PERSON, with code-point offsets as Python counts them. */
async function fakeAnalyzer(): Promise<FakeAnalyzer> {
  const analyzed: string[] = [];
  const behaviour = { hold: false, status: 200, healthy: true };
  const held: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => { raw += c; });
    req.on('end', () => {
      if (req.url === '/health') { res.writeHead(behaviour.healthy ? 200 : 503).end('Presidio Analyzer service is up'); return; }
      const { text } = JSON.parse(raw) as { text: string };
      analyzed.push(text);
      const answer = () => {
        if (behaviour.status !== 200) { res.writeHead(behaviour.status, { 'content-type': 'application/json' }).end('{"error":"boom"}'); return; }
        const at = text.indexOf(NAME);
        const start = at < 0 ? 0 : [...text.slice(0, at)].length;
        const results = at < 0 ? [] : [{ entity_type: 'PERSON', start, end: start + NAME.length, score: 0.85, analysis_explanation: null, recognition_metadata: {} }];
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(results));
      };
      if (behaviour.hold) held.push(answer); else answer();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, analyzed, behaviour,
    release: () => { for (const answer of held.splice(0)) answer(); },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

describe('firewall with the Presidio sidecar', () => {
  let analyzer: FakeAnalyzer;
  let rig: FirewallRig;
  const gateways: TestGateway[] = [];
  const start = async (yaml: string) => { const gw = await rig.gateway(yaml); gateways.push(gw); return gw; };
  // Far more than a call to the fake takes, even on a loaded machine: a test that wants a timeout holds the answer.
  const presidio = (extra = '', timeout = 5000) => `presidio: { url: "${analyzer.url}", timeout_ms: ${timeout}${extra} }`;

  before(async () => { analyzer = await fakeAnalyzer(); rig = await startFirewallRig(); });
  beforeEach(() => { Object.assign(analyzer.behaviour, { hold: false, status: 200, healthy: true }); analyzer.release(); });
  after(async () => {
    for (const gw of gateways) for (const line of gw.logs) expect(leaked(line, [NAME, EMAIL]), line.slice(0, 200)).to.deep.equal([]);
    await rig.close();
    await analyzer.close();
  });

  it("sidecars/presidio/README.md's config starts and works as written", async () => {
    const readme = readFileSync(path.join(process.cwd(), 'sidecars/presidio/README.md'), 'utf8');
    const block = /<!-- test\/integration\/firewall-presidio\.test\.ts[^>]*-->\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, 'the README keeps its marked example').to.be.a('string');
    expect(block).to.contain('url: http://127.0.0.1:5002');
    const gw = await startGateway(block!.replace('http://127.0.0.1:5002', analyzer.url) + QUICK_SHUTDOWN);
    gateways.push(gw);
    try {
      const prompt = `Please call ${NAME} at ${EMAIL}`;
      const answer = await openaiClient(gw.url).chat.completions.create({ model: 'any', messages: [{ role: 'user', content: prompt }] });
      expect(answer.choices[0]!.message.content).to.equal(`Loopback reply. You said: ${prompt}`);
      expect(analyzer.analyzed).to.include(prompt);
      const ready = await fetch(`${gw.url}/ready`);
      expect(ready.status).to.equal(200);
      expect(((await ready.json()) as { checks: Record<string, string> }).checks['firewall:presidio']).to.equal('ok');
      await settle();
      const line = gw.logs.map((l) => JSON.parse(l) as { msg: string; findings?: string[] }).find((l) => l.msg === 'request');
      expect(line?.findings).to.deep.equal(['PERSON=1:redacted', 'EMAIL_ADDRESS=1:redacted']);
    } finally {
      await gw.close();
    }
  });

  it('redact: the name never reaches the provider and comes back to the client', async () => {
    const gw = await start(`{ mode: redact, ${presidio()} }`);
    const from = rig.proxy.requests.length;
    const turn = await agents(gw.url)['anthropic.messages'](modelFor('anthropic.messages'), `assistant of ${NAME}`, `write to ${NAME}`, true);
    expect(turn.text).to.equal(`Loopback reply. You said: write to ${NAME}`);
    const seen = rig.proxy.requests.slice(from);
    expect(seen).to.have.length(1);
    expect(seen[0]!.body).not.to.contain(NAME);
    expect(seen[0]!.body).to.contain('assistant of [PERSON_1]').and.contain('write to [PERSON_1]');
  });

  it('enforce: a Presidio finding blocks', async () => {
    const gw = await start(`{ mode: enforce, ${presidio()} }`);
    const from = rig.proxy.requests.length;
    let error: unknown;
    try { await agents(gw.url)['openai.chat'](modelFor('openai.chat'), 'be brief', `write to ${NAME}`, false); } catch (err) { error = err; }
    expect(errorStatus(error)).to.equal(400);
    expect(String((error as Error).message)).to.contain('found PERSON');
    expect(rig.proxy.requests.length).to.equal(from);
  });

  it('monitor: recorded, nothing changed', async () => {
    const gw = await start(`{ mode: monitor, ${presidio()} }`);
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: modelFor('openai.chat'), messages: [{ role: 'user', content: `write to ${NAME}` }] }) });
    expect(res.status).to.equal(200);
    expect(res.headers.get('x-sluice-firewall')).to.equal('PERSON=1');
    expect(rig.proxy.requests.at(-1)!.body).to.contain(NAME);
  });

  it('a resent conversation is analysed once per new segment', async () => {
    const gw = await start(`{ mode: monitor, ${presidio()} }`);
    const client = openaiClient(gw.url);
    const messages: { role: 'user' | 'assistant'; content: string }[] = [];
    for (let i = 0; i < 5; i++) {
      messages.push({ role: 'user', content: `question ${i} about the weather in town ${i}` });
      const before = analyzer.analyzed.length;
      const answer = await client.chat.completions.create({ model: modelFor('openai.chat'), messages });
      // The new user turn, and the previous answer (first seen now): the history is not sent again.
      expect(analyzer.analyzed.length - before, `turn ${i}`).to.equal(i === 0 ? 1 : 2);
      messages.push({ role: 'assistant', content: answer.choices[0]!.message.content! });
    }
  });

  it('on_error allow: a slow sidecar is skipped for the request, logged without text, and asked again next time', async () => {
    // The timeout is what the slow request waits; the next one's answer must come within it too.
    const gw = await start(`{ mode: redact, ${presidio('', 1000)} }`);
    analyzer.behaviour.hold = true;
    const client = openaiClient(gw.url);
    const prompt = `write to ${NAME} at ${EMAIL}`;
    const from = rig.proxy.requests.length;
    const slow = await client.chat.completions.create({ model: modelFor('openai.chat'), messages: [{ role: 'user', content: prompt }] });
    expect(slow.choices[0]!.message.content).to.equal(`Loopback reply. You said: ${prompt}`);
    // Built-in findings only: the address is redacted, the name (Presidio's) got through.
    expect(rig.proxy.requests[from]!.body).to.contain(`write to ${NAME} at [EMAIL_ADDRESS_1]`);
    analyzer.behaviour.hold = false;
    analyzer.release();
    await client.chat.completions.create({ model: modelFor('openai.chat'), messages: [{ role: 'user', content: prompt }] });
    expect(rig.proxy.requests.at(-1)!.body).to.contain('write to [PERSON_1] at [EMAIL_ADDRESS_1]');
    const warning = gw.logs.map((l) => JSON.parse(l) as { msg: string; level: unknown; error?: string }).find((l) => l.msg.startsWith('presidio sidecar failed'));
    expect(warning?.error).to.match(/timed out after 1000 ms/);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).to.match(/sluice_firewall_sidecar_errors_total [1-9]/);
  });

  it('on_error block: the request is refused with 503 before any upstream call', async () => {
    const gw = await start(`{ mode: monitor, ${presidio(', on_error: block')} }`);
    analyzer.behaviour.status = 500;
    const from = rig.proxy.requests.length;
    const res = await fetch(`${gw.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body: JSON.stringify({ model: modelFor('anthropic.messages'), max_tokens: 10, messages: [{ role: 'user', content: `write to ${NAME}` }] }) });
    expect(res.status).to.equal(503);
    const body = await res.json() as { error: { type: string; message: string } };
    expect(body.error.type).to.equal('api_error');
    expect(body.error.message).to.contain('Presidio sidecar is unavailable').and.not.contain(analyzer.url);
    expect(rig.proxy.requests.length).to.equal(from);
  });

  it('/ready reports the sidecar: with on_error allow (the default) a sidecar down degrades the instance, it stays ready', async () => {
    const gw = await start(`{ ${presidio()} }`);
    expect((await fetch(`${gw.url}/ready`)).status).to.equal(200);
    analyzer.behaviour.healthy = false;
    const down = await fetch(`${gw.url}/ready`);
    expect(down.status).to.equal(200);
    const body = (await down.json()) as { status: string; checks: Record<string, string> };
    expect(body.status).to.equal('degraded');
    expect(body.checks['firewall:presidio']).to.match(/^failed/);
  });

  it('/ready with on_error block: a sidecar down makes the instance unready (it refuses every request)', async () => {
    const gw = await start(`{ ${presidio(', on_error: block')} }`);
    expect((await fetch(`${gw.url}/ready`)).status).to.equal(200);
    analyzer.behaviour.healthy = false;
    const down = await fetch(`${gw.url}/ready`);
    expect(down.status).to.equal(503);
    expect(((await down.json()) as { checks: Record<string, string> }).checks['firewall:presidio']).to.match(/^failed/);
  });
});
