// Fields the view cannot read (a content-bearing field of a type the protocol does not allow): enforce
// and redact refuse them before scanning anything; monitor counts them as unscanned beside what
// max_scan_chars left unscanned, in one header.
import { expect } from 'chai';
import { runPlugin } from '../../../core/testing/index.js';
import firewall from '../../../plugins/firewall/index.js';
import type { JsonObject } from '../../../core/index.js';

const EMAIL = 'ann.lee@corp-mail.io';
const chatAnswer = { json: { id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] } };
const odd = { text: `mail ${EMAIL}` };

function run(options: object, body: JsonObject) {
  return runPlugin(firewall, { path: '/v1/chat/completions', body, options, upstream: chatAnswer });
}

describe('firewall: unreadable fields', () => {
  it('enforce: refused before scanning, outcome blocked, no findings recorded', async () => {
    const r = await run({ mode: 'enforce' }, { model: 'm', messages: [{ role: 'user', content: `mail ${EMAIL}` }, { role: 'user', content: odd }] });
    expect(r.status).to.equal(400);
    expect(r.json).to.have.nested.property('error.code', 'SLUICE_E_FIREWALL_UNREADABLE');
    expect(r.json).to.have.nested.property('error.param', 'messages[1].content');
    expect(r.json).to.have.nested.property('error.message').that.contains('messages[1].content (an object)').and.not.contains(EMAIL);
    expect(r.completion.outcome).to.equal('blocked');
    expect(r.exchange.findings).to.have.length(0);
    expect(r.upstreamRequests).to.have.length(0);
  });

  it('redact: refused too, naming the first few fields', async () => {
    const r = await run({ mode: 'redact' }, { model: 'm', messages: [1, 2, 3, 4, 5] });
    expect(r.status).to.equal(400);
    expect(r.json).to.have.nested.property('error.message').that.contains('messages[0] (a number), messages[1] (a number), messages[2] (a number) and 2 more');
    expect(r.upstreamRequests).to.have.length(0);
  });

  it('monitor: sent on, the readable rest scanned; the header sums what max_scan_chars and the shape left unscanned', async () => {
    const body: JsonObject = { model: 'm', messages: [{ role: 'user', content: `mail ${EMAIL}` }, { role: 'user', content: 'x'.repeat(100) }, { role: 'user', content: odd }] };
    const r = await run({ mode: 'monitor', max_scan_chars: 50 }, body);
    expect(r.upstreamRequests).to.have.length(1);
    expect(r.exchange.findings.map((f) => f.type)).to.deep.equal(['EMAIL_ADDRESS']);
    expect(r.exchange.responseHeaders['x-sluice-firewall-unscanned']).to.equal(String(100 + JSON.stringify(odd).length));
  });

  it('monitor with header: false sets no header', async () => {
    const r = await run({ mode: 'monitor', header: false }, { model: 'm', messages: `mail ${EMAIL}` });
    expect(r.upstreamRequests).to.have.length(1);
    expect(r.exchange.responseHeaders).not.to.have.property('x-sluice-firewall-unscanned');
  });
});
