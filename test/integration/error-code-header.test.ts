// Every error answered before a stream began carries its SLUICE_E_* code in `x-sluice-error-code`,
// whatever the client's protocol: only OpenAI's envelope has a code field, so an Anthropic or Gemini
// client (and a log pipeline that reads headers) would otherwise see only a status and a message.
import { expect } from 'chai';
import { QUICK_SHUTDOWN, startGateway, type TestGateway } from '../helpers/gateway.js';

describe('x-sluice-error-code on errors of every protocol', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway(`providers: { local: { type: loopback } }
chain:
  - use: firewall
    with: { mode: enforce }
  - use: router
    with: { default: local }
${QUICK_SHUTDOWN}`);
  });
  after(() => gw.close());

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) => fetch(`${gw.url}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
  });
  const secret = 'my key is ghp_8kQ2vR7nX4mZ1pL9sT3wY6bD0fH5jC2gA8eU';

  it('a firewall block: the code in the header, the envelope of each SDK unchanged', async () => {
    const anthropic = await post('/v1/messages', { model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: secret }] }, { 'anthropic-version': '2023-06-01' });
    expect(anthropic.status).to.equal(400);
    expect(anthropic.headers.get('x-sluice-error-code')).to.equal('SLUICE_E_FIREWALL_BLOCKED');
    expect(Object.keys(await anthropic.json() as object).sort()).to.deep.equal(['error', 'type']);
    const gemini = await post('/v1beta/models/gemini-x:generateContent', { contents: [{ role: 'user', parts: [{ text: secret }] }] });
    expect(gemini.status).to.equal(400);
    expect(gemini.headers.get('x-sluice-error-code')).to.equal('SLUICE_E_FIREWALL_BLOCKED');
    expect((await gemini.json() as { error: Record<string, unknown> }).error).to.have.keys('code', 'message', 'status');
    const chat = await post('/v1/chat/completions', { model: 'gpt-x', messages: [{ role: 'user', content: secret }] });
    expect(chat.headers.get('x-sluice-error-code')).to.equal('SLUICE_E_FIREWALL_BLOCKED');
    expect(await chat.json()).to.have.nested.property('error.code', 'SLUICE_E_FIREWALL_BLOCKED');
  });

  it('an unknown path answers in the envelope of the SDK its headers give away', async () => {
    const anthropic = await fetch(`${gw.url}/v1/nonexist`, { headers: { 'anthropic-version': '2023-06-01' } });
    expect(anthropic.status).to.equal(404);
    expect(await anthropic.json()).to.include({ type: 'error' }).and.have.nested.property('error.type', 'not_found_error');
    const gemini = await fetch(`${gw.url}/v1/nonexist`, { headers: { 'x-goog-api-key': 'k' } });
    expect(await gemini.json()).to.have.nested.property('error.status', 'NOT_FOUND');
    const openai = await fetch(`${gw.url}/v1/nonexist`);
    expect(await openai.json()).to.have.nested.property('error.code', 'SLUICE_E_NOT_FOUND');
  });

  it('a request refused before the chain (bad JSON) carries it too', async () => {
    const res = await fetch(`${gw.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body: '{"model":' });
    expect(res.status).to.equal(400);
    expect(res.headers.get('x-sluice-error-code')).to.match(/^SLUICE_E_[A-Z_]+$/);
  });
});
