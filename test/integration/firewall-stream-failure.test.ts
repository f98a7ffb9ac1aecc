// Output redaction when the upstream fails mid-stream: the text the scanner held back (up to
// hold_chars and the unfinished word) is the end of its channel, so it is scanned as such — values in
// it masked — and sent before the protocol's in-stream error, never lost and never sent unscanned.
import { expect } from 'chai';
import type { ServerResponse } from 'node:http';
import type { StreamEvent } from '../../core/index.js';
import type { TestGateway } from '../helpers/gateway.js';
import { goldenStream, parseSse, serialise, streamedText, streamRequest } from '../plugins/firewall/chain-helpers.js';
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
  after(async () => { await rig.close(); });

  for (const p of GENERATE) {
    for (const failure of ['reset', 'error event'] as const) {
      it(`${p}, ${failure}: the held text is masked and sent before the in-stream error`, async () => {
        const golden = await parseSse(await goldenStream(rig.b.url, p, PROMPT));
        const cut = cutAfterText(p, golden);
        rig.proxy.script(async (_req, res: ServerResponse) => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(serialise(cut));
          await new Promise((r) => setTimeout(r, 20));
          if (failure === 'reset') res.socket?.destroy();
          else res.end(errorEvent(p, cut.length));
        });
        const { path, body, headers } = streamRequest(p, PROMPT, modelFor(p));
        const raw = await (await fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })).text();
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
});
