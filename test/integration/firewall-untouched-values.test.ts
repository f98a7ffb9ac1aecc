// Redaction rewrites the request, but only the values it redacts: everything else the client sent
// reaches the provider byte for byte — integers beyond 2^53 (a `seed`, an id in tool arguments),
// numbers written `1.0` or `1e3`, escapes — which a parse and re-serialisation would change. The
// recording proxy is the judge of the bytes the provider got.
import { expect } from 'chai';
import type { TestGateway } from '../helpers/gateway.js';
import { exactModel, startFirewallRig, type FirewallRig } from './firewall-rig.js';

const EMAIL = 'ann.lee@corp-mail.io';

async function post(gw: TestGateway, path: string, text: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: text });
}

describe('firewall redaction keeps every untouched value byte-exact', () => {
  let rig: FirewallRig;
  let gw: TestGateway;
  before(async () => {
    rig = await startFirewallRig();
    gw = await rig.gateway('{ mode: redact }');
  });
  after(async () => { rig.proxy.forward(); await rig.close(); });

  it('Chat: a seed and a tool-argument id beyond 2^53, 1.0 and 1e3, escapes — only the value changes', async () => {
    const args = `{"order_id":98765432109876543210,"to":"${EMAIL}","amount":1.10,"path":"a\\/b"}`;
    const text = `{"model":"${exactModel('openai.chat')}","seed":12345678901234567890,"temperature":1.0,"max_tokens":1e3,`
      + `"messages":[{"role":"user","content":"mail ${EMAIL}"},`
      + `{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"send","arguments":${JSON.stringify(args)}}}]},`
      + '{"role":"tool","tool_call_id":"c1","content":"sent to caf\\u00e9"}],"metadata":{"trace":9007199254740993}}';
    const from = rig.proxy.requests.length;
    const res = await post(gw, '/v1/chat/completions', text);
    expect(res.status, await res.clone().text()).to.equal(200);
    const seen = rig.proxy.requests.slice(from);
    expect(seen).to.have.length(1);
    expect(seen[0]!.body).to.equal(text.replaceAll(EMAIL, '[EMAIL_ADDRESS_1]'));
  });

  it('Anthropic: a big integer inside tool_use.input and in metadata survives redaction of a sibling', async () => {
    const text = `{"model":"${exactModel('anthropic.messages')}","max_tokens":64,"metadata":{"user_id":"u-1"},`
      + `"messages":[{"role":"user","content":"hi ${EMAIL}"},`
      + `{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"send","input":{"id":18446744073709551615,"to":"${EMAIL}"}}]},`
      + '{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"ok"}]}]}';
    const from = rig.proxy.requests.length;
    const res = await post(gw, '/v1/messages', text, { 'anthropic-version': '2023-06-01' });
    expect(res.status, await res.clone().text()).to.equal(200);
    const seen = rig.proxy.requests.slice(from);
    expect(seen).to.have.length(1);
    expect(seen[0]!.body).to.equal(text.replaceAll(EMAIL, '[EMAIL_ADDRESS_1]'));
  });

  it('the answer: restore rewrites only the placeholders; the model\'s big integers and spellings reach the client as sent', async () => {
    const answer = '{"id":"msg_1","type":"message","role":"assistant","model":"m","stop_reason":"tool_use","stop_sequence":null,'
      + '"content":[{"type":"tool_use","id":"t2","name":"send","input":{"order_id":98765432109876543210,"to":"[EMAIL_ADDRESS_1]","rate":1.50}}],'
      + '"usage":{"input_tokens":10,"output_tokens":5}}';
    rig.proxy.script((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(answer); });
    try {
      const text = `{"model":"${exactModel('anthropic.messages')}","max_tokens":64,"messages":[{"role":"user","content":"mail ${EMAIL}"}]}`;
      const res = await post(gw, '/v1/messages', text, { 'anthropic-version': '2023-06-01' });
      expect(res.status).to.equal(200);
      expect(await res.text()).to.equal(answer.replace('[EMAIL_ADDRESS_1]', EMAIL));
    } finally {
      rig.proxy.forward();
    }
  });

  it('a Gemini stream: an event whose functionCall.args get a value back keeps the model\'s big integer', async () => {
    const chunk = '{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"send","args":{"order_id":98765432109876543210,"to":"[EMAIL_ADDRESS_1]"}}}]},"finishReason":"STOP","index":0}],'
      + '"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":3,"totalTokenCount":8},"modelVersion":"m"}';
    rig.proxy.script((_req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.end(`data: ${chunk}\r\n\r\n`); });
    try {
      const text = `{"contents":[{"role":"user","parts":[{"text":"mail ${EMAIL}"}]}]}`;
      const res = await post(gw, `/v1beta/models/${exactModel('gemini.generate')}:streamGenerateContent?alt=sse`, text);
      expect(res.status).to.equal(200);
      const data = (await res.text()).split(/\r?\n/).filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
      expect(data).to.deep.equal([chunk.replace('[EMAIL_ADDRESS_1]', EMAIL)]);
    } finally {
      rig.proxy.forward();
    }
  });
});
