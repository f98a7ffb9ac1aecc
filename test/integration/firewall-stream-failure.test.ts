// Output redaction when the upstream fails mid-stream: the text the scanner held back (up to
// hold_chars and the unfinished word) is the end of its channel, so it is scanned as such — values in
// it masked — and sent before the protocol's in-stream error, never lost and never sent unscanned;
// a last word the failure cut (part of a token, say) is dropped rather than sent.
import { expect } from 'chai';
import type { ServerResponse } from 'node:http';
import type { StreamEvent } from '../../core/index.js';
import type { TestGateway } from '../helpers/gateway.js';
import { goldenStream, parseSse, serialise, splitDelta, streamedText, streamRequest } from '../plugins/firewall/chain-helpers.js';
import { GENERATE, modelFor, startFirewallRig, type FirewallRig, type GenProtocol } from './firewall-rig.js';

const MODEL_EMAIL = 'bot@model-mail.net';
const PROMPT = `a longer introduction so that text streams first, then write to ${MODEL_EMAIL}`;

/** The golden stream cut after its last text delta: no block or message end, no terminal event. */
function cutAfterText(p: GenProtocol, events: StreamEvent[]): StreamEvent[] {
  let last = -1;
  events.forEach((ev, i) => { if (streamedText(p, [ev]) !== '') last = i; });
  return events.slice(0, last + 1);
}

/** The error event each protocol's upstream sends mid-stream. */
function errorEvent(p: GenProtocol, sequence: number): string {
  switch (p) {
    case 'openai.chat': return `data: ${JSON.stringify({ error: { message: 'upstream broke', type: 'server_error', param: null, code: null } })}\n\n`;
    case 'openai.responses': return `event: error\ndata: ${JSON.stringify({ type: 'error', code: 'server_error', message: 'upstream broke', param: null, sequence_number: sequence })}\n\n`;
    case 'anthropic.messages': return `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })}\n\n`;
    case 'gemini.generate': return `data: ${JSON.stringify({ error: { code: 500, message: 'upstream broke', status: 'INTERNAL' } })}\n\n`;
  }
}

/** An in-stream error of any protocol: Anthropic's and Responses' error events, response.failed, an `error` object (Chat, Gemini). */
function isError(ev: StreamEvent): boolean {
  const data = ev.data as Record<string, unknown> | undefined;
  if (ev.event === 'error' || data?.['type'] === 'error' || data?.['type'] === 'response.failed') return true;
  return typeof data?.['error'] === 'object' && data['error'] !== null && data['type'] === undefined;
}

describe('firewall output redaction and a stream that fails', function () {
  this.timeout(60_000);
  let rig: FirewallRig;
  let gw: TestGateway;
  before(async () => {
    rig = await startFirewallRig();
    gw = await rig.gateway('{ mode: monitor, output: { mode: redact } }');
  });
  afterEach(() => rig.proxy.forward());

  /** What a client of `gateway` receives when the upstream sends `cut` and then fails. */
  async function failingAnswer(gateway: TestGateway, p: GenProtocol, prompt: string, cut: StreamEvent[], failure: 'reset' | 'error event'): Promise<string> {
    rig.proxy.script(async (_req, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(serialise(cut));
      await new Promise((r) => setTimeout(r, 20));
      if (failure === 'reset') res.socket?.destroy();
      else res.end(errorEvent(p, cut.length));
    });
    const { path, body, headers } = streamRequest(p, prompt, modelFor(p));
    return (await fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })).text();
  }
  after(async () => { await rig.close(); });

  for (const p of GENERATE) {
    for (const failure of ['reset', 'error event'] as const) {
      it(`${p}, ${failure}: the held text is masked and sent before the in-stream error`, async () => {
        const golden = await parseSse(await goldenStream(rig.b.url, p, PROMPT));
        const raw = await failingAnswer(gw, p, PROMPT, cutAfterText(p, golden), failure);
        expect(raw).not.to.contain(MODEL_EMAIL);
        const events = await parseSse(raw);
        expect(streamedText(p, events)).to.equal(`Loopback reply. You said: ${PROMPT.replace(MODEL_EMAIL, '[REDACTED_EMAIL_ADDRESS]')}`);
        // The error is the stream's last word: nothing of the answer comes after it.
        const errorAt = events.findIndex((ev) => isError(ev));
        expect(errorAt, raw.slice(-400)).to.be.above(-1);
        expect(streamedText(p, events.slice(errorAt))).to.equal('');
      });
    }
  }

  describe('when the failure comes in the middle of a secret', () => {
    // A GitHub token is 36 characters after its prefix: cut short, it is no token the detectors
    // know, and what was held of it would go out as it stands.
    const TOKEN = 'ghp_' + 'Zq8rT2mVx9KpL4sWn7Yb3Hc6Fd1Gj5Re0Ua2';
    const SECRET_PROMPT = `a longer introduction so that text streams first, then the token ${TOKEN} and more words after it`;
    let gateways: Record<string, TestGateway>;
    before(async () => {
      gateways = { redact: await rig.gateway('{ mode: monitor, output: { mode: redact } }'), block: await rig.gateway('{ mode: monitor, output: { mode: block } }') };
    });

    for (const p of GENERATE) {
      for (const mode of ['redact', 'block'] as const) {
        for (const [failure, at] of [['reset', 10], ['error event', 16], ['reset', 30], ['error event', 8]] as const) {
          it(`${p}, output ${mode}, ${failure} ${at} characters into it: nothing of the cut token is sent, and the text before it is`, async () => {
            const golden = await parseSse(await goldenStream(rig.b.url, p, SECRET_PROMPT));
            const split = splitDelta(p, golden, TOKEN, at);
            // Up to the delta that ends `at` characters into the token: the upstream fails there.
            const firstHalf = split.findIndex((ev) => streamedText(p, [ev]).endsWith(TOKEN.slice(0, at)));
            const raw = await failingAnswer(gateways[mode]!, p, SECRET_PROMPT, split.slice(0, firstHalf + 1), failure);
            const events = await parseSse(raw);
            const text = streamedText(p, events);
            expect(raw).not.to.contain(TOKEN.slice(4, at));
            expect(text.startsWith('Loopback reply. You said: a longer introduction'), text).to.equal(true);
            expect(events.findIndex((ev) => isError(ev)), raw.slice(-400)).to.be.above(-1);
          });
        }
      }
    }
  });
});
