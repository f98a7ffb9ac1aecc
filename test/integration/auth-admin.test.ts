// The identity admin API over HTTP through the real gateway: admin key required, JSON errors with
// codes, 400 naming the field, and the OpenAPI document; keys it makes work at once.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';
import { authConfig } from './auth-helpers.js';

const ADMIN_KEY = 'the-admin-key-of-this-test';

describe('auth: admin API over HTTP', function () {
  this.timeout(30_000);
  let gw: TestGateway;
  before(async () => {
    const dir = tempDir('sluice-admin-');
    const yaml = authConfig({ admin: ADMIN_KEY });
    writeFileSync(path.join(dir, 'sluice.yaml'), yaml);
    gw = await startGateway(yaml, { dir });
  });
  after(async () => { await gw?.close(); });

  async function call(method: string, pathname: string, body?: unknown, key = ADMIN_KEY): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${gw.url}/admin${pathname}`, {
      method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() as Record<string, unknown> };
  }

  it('refuses requests without the admin key — a Sluice API key is not one', async () => {
    expect((await call('GET', '/users', undefined, 'wrong')).status).to.equal(401);
    const created = await call('POST', '/users', { name: 'eve' });
    expect(created.status).to.equal(201);
    const key = (await call('POST', '/keys', { user: 'eve' })).json['key'] as string;
    expect((await call('GET', '/users', undefined, key)).status).to.equal(401);
  });

  it('creates a user and a key that works at once, and revokes it at once', async () => {
    expect((await call('POST', '/teams', { name: 'eng' })).status).to.equal(201);
    expect((await call('POST', '/users', { name: 'alice', team: 'eng' })).json).to.include({ name: 'alice', team: 'eng', status: 'active' });
    const created = await call('POST', '/keys', { user: 'alice', models: ['loop*'], expires: '7d', rpm: 30, name: 'laptop' });
    expect(created.status).to.equal(201);
    const { id, key } = created.json as { id: string; key: string };
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
    const answer = await client.chat.completions.create({ model: 'loopback', messages: [{ role: 'user', content: 'ping' }] });
    expect(answer.choices[0]!.message.content).to.be.a('string');
    const listed = await call('GET', '/keys?user=alice');
    expect(JSON.stringify(listed.json)).to.contain(id).and.not.contain(key);
    expect((await call('POST', `/keys/${id}/revoke`)).json).to.include({ status: 'revoked' });
    try {
      await client.chat.completions.create({ model: 'loopback', messages: [{ role: 'user', content: 'ping' }] });
      expect.fail('a revoked key was accepted');
    } catch (err) {
      expect((err as { status: number }).status).to.equal(401);
    }
  });

  it('answers bad input with a 400 whose error names the field, and unknown names with 404', async () => {
    const bad = await call('POST', '/keys', { user: 'alice', models: ['ok', 'not ok'] });
    expect(bad.status).to.equal(400);
    expect(bad.json['error']).to.include({ param: 'models[1]', code: 'SLUICE_E_INVALID_REQUEST' });
    const unknownField = await call('POST', '/users', { name: 'zed', colour: 'red' });
    expect(unknownField.status).to.equal(400);
    expect(unknownField.json['error']).to.include({ param: 'colour' });
    expect((await call('GET', '/users/nobody')).status).to.equal(404);
    expect((await call('POST', '/users', { name: 'alice' })).status).to.equal(409);
    expect((await call('DELETE', '/users/alice')).status).to.equal(405);
  });

  it('refuses a query parameter a route does not take, so a misspelt filter cannot list everyone', async () => {
    const misspelt = await call('GET', '/users?tema=eng');
    expect(misspelt.status).to.equal(400);
    expect(misspelt.json['error']).to.include({ param: 'tema', code: 'SLUICE_E_INVALID_REQUEST' });
    expect((await call('GET', '/keys?usr=alice')).json['error']).to.include({ param: 'usr' });
    expect((await call('GET', '/teams?x=1')).status).to.equal(400);
    expect((await call('GET', '/users?team=eng')).status).to.equal(200);
    expect((await call('GET', '/keys?user=alice')).status).to.equal(200);
  });

  it('serves GET /admin/openapi.json', async () => {
    const doc = await call('GET', '/openapi.json');
    expect(doc.status).to.equal(200);
    expect(doc.json['openapi']).to.equal('3.1.0');
    expect(Object.keys(doc.json['paths'] as object)).to.include.members(['/admin/users', '/admin/keys/{id}/revoke']);
  });
});
