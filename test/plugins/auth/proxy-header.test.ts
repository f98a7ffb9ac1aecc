// proxy_header: identity believed only from trusted proxies; unknown users refused or auto-created.
import { expect } from 'chai';
import { compileCidrs } from '../../../core/http/client-address.js';
import type { Exchange } from '../../../core/exchange.js';
import { createHookDispatcher } from '../../../plugins/auth/hooks.js';
import { IdentityService } from '../../../plugins/auth/identity-service.js';
import { findTeam, findUser } from '../../../plugins/auth/identity-store.js';
import { AuthFailure } from '../../../plugins/auth/key-verifier.js';
import { ProxyHeaderAuthenticator } from '../../../plugins/auth/proxy-header.js';
import { createLogger } from '../../../core/observability/logger.js';
import { sqliteDb, type TestDb } from './helpers.js';

const CACHE = { ttlMs: 30_000, staleMs: 300_000, maxEntries: 1000, lookupTimeoutMs: 2000 };

function exchange(peer: string, headers: Record<string, string | string[]>): Exchange {
  return { peerAddress: peer, clientAddress: peer, headers, id: 'req-1' } as unknown as Exchange;
}

describe('auth: proxy_header', () => {
  let db: TestDb;
  let service: IdentityService;
  beforeEach(async () => {
    db = await sqliteDb();
    service = new IdentityService({ database: async () => db.knex, hooks: createHookDispatcher(undefined, createLogger({ level: 'silent' })), announce: async (c) => { auth?.invalidate(c); } });
  });
  afterEach(() => db.close());
  let auth: ProxyHeaderAuthenticator | undefined;

  function authenticator(autoCreate: boolean): ProxyHeaderAuthenticator {
    auth = new ProxyHeaderAuthenticator({
      header: 'x-forwarded-email',
      groupsHeader: 'x-forwarded-groups',
      trusted: compileCidrs(['10.0.0.0/8', '::1']),
      autoCreate: autoCreate ? (name) => service.ensureUser(name, 'guests') : undefined,
    }, { findUser: (name) => findUser(db.knex, name), findTeam: (name) => findTeam(db.knex, name) }, CACHE);
    return auth;
  }

  async function outcome(a: ProxyHeaderAuthenticator, ex: Exchange): Promise<string | object> {
    try { return await a.authenticate(ex); } catch (err) { if (err instanceof AuthFailure) return err.reason; throw err; }
  }

  it('refuses the header from an untrusted peer, accepts it from a trusted one', async () => {
    await service.addTeam({ name: 'eng' });
    await service.addUser({ name: 'alice@example.com', team: 'eng' });
    const a = authenticator(false);
    expect(await outcome(a, exchange('192.168.1.5', { 'x-forwarded-email': 'alice@example.com' }))).to.equal('untrusted_peer');
    expect(await outcome(a, exchange('::ffff:10.1.2.3', { 'x-forwarded-email': 'alice@example.com' }))).to.deep.equal({ user: 'alice@example.com', team: 'eng' });
    expect(await outcome(a, exchange('::1', { 'x-forwarded-email': 'alice@example.com', 'x-forwarded-groups': 'ops, admins' }))).to.deep.equal({ user: 'alice@example.com', team: 'ops' });
  });

  it('refuses a missing, malformed, doubled or unknown identity, and disabled users', async () => {
    await service.addUser({ name: 'bob' });
    const a = authenticator(false);
    expect(await outcome(a, exchange('10.0.0.1', {}))).to.equal('missing_identity');
    expect(await outcome(a, exchange('10.0.0.1', { 'x-forwarded-email': 'bob smith' }))).to.equal('invalid_identity');
    expect(await outcome(a, exchange('10.0.0.1', { 'x-forwarded-email': ['bob', 'alice'] }))).to.equal('invalid_identity');
    expect(await outcome(a, exchange('10.0.0.1', { 'x-forwarded-email': 'mallory' }))).to.equal('unknown_user');
    expect(await outcome(a, exchange('10.0.0.1', { 'x-forwarded-email': 'bob' }))).to.deep.equal({ user: 'bob' });
    await service.setUserDisabled('bob', true);
    expect(await outcome(a, exchange('10.0.0.1', { 'x-forwarded-email': 'bob' }))).to.equal('user_disabled');
  });

  it('a team named by the groups header that is disabled here refuses the request, as the stored team does; an unknown one is a label', async () => {
    await service.addTeam({ name: 'eng' });
    await service.addTeam({ name: 'ops' });
    await service.addUser({ name: 'erin', team: 'eng' });
    const a = authenticator(false);
    const asOps = exchange('10.0.0.1', { 'x-forwarded-email': 'erin', 'x-forwarded-groups': 'ops' });
    expect(await outcome(a, asOps)).to.deep.equal({ user: 'erin', team: 'ops' });
    await service.setTeamDisabled('ops', true);
    expect(await outcome(a, asOps), 'the change reaches the cache at once').to.equal('team_disabled');
    expect(await outcome(a, exchange('10.0.0.1', { 'x-forwarded-email': 'erin', 'x-forwarded-groups': 'nobody-knows' }))).to.deep.equal({ user: 'erin', team: 'nobody-knows' });
    expect(await outcome(a, exchange('10.0.0.1', { 'x-forwarded-email': 'erin' }))).to.deep.equal({ user: 'erin', team: 'eng' });
    await service.setTeamDisabled('ops', false);
    expect(await outcome(a, asOps)).to.deep.equal({ user: 'erin', team: 'ops' });
  });

  it('auto_create adds an unknown user with the default team, and a user added later stops being unknown', async () => {
    const a = authenticator(true);
    expect(await outcome(a, exchange('10.0.0.1', { 'x-forwarded-email': 'carol@example.com' }))).to.deep.equal({ user: 'carol@example.com', team: 'guests' });
    expect((await service.getUser('carol@example.com')).team).to.equal('guests');
    const b = authenticator(false);
    expect(await outcome(b, exchange('10.0.0.1', { 'x-forwarded-email': 'dave' }))).to.equal('unknown_user');
    await service.addUser({ name: 'dave' });
    expect(await outcome(b, exchange('10.0.0.1', { 'x-forwarded-email': 'dave' }))).to.deep.equal({ user: 'dave' });
  });
});
