// onRequest, from a plugin's side: every request that ends reaches every plugin's `onRequest` once,
// with the outcome and status the client got — those refused before the chain (bad JSON, unknown
// path, wrong method, too large, wrong media type, malformed HTTP, the admin API without a key,
// draining) as much as those the chain answered — and each gets its access-log line.
import { expect } from 'chai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { logLineFor, waitFor } from '../helpers/contract-kit.js';
import { rawRequest } from '../helpers/raw-http.js';
import { openaiClient } from '../helpers/translation-rig.js';

const PLUGIN = `import { definePlugin, z, GatewayError } from 'sluice';
export default definePlugin({ name: 'counter', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  setup: () => ({
    middleware: async ({ exchange }, next) => {
      if (exchange.model === 'forbidden') throw new GatewayError('SLUICE_E_BLOCKED', 'not this one');
      await next();
    },
    onRequest(r) {
      (globalThis.__everyRequest ??= []).push({ id: r.id, method: r.method, path: r.path, endpoint: r.endpoint, family: r.family,
        status: r.status, outcome: r.outcome, errorCode: r.errorCode, hasExchange: r.exchange !== undefined });
    },
  }) });`;

interface Rec { id: string; method: string; path: string; endpoint: string | undefined; family: string; status: number; outcome: string; errorCode: string | undefined; hasExchange: boolean }
declare global {
  // eslint-disable-next-line no-var
  var __everyRequest: Rec[] | undefined;
}

describe('contract: every request reaches onRequest', () => {
  let gw: TestGateway;
  const records = () => globalThis.__everyRequest!;
  const recordOf = (id: string) => waitFor(() => records().find((r) => r.id === id), `onRequest of ${id}`);
  const send = (id: string, method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    fetch(`${gw.url}${path}`, { method, headers: { 'content-type': 'application/json', 'x-request-id': id, ...headers }, body });

  before(async () => {
    globalThis.__everyRequest = [];
    gw = await startGateway(config({
      server: '  shutdown_grace_ms: 200\n  body_limit: 1kb\n',
      chain: '  - use: ./counter.js\n  - use: router\n    with: { default: local }',
    }), { files: { 'counter.js': PLUGIN } });
  });
  after(async () => { await gw.close(); });

  /** Sends, then checks the client's status, the onRequest record and the log line agree. */
  async function expectRecorded(id: string, res: Response, want: Partial<Rec> & { status: number; outcome: string }): Promise<void> {
    expect(res.status).to.equal(want.status);
    await res.arrayBuffer();
    const rec = await recordOf(id);
    expect(rec).to.include(want);
    const line = await logLineFor(gw, id);
    expect(line).to.include({ status: want.status, outcome: want.outcome });
    if (want.errorCode) expect(line.error).to.equal(want.errorCode);
    expect(records().filter((r) => r.id === id)).to.have.length(1); // once, not once per layer
  }

  it('a request the chain answered: success, with its exchange', async () => {
    await openaiClient(gw.url).chat.completions.create({ model: 'loopback', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-request-id': 'every-ok' } });
    expect(await recordOf('every-ok')).to.include({ status: 200, outcome: 'success', endpoint: 'openai.chat', errorCode: undefined, hasExchange: true });
  });

  it('a policy refusal in the chain: blocked', async () => {
    await expectRecorded('every-blocked', await send('every-blocked', 'POST', '/v1/chat/completions', '{"model":"forbidden","messages":[]}'),
      { status: 400, outcome: 'blocked', errorCode: 'SLUICE_E_BLOCKED', endpoint: 'openai.chat' });
  });

  it('bad JSON: 400 in the endpoint\'s family, recorded as an error', async () => {
    const res = await send('every-bad-json', 'POST', '/v1/messages', '{"model": "x", ');
    expect(await res.clone().json()).to.deep.include({ type: 'error' });
    await expectRecorded('every-bad-json', res,
      { status: 400, outcome: 'error', errorCode: 'SLUICE_E_BAD_JSON', endpoint: 'anthropic.messages', family: 'anthropic', hasExchange: false });
  });

  it('no model: 400', async () => {
    await expectRecorded('every-no-model', await send('every-no-model', 'POST', '/v1/chat/completions', '{"messages":[]}'),
      { status: 400, outcome: 'error', errorCode: 'SLUICE_E_MISSING_MODEL' });
  });

  it('an unknown path: 404, no endpoint', async () => {
    await expectRecorded('every-404', await send('every-404', 'POST', '/v1/nothing/here', '{}'),
      { status: 404, outcome: 'error', errorCode: 'SLUICE_E_NOT_FOUND', endpoint: undefined, path: '/v1/nothing/here', method: 'POST' });
  });

  it('a wrong method: 405', async () => {
    await expectRecorded('every-405', await send('every-405', 'GET', '/v1/chat/completions'),
      { status: 405, outcome: 'error', errorCode: 'SLUICE_E_METHOD_NOT_ALLOWED', endpoint: undefined, method: 'GET' });
  });

  it('a body over server.body_limit: 413', async () => {
    const big = JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'x'.repeat(4096) }] });
    await expectRecorded('every-413', await send('every-413', 'POST', '/v1/chat/completions', big),
      { status: 413, outcome: 'error', errorCode: 'SLUICE_E_BODY_TOO_LARGE', endpoint: 'openai.chat' });
  });

  it('a body that is not JSON by its media type: 415', async () => {
    await expectRecorded('every-415', await send('every-415', 'POST', '/v1/chat/completions', 'model=x', { 'content-type': 'text/plain' }),
      { status: 415, outcome: 'error', errorCode: 'SLUICE_E_UNSUPPORTED_MEDIA_TYPE' });
  });

  it('the admin API without a key: refused, recorded as blocked', async () => {
    await expectRecorded('every-admin', await send('every-admin', 'GET', '/admin/keys'),
      { status: 403, outcome: 'blocked', errorCode: 'SLUICE_E_FORBIDDEN', endpoint: undefined, path: '/admin/keys' });
  });

  it('malformed HTTP that never became a request: 400, recorded too', async () => {
    const before = records().length;
    const res = await rawRequest(gw.running.port, 'GET /v1/models HTTP/1.1\r\nHost: localhost\r\nBad Header Name: y\r\n\r\n', { waitMs: 2000 });
    expect(res.status).to.equal(400);
    const rec = await waitFor(() => records().slice(before).find((r) => r.errorCode === 'SLUICE_E_MALFORMED_HTTP'), 'the malformed request\'s record');
    expect(rec).to.include({ status: 400, outcome: 'error', endpoint: undefined });
  });

  it('while draining: 503, recorded', async () => {
    gw.gateway.drain();
    await expectRecorded('every-draining', await send('every-draining', 'POST', '/v1/chat/completions', '{"model":"loopback","messages":[]}'),
      { status: 503, outcome: 'error', errorCode: 'SLUICE_E_SHUTTING_DOWN', endpoint: 'openai.chat' });
  });
});
