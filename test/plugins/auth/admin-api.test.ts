// The admin API's handlers (as core mounts them under /admin): CRUD, 400 naming the field, 404,
// 409, and the OpenAPI document.
import { expect } from 'chai';
import { GatewayError } from '../../../core/errors.js';
import { createHookDispatcher } from '../../../plugins/auth/hooks.js';
import { IdentityService } from '../../../plugins/auth/identity-service.js';
import { createLogger } from '../../../core/observability/logger.js';
import { mountAdminApi, sqliteDb, type AdminCall, type TestDb } from './helpers.js';

type Call = AdminCall;
const mount = mountAdminApi;

async function refused(p: Promise<unknown>): Promise<GatewayError> {
  try { await p; } catch (err) { if (err instanceof GatewayError) return err; throw err; }
  throw new Error('accepted');
}

describe('auth: admin API', () => {
  let db: TestDb;
  let call: Call;
  beforeEach(async () => {
    db = await sqliteDb();
    call = mount(new IdentityService({ database: async () => db.knex, hooks: createHookDispatcher(undefined, createLogger({ level: 'silent' })), announce: async () => {} }));
  });
  afterEach(() => db.close());

  it('creates, lists, shows, updates, disables and revokes', async () => {
    expect(await call('POST', '/teams', { name: 'eng' })).to.deep.include({ status: 201 });
    expect((await call('POST', '/users', { name: 'alice', team: 'eng', email: 'alice@example.com' })).body).to.include({ name: 'alice', team: 'eng' });
    const created = await call('POST', '/keys', { user: 'alice', models: ['gpt-*'], expires: '2030-01-01', rpm: 10, name: 'laptop' });
    expect(created.status).to.equal(201);
    const key = created.body as { id: string; key: string; expires_at: string };
    expect(key.key).to.match(/^sk-sluice-/);
    expect(key.expires_at).to.equal('2030-01-01T00:00:00.000Z');
    const listed = (await call('GET', '/keys', undefined, { user: 'alice' })).body as { data: { id: string }[] };
    expect(listed.data.map((k) => k.id)).to.deep.equal([key.id]);
    expect(JSON.stringify(listed)).to.not.contain(key.key);
    expect((await call('GET', `/keys/${key.id}`)).body).to.include({ id: key.id, status: 'active', name: 'laptop' });
    expect((await call('PATCH', `/keys/${key.id}`, { rpm: null, models: ['claude-*'] })).body).to.deep.include({ rpm: null, models: ['claude-*'] });
    expect((await call('POST', `/keys/${key.id}/revoke`)).body).to.include({ status: 'revoked' });
    expect((await call('PATCH', '/users/alice', { team: null })).body).to.include({ team: null });
    expect((await call('POST', '/users/alice/disable')).body).to.include({ status: 'disabled' });
    expect((await call('POST', '/users/alice/enable')).body).to.include({ status: 'active' });
    expect((await call('POST', '/teams/eng/disable')).body).to.include({ status: 'disabled' });
    expect(((await call('GET', '/users', undefined, { team: 'eng' })).body as { data: unknown[] }).data).to.have.length(0);
    expect(((await call('GET', '/teams')).body as { data: { name: string }[] }).data.map((t) => t.name)).to.deep.equal(['eng']);
  });

  it('answers bad input with a 400 naming the field', async () => {
    await call('POST', '/users', { name: 'alice' });
    const cases: [unknown, string][] = [
      [{}, 'user'],
      [{ user: 'alice', models: ['ok', 'has space'] }, 'models[1]'],
      [{ user: 'alice', models: [] }, 'models'],
      [{ user: 'alice', expires: 'tomorrow' }, 'expires'],
      [{ user: 'alice', expires: '2001-01-01' }, 'expires'],
      [{ user: 'alice', rpm: 0 }, 'rpm'],
      [{ user: 'alice', rpm: 1.5 }, 'rpm'],
      [{ user: 'alice', budget_daily_usd: -1 }, 'budget_daily_usd'],
      // JSON has numbers: a string is not one (the OpenAPI document says integer / number), and
      // read as one "0x10" became a limit of 16, "1e3" of 1000.
      [{ user: 'alice', rpm: '0x10' }, 'rpm'],
      [{ user: 'alice', tpm: '1e3' }, 'tpm'],
      [{ user: 'alice', rpm: '60' }, 'rpm'],
      [{ user: 'alice', budget_monthly_usd: ' 5' }, 'budget_monthly_usd'],
      [{ user: 'alice', kind: 'robot' }, 'kind'],
      [{ user: 'alice', colour: 'red' }, 'colour'],
    ];
    for (const [body, param] of cases) {
      const err = await refused(call('POST', '/keys', body));
      expect(err.status, JSON.stringify(body)).to.equal(400);
      expect(err.param, JSON.stringify(body)).to.equal(param);
      expect(err.message).to.match(new RegExp(`^${param.replace(/[[\]]/g, '\\$&')}: `));
    }
    expect((await refused(call('POST', '/users', { name: 'bad name' }))).param).to.equal('name');
    expect((await refused(call('POST', '/users', { name: 'bob', email: 'not-an-email' }))).param).to.equal('email');
    expect((await refused(call('POST', '/users', 'text'))).status).to.equal(400);
    const { body: key } = await call('POST', '/keys', { user: 'alice' }) as { body: { id: string } };
    expect((await refused(call('PATCH', `/keys/${key.id}`, { rpm: '0x10' }))).param).to.equal('rpm');
  });

  it('answers 404 for unknown names and 409 for duplicates', async () => {
    expect((await refused(call('GET', '/users/ghost'))).status).to.equal(404);
    expect((await refused(call('GET', '/keys/AAAAAAAA'))).status).to.equal(404);
    expect((await refused(call('POST', '/teams/ghost/disable'))).status).to.equal(404);
    await call('POST', '/teams', { name: 'eng' });
    expect((await refused(call('POST', '/teams', { name: 'eng' }))).status).to.equal(409);
  });

  it('describes itself in an OpenAPI 3.1 document generated from the same schemas', async () => {
    const doc = (await call('GET', '/openapi.json')).body as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown>; required?: string[] } }> }; responses: Record<string, unknown> }>>;
    };
    expect(doc.openapi).to.equal('3.1.0');
    expect(Object.keys(doc.paths)).to.include.members([
      '/admin/teams', '/admin/teams/{name}', '/admin/teams/{name}/disable', '/admin/users', '/admin/users/{name}', '/admin/users/{name}/disable',
      '/admin/keys', '/admin/keys/{id}', '/admin/keys/{id}/revoke', '/admin/openapi.json',
    ]);
    const keyBody = doc.paths['/admin/keys']!['post']!.requestBody!.content['application/json']!.schema;
    expect(Object.keys(keyBody.properties)).to.include.members(['user', 'team', 'models', 'expires', 'rpm', 'tpm', 'budget_daily_usd', 'budget_monthly_usd', 'name', 'kind']);
    expect(keyBody.required).to.deep.equal(['user']);
    expect(doc.paths['/admin/keys']!['post']!.responses).to.have.property('201');
    expect(JSON.stringify(doc)).to.not.contain('"expected"');
  });
});
