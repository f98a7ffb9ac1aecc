// max_scan_chars: the most new text one request makes the firewall scan (scanning holds the event
// loop). Beyond it enforce and redact refuse — nothing unscanned goes upstream — and monitor passes
// the request on, saying how much it did not scan. Texts the cache knows cost nothing.
import { expect } from 'chai';
import { runPlugin, type RunResult } from '../../../core/testing/index.js';
import firewall from '../../../plugins/firewall/index.js';
import type { JsonObject } from '../../../core/index.js';

const EMAIL = 'ann.lee@corp-mail.io';
const chatAnswer = { json: { id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] } };

/** Two user messages of 600 characters; the value sits in the second. */
const body: JsonObject = {
  model: 'm',
  messages: [
    { role: 'user', content: 'x'.repeat(600) },
    { role: 'user', content: `mail ${EMAIL} ${'y'.repeat(600 - 6 - EMAIL.length)}` },
  ],
};

async function run(mode: string, max: number, payload: JsonObject = body): Promise<RunResult> {
  return runPlugin(firewall, { path: '/v1/chat/completions', body: structuredClone(payload), options: { mode, max_scan_chars: max }, upstream: chatAnswer });
}

describe('firewall: max_scan_chars', () => {
  for (const mode of ['enforce', 'redact']) {
    it(`${mode}: more new text than the limit is refused with 413 before any upstream call`, async () => {
      const r = await run(mode, 1000);
      expect(r.status).to.equal(413);
      expect(JSON.stringify(r.json)).to.contain('SLUICE_E_FIREWALL_TOO_LARGE');
      expect(r.upstreamRequests).to.have.length(0);
    });
  }

  it('redact: within the limit the value is redacted as usual', async () => {
    const r = await run('redact', 1200);
    expect(r.upstreamRequests).to.have.length(1);
    expect(JSON.stringify(r.upstreamRequests[0]!.body)).not.to.contain(EMAIL);
  });

  it('0 means no limit', async () => {
    const r = await run('enforce', 0);
    expect(r.status).to.equal(400);
    expect(JSON.stringify(r.json)).to.contain('SLUICE_E_FIREWALL_BLOCKED');
  });

  it('monitor: the request goes on as sent, the rest unscanned, and the header says how much', async () => {
    const r = await run('monitor', 1000);
    expect(r.upstreamRequests).to.have.length(1);
    expect(JSON.stringify(r.upstreamRequests[0]!.body)).to.contain(EMAIL);
    expect(r.exchange.responseHeaders['x-sluice-firewall-unscanned']).to.equal('600');
    expect(r.exchange.findings).to.have.length(0);
  });

  it('the default limit is 1,000,000 characters', async () => {
    const big: JsonObject = { model: 'm', messages: [{ role: 'user', content: `${EMAIL} ${'z'.repeat(1_000_000)}` }] };
    const r = await runPlugin(firewall, { path: '/v1/chat/completions', body: big, options: { mode: 'redact' }, upstream: chatAnswer });
    expect(r.status).to.equal(413);
  });
});
