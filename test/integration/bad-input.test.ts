// Bad input gets a protocol-correct 4xx, never a 5xx or a crash; every answer carries the ids.
import { expect } from 'chai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';
import { rawRequest } from '../helpers/raw-http.js';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('bad input and response headers', () => {
  let gw: TestGateway;
  before(async () => { gw = await startGateway(config({ server: '  body_limit: 2kb\n  shutdown_grace_ms: 200\n' })); });
  after(() => gw.close());

  const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }, path = '/v1/chat/completions') =>
    fetch(gw.url + path, { method: 'POST', headers, body });

  async function expectOpenAIError(res: Response, status: number, code: string) {
    expect(res.status).to.equal(status);
    const body = (await res.json()) as { error: { message: string; type: string; param: unknown; code: string } };
    expect(body.error.code).to.equal(code);
    expect(body.error.type).to.be.a('string');
    expect(body.error.message).to.be.a('string').and.not.empty;
    expect(body.error).to.have.property('param');
  }

  it('malformed JSON → 400', async () => expectOpenAIError(await post('{"model": "x", '), 400, 'SLUICE_E_BAD_JSON'));
  it('malformed JSON: the 400 never quotes the body (it may hold a secret the firewall never got to read)', async () => {
    for (const body of ['{"model":"x","messages":[{"role":"user","content": AKIAZ3MJQX7TNVB4KWPQ}]}', 'AKIAZ3MJQX7TNVB4KWPQ', '{"model":"x" "k": "AKIAZ3MJQX7TNVB4KWPQ"}']) {
      const res = await post(body);
      expect(res.status).to.equal(400);
      const { error } = (await res.json()) as { error: { message: string; code: string } };
      expect(error.code).to.equal('SLUICE_E_BAD_JSON');
      expect(error.message, body).not.to.match(/AKIA|MJQX|KWPQ/);
    }
  });
  it('a JSON array body → 400', async () => expectOpenAIError(await post('[1,2]'), 400, 'SLUICE_E_BAD_JSON'));
  it('an empty body → 400', async () => expectOpenAIError(await post(''), 400, 'SLUICE_E_BAD_JSON'));
  it('a wrong content type → 415', async () => expectOpenAIError(await post('model=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'SLUICE_E_UNSUPPORTED_MEDIA_TYPE'));
  it('an oversized body → 413', async () => expectOpenAIError(await post(JSON.stringify({ model: 'x', messages: [{ role: 'user', content: 'a'.repeat(4000) }] })), 413, 'SLUICE_E_BODY_TOO_LARGE'));
  it('a missing model → 400 naming the param', async () => {
    const res = await post(JSON.stringify({ messages: [] }));
    expect(res.status).to.equal(400);
    expect(((await res.json()) as { error: { param: string } }).error.param).to.equal('model');
  });
  it('a non-boolean stream flag → 400', async () => expectOpenAIError(await post(JSON.stringify({ model: 'x', stream: 'yes' })), 400, 'SLUICE_E_INVALID_REQUEST'));
  it('an unknown path → 404', async () => expectOpenAIError(await post('{}', undefined, '/v1/nope'), 404, 'SLUICE_E_NOT_FOUND'));
  it('a wrong method → 405 with Allow', async () => {
    const res = await fetch(gw.url + '/v1/chat/completions');
    expect(res.headers.get('allow')).to.equal('POST');
    await expectOpenAIError(res, 405, 'SLUICE_E_METHOD_NOT_ALLOWED');
  });

  describe('JSON nested too deep (issue 8 item 5)', () => {
    const deepChat = (depth: number) => `{"model":"loopback","messages":[{"role":"user","content":"hi"}],"metadata_x":${nested(depth - 1)}}`;
    it('refuses nesting past server.max_json_depth with a 400 in each envelope, before anything walks it', async () => {
      await expectOpenAIError(await post(deepChat(129)), 400, 'SLUICE_E_JSON_TOO_DEEP');
      const anthropic = await post(`{"model":"loopback","max_tokens":5,"messages":[{"role":"user","content":${nested(500)}}]}`, undefined, '/v1/messages');
      expect(anthropic.status).to.equal(400);
      expect(await anthropic.json()).to.deep.equal({ type: 'error', error: { type: 'invalid_request_error', message: 'request body is nested more than 128 levels deep' } });
      const gemini = await post(`{"contents":${nested(900)}}`, undefined, '/v1beta/models/loopback:generateContent');
      expect(gemini.status).to.equal(400);
      expect(await gemini.json()).to.deep.equal({ error: { code: 400, message: 'request body is nested more than 128 levels deep', status: 'INVALID_ARGUMENT' } });
    });
    it('accepts exactly the limit, and does not count brackets inside strings', async () => {
      expect((await post(deepChat(128))).status).to.equal(200);
      const inString = JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: `${nested(700)} \\" {{{` }] });
      expect((await post(inString)).status).to.equal(200);
    });
  });

  it('a compressed body → 415 naming the encoding (Sluice does not decode request bodies)', async () => {
    const body = JSON.stringify({ model: 'loopback', messages: [] });
    await expectOpenAIError(await post(body, { 'content-type': 'application/json', 'content-encoding': 'gzip' }), 415, 'SLUICE_E_UNSUPPORTED_ENCODING');
    await expectOpenAIError(await post(body, { 'content-type': 'application/json', 'content-encoding': 'br' }), 415, 'SLUICE_E_UNSUPPORTED_ENCODING');
    expect((await post(body, { 'content-type': 'application/json', 'content-encoding': 'identity' })).status).to.equal(200);
  });

  it('a malformed %-escape in a path → 400 in the path\'s envelope with a request id, not a plain-text 500', async () => {
    const res = await post('{}', { 'content-type': 'application/json', 'x-request-id': 'pct-1' }, '/v1beta/models/%E0%A4%A:generateContent');
    expect(res.status).to.equal(400);
    expect(res.headers.get('x-request-id')).to.equal('pct-1');
    expect(res.headers.get('content-type')).to.match(/^application\/json/);
    const body = (await res.json()) as { error: { code: number; status: string; message: string } };
    expect(body.error).to.include({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(body.error.message).to.match(/malformed %-escape/);
    const model = await fetch(gw.url + '/v1/models/%zz', { headers: { 'x-request-id': 'pct-2' } });
    expect(model.status).to.equal(400);
    expect(((await model.json()) as { error: { code: string } }).error.code).to.equal('SLUICE_E_INVALID_REQUEST');
    const lines = gw.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === 'request' && (l['request_id'] === 'pct-1' || l['request_id'] === 'pct-2'));
    expect(lines.map((l) => l['status'])).to.deep.equal([400, 400]);
  });

  it('a client that aborts its upload is logged as a disconnect (499), never as an internal error (item 18)', async () => {
    const port = Number(new URL(gw.url).port);
    await rawRequest(port, 'POST /v1/chat/completions HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\nx-request-id: upload-abort-1\r\ncontent-length: 500\r\n\r\n{"model":"loop', { writes: [[50, null]] });
    await new Promise((r) => setTimeout(r, 50));
    const lines = gw.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['request_id'] === 'upload-abort-1');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ msg: 'request', outcome: 'client_disconnect', status: 499 });
    expect(gw.logs.join('\n')).to.not.include('internal error');
  });

  it('logs model names at most 128 characters long (item 20)', async () => {
    const model = 'm'.repeat(1500);
    await post(JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }), { 'content-type': 'application/json', 'x-request-id': 'long-model-1' });
    const line = gw.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['request_id'] === 'long-model-1')!;
    expect(line['model']).to.be.a('string').and.match(/^m{128}…\(1500 chars\)$/);
    expect(gw.logs.find((l) => l.includes('"long-model-1"'))!.length).to.be.below(1000);
  });

  it('the gateway still serves after all of that', async () => {
    const res = await post(JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'ok?' }] }));
    expect(res.status).to.equal(200);
  });

  it('echoes a valid x-request-id and replaces an invalid one', async () => {
    const body = JSON.stringify({ model: 'loopback', messages: [] });
    const good = await post(body, { 'content-type': 'application/json', 'x-request-id': 'client-id-123' });
    expect(good.headers.get('x-request-id')).to.equal('client-id-123');
    const bad = await post(body, { 'content-type': 'application/json', 'x-request-id': 'bad id with spaces and a \"quote' });
    expect(bad.headers.get('x-request-id')).to.match(/^req_[0-9a-f]{32}$/);
  });

  it('accepts only letters, digits and . _ : - (at most 128) as a client request id (item 20)', async () => {
    const body = JSON.stringify({ model: 'loopback', messages: [] });
    const idOf = async (id: string) => (await post(body, { 'content-type': 'application/json', 'x-request-id': id })).headers.get('x-request-id');
    expect(await idOf('trace.01_A:b-c')).to.equal('trace.01_A:b-c');
    expect(await idOf('a'.repeat(128))).to.equal('a'.repeat(128));
    for (const unsafe of ['a/b', 'a+b', 'a=b', 'user@host', 'a'.repeat(129), 'caf%C3%A9', 'a;b', '<script>']) {
      expect(await idOf(unsafe), unsafe).to.match(/^req_[0-9a-f]{32}$/);
    }
  });

  it('reports its own overhead on success and on error', async () => {
    const ok = await post(JSON.stringify({ model: 'loopback', messages: [] }));
    const err = await post('{');
    for (const res of [ok, err]) expect(Number(res.headers.get('x-sluice-overhead-ms'))).to.be.a('number').and.at.least(0).and.below(1000);
  });

  it('/health and /ready answer plain JSON without secrets', async () => {
    const health = await fetch(gw.url + '/health');
    expect(await health.json()).to.include({ status: 'ok' });
    const ready = await fetch(gw.url + '/ready');
    expect(ready.status).to.equal(200);
    expect(await ready.json()).to.deep.include({ status: 'ready' });
  });

  it('/metrics counts requests in Prometheus text format', async () => {
    const text = await (await fetch(gw.url + '/metrics')).text();
    expect(text).to.match(/# TYPE sluice_requests_total counter/);
    expect(text).to.match(/sluice_requests_total\{endpoint="openai.chat",provider="local",status="2xx",outcome="success"\} \d+/);
  });

  it('logs one line per request with the request id and no prompt text', async () => {
    await post(JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'my secret prompt' }] }), { 'content-type': 'application/json', 'x-request-id': 'log-check-1' });
    const line = gw.logs.find((l) => l.includes('"log-check-1"'));
    expect(line).to.be.a('string');
    expect(JSON.parse(line!)).to.include({ msg: 'request', status: 200, outcome: 'success' });
    expect(gw.logs.join('\n')).to.not.include('my secret prompt');
  });
});
