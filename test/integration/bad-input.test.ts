// Bad input gets a protocol-correct 4xx, never a 5xx or a crash; every answer carries the ids.
import { expect } from 'chai';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

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
