// Issue 8 items 17 and 20: whatever refuses a request — Node's HTTP parser, an upgrade, an unknown
// path, a wrong method, the admin gate, a draining gateway — the answer is in the caller's
// envelope, carries x-request-id, and is one request log line and one count in the metrics.
import { expect } from 'chai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { rawRequest } from '../helpers/raw-http.js';

const ADMIN_KEY = 'admin-key-0123456789abcdef';
const ADMIN_PLUGIN = `import { definePlugin, z } from 'sluice';
export default definePlugin({ name: 'admin-echo', version: '1.0.0', sluice: '^0.1.0', options: z.strictObject({}),
  setup: (_o, host) => {
    host.addAdminRoute('GET', '/echo', () => ({ body: { ok: true } }));
    host.addAdminRoute('GET', '/boom', () => { throw new Error('admin route failed'); });
    // Answers once its client has gone: says what the signal carried, where the test can see it.
    host.addAdminRoute('GET', '/wait', ({ signal }) => new Promise((resolve) => {
      signal.addEventListener('abort', () => { globalThis.__adminAbort = signal.reason?.code; resolve({ body: {} }); });
    }));
    return {};
  } });`;

type LogLine = Record<string, unknown>;

describe('error surfaces: envelope, request id, log line and metric for every refusal', () => {
  let gw: TestGateway;
  let port: number;
  before(async () => {
    gw = await startGateway(
      config({ chain: '  - use: ./admin-echo.js\n  - use: router\n    with: { default: local }' }).replace('providers:', `admin:\n  key: ${ADMIN_KEY}\nproviders:`),
      { files: { 'admin-echo.js': ADMIN_PLUGIN } },
    );
    port = Number(new URL(gw.url).port);
  });
  after(() => gw.close());

  const linesFor = (id: string | null | undefined): LogLine[] =>
    gw.logs.map((l) => JSON.parse(l) as LogLine).filter((l) => l['msg'] === 'request' && l['request_id'] === id);
  const settle = () => new Promise((r) => setTimeout(r, 20));
  const counted = async (labels: string): Promise<number> => {
    const text = await (await fetch(gw.url + '/metrics')).text();
    const line = text.split('\n').find((l) => l.startsWith(`sluice_requests_total{${labels}}`));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  describe("Node's parser refusals", () => {
    it('a bad request line → 400 OpenAI envelope, request id, log line, metric', async () => {
      const before = await counted('endpoint="none",provider="none",status="4xx",outcome="error"');
      const res = await rawRequest(port, 'BAD METHOD / HTTP/1.1\r\nhost: localhost\r\n\r\n');
      expect(res.status).to.equal(400);
      expect(res.headers['connection']).to.equal('close');
      const body = JSON.parse(res.body) as { error: Record<string, unknown> };
      expect(body.error).to.include({ type: 'invalid_request_error', code: 'SLUICE_E_MALFORMED_HTTP', param: null });
      expect(res.headers['x-sluice-error-code']).to.equal('SLUICE_E_MALFORMED_HTTP');
      await settle();
      expect(linesFor(res.headers['x-request-id'])).to.have.length(1);
      expect(linesFor(res.headers['x-request-id'])[0]).to.include({ status: 400, outcome: 'error', error: 'SLUICE_E_MALFORMED_HTTP' });
      expect(await counted('endpoint="none",provider="none",status="4xx",outcome="error"')).to.equal(before + 1);
    });

    it('answers in the envelope of the path in the request line (Anthropic, Gemini)', async () => {
      const anthropic = await rawRequest(port, 'POST /v1/messages HTTP/1.1\r\nhost: localhost\r\ncontent-length: nope\r\n\r\n');
      expect(anthropic.status).to.equal(400);
      expect(JSON.parse(anthropic.body)).to.deep.include({ type: 'error' }).and.have.nested.property('error.type', 'invalid_request_error');
      const gemini = await rawRequest(port, 'POST /v1beta/models/gemini-2.5-flash:generateContent?key=k HTTP/1.1\r\nhost: localhost\r\nbad header\r\n\r\n');
      expect(gemini.status).to.equal(400);
      expect(JSON.parse(gemini.body)).to.have.nested.property('error.status', 'INVALID_ARGUMENT');
      expect(gemini.headers['x-request-id']).to.match(/^req_/);
    });

    it('headers over Node\'s limit → 431 in an envelope', async () => {
      const res = await rawRequest(port, `GET /v1/models HTTP/1.1\r\nhost: localhost\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`);
      expect(res.status).to.equal(431);
      expect(JSON.parse(res.body)).to.have.nested.property('error.code', 'SLUICE_E_HEADERS_TOO_LARGE');
      await settle();
      expect(linesFor(res.headers['x-request-id'])).to.have.length(1);
    });

    it('broken chunk framing inside a body → 400 from the handler: envelope, its request id, one log line', async () => {
      const res = await rawRequest(port, 'POST /v1/messages HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nx-request-id: bad-chunk-1\r\n\r\n5\r\n{"mod\r\n', { writes: [[50, 'zz\r\nxx\r\n']] });
      expect(res.status).to.equal(400);
      expect(res.headers['x-request-id']).to.equal('bad-chunk-1');
      expect(res.headers['connection']).to.equal('close');
      expect(JSON.parse(res.body)).to.deep.include({ type: 'error' }).and.have.nested.property('error.message').that.match(/HPE_INVALID_CHUNK_SIZE/);
      await settle();
      expect(linesFor('bad-chunk-1')).to.have.length(1);
      expect(linesFor('bad-chunk-1')[0]).to.include({ status: 400, error: 'SLUICE_E_MALFORMED_HTTP', outcome: 'error' });
    });

    it('garbage pipelined after a whole request does not cost that request its answer; the connection then closes', async () => {
      const body = JSON.stringify({ model: 'loopback', stream: true, messages: [{ role: 'user', content: 'hi' }] });
      const res = await rawRequest(port, `POST /v1/chat/completions HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}GARBAGE\r\n\r\n`);
      expect(res.text.match(/HTTP\/1\.1 \d{3}/g)).to.deep.equal(['HTTP/1.1 200']);
      expect(res.text).to.include('data: [DONE]');
      expect(res.closedAfterMs, 'closed by the server').to.be.a('number').and.below(1500);
    });

    it('a WebSocket upgrade off the Responses endpoint → 426 with a request id, logged', async () => {
      const res = await rawRequest(port, 'GET /v1/chat/completions HTTP/1.1\r\nhost: localhost\r\nconnection: upgrade\r\nupgrade: websocket\r\nx-request-id: ws-1\r\n\r\n');
      expect(res.status).to.equal(426);
      expect(res.headers['x-request-id']).to.equal('ws-1');
      expect(JSON.parse(res.body)).to.have.nested.property('error.code', 'websocket_not_supported');
      expect(res.headers['x-sluice-error-code']).to.equal('SLUICE_E_UPGRADE_REQUIRED');
      await settle();
      expect(linesFor('ws-1')).to.have.length(1);
      expect(linesFor('ws-1')[0]).to.include({ status: 426, error: 'SLUICE_E_UPGRADE_REQUIRED' });
    });

    it('an upgrade on the Responses endpoint that is no WebSocket handshake → 400 with a request id, logged', async () => {
      const res = await rawRequest(port, 'GET /v1/responses HTTP/1.1\r\nhost: localhost\r\nconnection: upgrade\r\nupgrade: websocket\r\nx-request-id: ws-2\r\n\r\n');
      expect(res.status).to.equal(400);
      expect(res.headers['x-request-id']).to.equal('ws-2');
      expect(res.headers['x-sluice-error-code']).to.equal('SLUICE_E_INVALID_REQUEST');
      await settle();
      expect(linesFor('ws-2')).to.have.length(1);
      expect(linesFor('ws-2')[0]).to.include({ status: 400, error: 'SLUICE_E_INVALID_REQUEST', endpoint: 'openai.responses' });
    });
  });

  describe('refusals before the handler', () => {
    it('404 and 405 are logged once and counted', async () => {
      const before = await counted('endpoint="none",provider="none",status="4xx",outcome="error"');
      const missing = await fetch(gw.url + '/v1/nope', { method: 'POST', body: '{}', headers: { 'x-request-id': 'nf-1' } });
      expect(missing.status).to.equal(404);
      const method = await fetch(gw.url + '/v1/messages', { method: 'PUT', body: '{}', headers: { 'x-request-id': 'mna-1' } });
      expect(method.status).to.equal(405);
      expect(await method.json()).to.deep.include({ type: 'error' });
      expect(linesFor('nf-1')).to.have.length(1);
      expect(linesFor('nf-1')[0]).to.include({ endpoint: 'none', method: 'POST', path: '/v1/nope', status: 404, error: 'SLUICE_E_NOT_FOUND', outcome: 'error' });
      expect(linesFor('mna-1')[0]).to.include({ status: 405, error: 'SLUICE_E_METHOD_NOT_ALLOWED' });
      expect(await counted('endpoint="none",provider="none",status="4xx",outcome="error"')).to.equal(before + 2);
    });

    it('a wrong method on an OpenAI-only path answers in the OpenAI envelope whatever SDK headers come with it', async () => {
      for (const headers of [{ 'anthropic-version': '2023-06-01' }, { 'x-goog-api-key': 'k' }] as Record<string, string>[]) {
        for (const path of ['/v1/chat/completions', '/v1/responses', '/v1/embeddings', '/chat/completions']) {
          const res = await fetch(gw.url + path, { headers });
          expect(res.status, path).to.equal(405);
          const body = await res.json() as { error?: Record<string, unknown> };
          expect(body.error, `${path} ${JSON.stringify(headers)}`).to.include({ type: 'invalid_request_error', code: 'SLUICE_E_METHOD_NOT_ALLOWED' });
        }
      }
      // A path every family shares (the model list) still follows the headers.
      const models = await fetch(gw.url + '/v1/models', { method: 'DELETE', headers: { 'anthropic-version': '2023-06-01' } });
      expect(await models.json()).to.deep.include({ type: 'error' });
    });

    it('the admin gate: a wrong key (even of the right length) is refused and logged as blocked; the right key passes', async () => {
      const wrong = 'x'.repeat(ADMIN_KEY.length);
      const refused = await fetch(gw.url + '/admin/echo', { headers: { authorization: `Bearer ${wrong}`, 'x-request-id': 'adm-1' } });
      expect(refused.status).to.equal(401);
      expect(((await refused.json()) as { error: { type: string } }).error.type).to.equal('authentication_error');
      const missing = await fetch(gw.url + '/admin/echo', { headers: { 'x-request-id': 'adm-2' } });
      expect(missing.status).to.equal(401);
      const ok = await fetch(gw.url + '/admin/echo', { headers: { authorization: `Bearer ${ADMIN_KEY}`, 'x-request-id': 'adm-3' } });
      expect(ok.status).to.equal(200);
      expect(await ok.json()).to.deep.equal({ ok: true });
      // The scheme is case-insensitive (RFC 9110), as it is on the data plane; another scheme is not a bearer key.
      for (const scheme of ['bearer', 'BEARER']) {
        expect((await fetch(gw.url + '/admin/echo', { headers: { authorization: `${scheme} ${ADMIN_KEY}` } })).status, scheme).to.equal(200);
      }
      expect((await fetch(gw.url + '/admin/echo', { headers: { authorization: `Basic ${ADMIN_KEY}` } })).status).to.equal(401);
      expect((await fetch(gw.url + '/admin/echo', { headers: { authorization: ADMIN_KEY } })).status).to.equal(401);
      expect(linesFor('adm-1')[0]).to.include({ endpoint: 'admin', status: 401, outcome: 'blocked' });
      expect(linesFor('adm-2')).to.have.length(1);
      expect(linesFor('adm-3')[0]).to.include({ endpoint: 'admin', status: 200, outcome: 'success' });
    });

    it('an admin route learns from its signal that the client went away (499, SLUICE_E_CLIENT_CLOSED)', async () => {
      const g = globalThis as { __adminAbort?: string };
      delete g.__adminAbort;
      const gone = await fetch(gw.url + '/admin/wait', { headers: { authorization: `Bearer ${ADMIN_KEY}` }, signal: AbortSignal.timeout(150) }).catch((e: Error) => e);
      expect(gone).to.be.instanceOf(Error);
      for (let i = 0; i < 50 && g.__adminAbort === undefined; i++) await settle();
      expect(g.__adminAbort).to.equal('SLUICE_E_CLIENT_CLOSED');
    });

    it('an admin route that throws → 500 in an envelope with the request id, logged once', async () => {
      const res = await fetch(gw.url + '/admin/boom', { headers: { authorization: `Bearer ${ADMIN_KEY}`, 'x-request-id': 'adm-boom' } });
      expect(res.status).to.equal(500);
      expect(res.headers.get('x-request-id')).to.equal('adm-boom');
      const text = await res.text();
      expect((JSON.parse(text) as { error: { code: string } }).error.code).to.equal('SLUICE_E_INTERNAL');
      expect(text, 'the cause is for the operator, not the client').to.not.include('admin route failed');
      expect(linesFor('adm-boom')).to.have.length(1);
      const internal = gw.logs.map((l) => JSON.parse(l) as LogLine).find((l) => l['msg'] === 'internal error' && l['request_id'] === 'adm-boom');
      expect(internal).to.have.nested.property('error.message', 'admin route failed');
    });

    it('a draining gateway answers 503 in the endpoint\'s envelope, closes the connection, and logs it; a disabled admin API 403s', async () => {
      const draining = await startGateway(config());
      try {
        draining.gateway.drain();
        const res = await fetch(draining.url + '/v1/messages', { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'drain-1' }, body: '{"model":"loopback"}' });
        expect(res.status).to.equal(503);
        expect(res.headers.get('connection')).to.equal('close');
        expect(await res.json()).to.deep.include({ type: 'error' });
        const line = draining.logs.map((l) => JSON.parse(l) as LogLine).find((l) => l['request_id'] === 'drain-1');
        expect(line).to.include({ msg: 'request', endpoint: 'anthropic.messages', status: 503, error: 'SLUICE_E_SHUTTING_DOWN' });
        // No admin key configured: the admin API is off (403), and that refusal is logged too.
        const admin = await fetch(draining.url + '/admin/anything', { headers: { 'x-request-id': 'adm-off' } });
        expect(admin.status).to.equal(403);
        expect(((await admin.json()) as { error: { type: string } }).error.type).to.equal('permission_error');
        const adminLine = draining.logs.map((l) => JSON.parse(l) as LogLine).find((l) => l['request_id'] === 'adm-off');
        expect(adminLine).to.include({ msg: 'request', endpoint: 'admin', status: 403, outcome: 'blocked' });
      } finally {
        await draining.close();
      }
    });
  });
});
