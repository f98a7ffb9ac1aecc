// Streams through the firewall, judged by the official SDKs: placeholders cut at every position of a
// delta (and the SSE bytes cut inside them) come back as the values; output scanning records, masks
// or ends the stream with the protocol's in-stream error, holding back only a little text.
import { expect } from 'chai';
import type { ServerResponse } from 'node:http';
import type { TestGateway } from '../helpers/gateway.js';
import { errorStatus } from '../helpers/translation-rig.js';
import { goldenStream, parseSse, serialise, splitDelta, streamedText, streamRequest, textPieces } from '../plugins/firewall/chain-helpers.js';
import { agents, type Agent } from './firewall-agents.js';
import { GENERATE, leaked, modelFor, settle, startFirewallRig, type FirewallRig, type GenProtocol } from './firewall-rig.js';

const EMAIL = 'ann.lee@corp-mail.io';
const AWS_KEY = 'AKIAZ3MJQX7TNVB4KWPQ';
const MODEL_EMAIL = 'bot@model-mail.net';

/** Writes `text` in two TCP writes cut at byte `cut`, a tick apart, as a real upstream might. */
async function writeCut(res: ServerResponse, text: string, cut: number): Promise<void> {
  const bytes = Buffer.from(text);
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(bytes.subarray(0, cut));
  await new Promise((r) => setTimeout(r, 2));
  res.end(bytes.subarray(cut));
}

