// A user named by an e-mail address is one user however the address is capitalised: the SSO proxy's
// `Alice@Example.com` and the operator's `alice@example.com` are the same person, with one budget
// and one ledger — through the proxy header, the CLI and the admin API alike. Names without `@`
// keep their case.
import { expect } from 'chai';
import { compileCidrs } from '../../../core/http/client-address.js';
import type { Exchange } from '../../../core/exchange.js';
import { createLogger } from '../../../core/observability/logger.js';
import { createHookDispatcher } from '../../../plugins/auth/hooks.js';
import { IdentityService } from '../../../plugins/auth/identity-service.js';
import { findTeam, findUser, listUsers } from '../../../plugins/auth/identity-store.js';
import { migrations, USERS } from '../../../plugins/auth/migrations.js';
import { ProxyHeaderAuthenticator } from '../../../plugins/auth/proxy-header.js';
import { commandHost, databases, mountAdminApi, runCommand, type TestDb } from './helpers.js';

const CACHE = { ttlMs: 30_000, staleMs: 300_000, maxEntries: 1000, lookupTimeoutMs: 2000 };

function exchange(email: string): Exchange {
  return { peerAddress: '10.0.0.1', clientAddress: '10.0.0.1', headers: { 'x-forwarded-email': email }, id: 'req-1' } as unknown as Exchange;
}

function cli(db: TestDb, command: 'user' | 'key', ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return runCommand(commandHost(db.knex), command, args);
}

for (const { name, create } of databases) {
  describe(`auth: e-mail user names are case-insensitive (${name})`, () => {
    let db: TestDb;
    let service: IdentityService;
    let auth: ProxyHeaderAuthenticator | undefined;
    beforeEach(async () => {
      db = await create();
      service = new IdentityService({ database: async () => db.knex, hooks: createHookDispatcher(undefined, createLogger({ level: 'silent' })), announce: async (c) => { auth?.invalidate(c); } });
    });
    afterEach(() => db.close());

    function authenticator(): ProxyHeaderAuthenticator {
      auth = new ProxyHeaderAuthenticator({
        header: 'x-forwarded-email', groupsHeader: undefined, trusted: compileCidrs(['10.0.0.0/8']),
        autoCreate: (n) => service.ensureUser(n, 'everyone'),
      }, { findUser: (n) => findUser(db.knex, n), findTeam: (n) => findTeam(db.knex, n) }, CACHE);
      return auth;
    }

    it('proxy header: two spellings of one address are one user, auto-created once, in lower case', async () => {
      const a = authenticator();
      expect(await a.authenticate(exchange('Alice@Example.com'))).to.deep.equal({ user: 'alice@example.com', team: 'everyone' });
      expect(await a.authenticate(exchange('alice@example.com'))).to.deep.equal({ user: 'alice@example.com', team: 'everyone' });
      expect(await a.authenticate(exchange('ALICE@EXAMPLE.COM'))).to.deep.equal({ user: 'alice@example.com', team: 'everyone' });
      expect((await listUsers(db.knex)).map((u) => [u.name, u.email])).to.deep.equal([['alice@example.com', 'alice@example.com']]);
    });

    it('proxy header: a user the operator added in any case is found, and disabling it refuses every spelling', async () => {
      await service.addUser({ name: 'Bob@Example.com' });
      const a = authenticator();
      expect(await a.authenticate(exchange('bob@example.com'))).to.deep.equal({ user: 'bob@example.com' });
      await service.setUserDisabled('BOB@example.com', true);
      let reason: string | undefined;
      try { await a.authenticate(exchange('Bob@Example.COM')); } catch (err) { reason = (err as { reason?: string }).reason; }
      expect(reason).to.equal('user_disabled');
      expect(await listUsers(db.knex)).to.have.length(1);
    });

    it('CLI: user add stores the address in lower case; key create and disable take any spelling; a second spelling is a conflict', async () => {
      expect(await cli(db, 'user', 'add', 'Carol@Example.com', '--email', 'Carol@Example.com')).to.include({ code: 0, out: 'added user carol@example.com\n' });
      const again = await cli(db, 'user', 'add', 'carol@example.com');
      expect(again.code).to.equal(1);
      expect(again.err).to.contain('already exists');
      const key = JSON.parse((await cli(db, 'key', 'create', '--user', 'CAROL@example.com', '--json')).out) as { user: string };
      expect(key.user).to.equal('carol@example.com');
      expect((await cli(db, 'user', 'disable', 'carol@EXAMPLE.com')).code).to.equal(0);
      const users = JSON.parse((await cli(db, 'user', 'list', '--json')).out) as { name: string; email: string; status: string }[];
      expect(users.map((u) => [u.name, u.email, u.status])).to.deep.equal([['carol@example.com', 'carol@example.com', 'disabled']]);
    });

    it('admin API: the same rule', async () => {
      const call = mountAdminApi(service);
      expect((await call('POST', '/users', { name: 'Dan@Example.com' })).body).to.include({ name: 'dan@example.com' });
      expect((await call('GET', '/users/DAN@EXAMPLE.COM')).body).to.include({ name: 'dan@example.com' });
      expect((await call('POST', '/keys', { user: 'Dan@example.com' })).body).to.include({ user: 'dan@example.com' });
      let status: number | undefined;
      try { await call('POST', '/users', { name: 'dan@example.com' }); } catch (err) { status = (err as { status?: number }).status; }
      expect(status).to.equal(409);
    });

    it('names without @ keep their case', async () => {
      await service.addUser({ name: 'Erin' });
      expect((await listUsers(db.knex)).map((u) => u.name)).to.deep.equal(['Erin']);
      expect(await findUser(db.knex, 'erin')).to.equal(undefined);
    });

    it('a database from before: mixed-case addresses are lower-cased; where both spellings exist, both stay addressable as written', async () => {
      const now = Date.now();
      const row = (n: string) => ({ name: n, email: null, team_id: null, created_at: now, updated_at: now, disabled_at: null });
      await db.knex(USERS).insert([row('Frank@Example.com'), row('Gina@Example.com'), row('gina@example.com'), row('Hal')]);
      const step = migrations.find((m) => m.name === '002_email_user_names')!;
      await step.up(db.knex);
      expect((await listUsers(db.knex)).map((u) => u.name).sort()).to.deep.equal(['Gina@Example.com', 'Hal', 'frank@example.com', 'gina@example.com']);
      expect((await findUser(db.knex, 'FRANK@example.com'))?.name).to.equal('frank@example.com');
      expect((await findUser(db.knex, 'Gina@Example.com'))?.name).to.equal('Gina@Example.com');
      expect((await findUser(db.knex, 'GINA@example.com'))?.name).to.equal('gina@example.com');
    });
  });
}