describe('firewall and streams (SDKs as judges)', () => {
  let rig: FirewallRig;
  const gateways: TestGateway[] = [];
  before(async () => { rig = await startFirewallRig(); });
  afterEach(() => rig.proxy.forward());
  after(async () => {
    for (const gw of gateways) for (const line of gw.logs) expect(leaked(line, [EMAIL, AWS_KEY, MODEL_EMAIL]), line.slice(0, 200)).to.deep.equal([]);
    await rig.close();
  });

  describe('restore: a placeholder cut at every position of the delta that carries it', () => {
    let clients: Record<GenProtocol, Agent>;
    before(async () => { const gw = await rig.gateway('{ mode: redact }'); gateways.push(gw); clients = agents(gw.url); });

    for (const p of GENERATE) {
      it(p, async function () {
        this.timeout(60_000);
        // What loopback streams when it was sent the redacted prompt (the numbering the gateway will give).
        const prompt = `say ${EMAIL} and ${AWS_KEY} done`;
        const redacted = 'say [EMAIL_ADDRESS_1] and [AWS_ACCESS_KEY_ID_1] done';
        const golden = await parseSse(await goldenStream(rig.b.url, p, redacted));
        for (const needle of ['[EMAIL_ADDRESS_1]', '[AWS_ACCESS_KEY_ID_1]']) {
          for (let at = 1; at < needle.length; at++) {
            const text = serialise(splitDelta(p, golden, needle, at));
            // The SSE bytes are cut too, inside the placeholder's second half.
            const cut = Buffer.byteLength(text.slice(0, text.indexOf(needle.slice(at)) + 1));
            rig.proxy.script((_req, res) => writeCut(res, text, cut));
            const turn = await clients[p](modelFor(p), 'be brief', prompt, true);
            expect(turn.text, `${needle} cut at ${at}`).to.equal(`Loopback reply. You said: ${prompt}`);
          }
        }
      });
    }
  });

  describe('output scanning', () => {
    it('monitor records what the model answered (JSON header and log), changes nothing', async () => {
      const gw = await rig.gateway('{ mode: monitor, output: { mode: monitor } }');
      gateways.push(gw);
      for (const p of GENERATE) {
        const stream = await agents(gw.url)[p](modelFor(p), 'be brief', `mail ${EMAIL}`, true);
        expect(stream.text).to.equal(`Loopback reply. You said: mail ${EMAIL}`);
      }
      const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: modelFor('openai.chat'), messages: [{ role: 'user', content: `mail ${EMAIL}` }] }) });
      expect(res.headers.get('x-sluice-firewall')).to.equal('EMAIL_ADDRESS=1');
      expect(res.headers.get('x-sluice-firewall-output')).to.equal('EMAIL_ADDRESS=1');
      await settle();
      const lines = gw.logs.map((l) => JSON.parse(l) as { msg: string; findings?: string[] }).filter((l) => l.msg === 'request');
      expect(lines).to.have.length(5);
      for (const l of lines) expect(l.findings).to.deep.equal(['EMAIL_ADDRESS=1:recorded', 'EMAIL_ADDRESS=1:recorded']);
      const metrics = await (await fetch(`${gw.url}/metrics`)).text();
      expect(metrics).to.contain('sluice_firewall_findings_total{type="EMAIL_ADDRESS",action="recorded",direction="response"} 5');
    });

    it('monitor passes every protocol\'s stream through event for event, holding nothing back', async () => {
      // Output monitor only records: the client gets each delta as the upstream sent it (the scanner
      // holds back its window on its own copy), not text moved to later events behind empty deltas.
      const gw = await rig.gateway('{ mode: monitor, output: { mode: monitor } }');
      gateways.push(gw);
      const prompt = `mail ${EMAIL} and the rest of a longer sentence so that the window matters`;
      for (const p of GENERATE) {
        const golden = await goldenStream(rig.b.url, p, prompt);
        rig.proxy.script((_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.end(golden); });
        const { path, body, headers } = streamRequest(p, prompt, modelFor(p));
        const res = await fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
        const got = (await parseSse(await res.text())).map((e) => JSON.stringify(e.data));
        const want = (await parseSse(golden)).map((e) => JSON.stringify(e.data));
        expect(got, p).to.deep.equal(want);
      }
      rig.proxy.forward();
      await settle();
      const lines = gw.logs.map((l) => JSON.parse(l) as { msg: string; findings?: string[] }).filter((l) => l.msg === 'request');
      for (const l of lines) expect(l.findings).to.deep.equal(['EMAIL_ADDRESS=1:recorded', 'EMAIL_ADDRESS=1:recorded']);
    });

    it('redact masks values in text and in tool arguments, JSON and streamed, for every client', async () => {
      const gw = await rig.gateway('{ mode: monitor, output: { mode: redact } }');
      gateways.push(gw);
      const clients = agents(gw.url);
      for (const p of GENERATE) {
        for (const stream of [false, true]) {
          const text = await clients[p](modelFor(p), 'be brief', `mail ${EMAIL} now`, stream);
          expect(text.text, `${p} ${stream}`).to.equal('Loopback reply. You said: mail [REDACTED_EMAIL_ADDRESS] now');
          const tool = await clients[p](modelFor(p), 'be brief', `[[tool:lookup {"city":"Paris","note":"write to ${EMAIL} today"}]]`, stream);
          expect(tool.calls.map((c) => c.args), `${p} ${stream}`).to.deep.equal([{ city: 'Paris', note: 'write to [REDACTED_EMAIL_ADDRESS] today' }]);
        }
      }
    });

    it('with redact and restore: the client\'s own values come back, values the model made up are masked', async () => {
      const gw = await rig.gateway('{ mode: redact, output: { mode: redact } }');
      gateways.push(gw);
      const clients = agents(gw.url);
      for (const p of GENERATE) {
        const golden = await goldenStream(rig.b.url, p, `write [EMAIL_ADDRESS_1] or ${MODEL_EMAIL}`);
        rig.proxy.script((_req, res) => writeCut(res, golden, Math.floor(golden.length / 2)));
        const turn = await clients[p](modelFor(p), 'be brief', `mail ${EMAIL}`, true);
        expect(turn.text, p).to.equal(`Loopback reply. You said: write ${EMAIL} or [REDACTED_EMAIL_ADDRESS]`);
      }
    });

    it('block: the 400 that replaces a JSON answer carries x-sluice-firewall-output, as a request refusal carries its header', async () => {
      const gw = await rig.gateway('{ mode: monitor, output: { mode: block } }');
      gateways.push(gw);
      const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: modelFor('openai.chat'), messages: [{ role: 'user', content: `mail ${EMAIL}` }] }) });
      expect(res.status).to.equal(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('SLUICE_E_FIREWALL_BLOCKED');
      expect(res.headers.get('x-sluice-firewall')).to.equal('EMAIL_ADDRESS=1');
      expect(res.headers.get('x-sluice-firewall-output')).to.equal('EMAIL_ADDRESS=1');
    });

    it('redact and block send no delta with nothing in it for the text they hold back, in any protocol', async () => {
      // Holding text back must not turn the upstream's deltas into empty ones: a client would see
      // chunks with nothing in them (Chat `content: ""`, an empty text_delta, an empty part).
      const prompt = `mail ${MODEL_EMAIL} and the rest of a longer sentence, so that the held window moves along many small deltas`;
      for (const mode of ['redact', 'block'] as const) {
        const gw = await rig.gateway(`{ mode: monitor, output: { mode: ${mode} } }`);
        gateways.push(gw);
        for (const p of GENERATE) {
          const said = mode === 'block' ? prompt.replace(`mail ${MODEL_EMAIL} and `, '') : prompt;
          const golden = await parseSse(await goldenStream(rig.b.url, p, said));
          rig.proxy.script((_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.end(serialise(golden)); });
          const { path, body, headers } = streamRequest(p, said, modelFor(p));
          const events = await parseSse(await (await fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })).text());
          const empty = (list: string[]) => list.filter((t) => t === '').length;
          expect(empty(textPieces(p, events)), `${mode} ${p}: ${JSON.stringify(textPieces(p, events))}`).to.equal(empty(textPieces(p, golden)));
          expect(streamedText(p, events), `${mode} ${p}`).to.equal(`Loopback reply. You said: ${said.replace(MODEL_EMAIL, '[REDACTED_EMAIL_ADDRESS]')}`);
          if (p === 'openai.responses') {
            const numbers = events.map((e) => (e.data as { sequence_number?: number }).sequence_number).filter((n) => n !== undefined);
            expect(numbers, 'sequence numbers count up by one').to.deep.equal(numbers.map((_, i) => numbers[0]! + i));
          }
        }
        // And the SDKs rebuild the same answer from the stream as from the JSON body.
        rig.proxy.forward();
        for (const p of GENERATE) {
          const said = mode === 'block' ? 'a plain sentence long enough to be held back in several small pieces' : prompt;
          const clients = agents(gw.url);
          expect((await clients[p](modelFor(p), 'be brief', said, true)).text, `${mode} ${p} SDK`).to.equal((await clients[p](modelFor(p), 'be brief', said, false)).text);
        }
      }
    });

    for (const p of GENERATE) {
      it(`${p}: block ends the stream with the protocol's in-stream error, the value never sent`, async () => {
        const gw = await rig.gateway('{ mode: monitor, output: { mode: block } }');
        gateways.push(gw);
        const prompt = `a fairly long introduction so that some text streams first, then: mail ${EMAIL} and more words after it`;
        const { path, body, headers } = streamRequest(p, prompt, modelFor(p));
        const raw = await (await fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })).text();
        expect(raw).not.to.contain(EMAIL);
        expect(raw).to.contain('response blocked by the prompt firewall: the answer contained EMAIL_ADDRESS');
        expect(raw, 'text before the value was streamed').to.contain('introduction');
        if (p === 'openai.chat') expect(raw).not.to.contain('[DONE]');
        if (p === 'anthropic.messages') expect(raw).to.contain('event: error');
        // The SDK sees a failed stream.
        let error: unknown;
        try { await agents(gw.url)[p](modelFor(p), 'be brief', prompt, true); } catch (err) { error = err; }
        expect(error, 'the SDK reports the error').not.to.equal(undefined);
        // And a JSON answer is refused whole.
        let jsonError: unknown;
        try { await agents(gw.url)[p](modelFor(p), 'be brief', prompt, false); } catch (err) { jsonError = err; }
        expect(errorStatus(jsonError), String(jsonError)).to.equal(400);
        await settle();
        const lines = gw.logs.map((l) => JSON.parse(l) as { msg: string; outcome?: string; findings?: string[] }).filter((l) => l.msg === 'request');
        expect(lines.map((l) => l.outcome)).to.deep.equal(['blocked', 'blocked', 'blocked']);
        expect(lines[0]!.findings).to.deep.equal(['EMAIL_ADDRESS=1:recorded', 'EMAIL_ADDRESS=1:blocked']);
      });
    }
  });
});
