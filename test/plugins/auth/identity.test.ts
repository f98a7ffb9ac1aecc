// Teams, users and keys through the service, and key verification, on SQLite and (when
// SLUICE_TEST_PG is set) PostgreSQL.
import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { GatewayError } from '../../../core/errors.js';
import { createHookDispatcher } from '../../../plugins/auth/hooks.js';
import { IdentityService } from '../../../plugins/auth/identity-service.js';
import { changedSince, findKey, type Changes } from '../../../plugins/auth/identity-store.js';
import { AuthFailure, KeyVerifier } from '../../../plugins/auth/key-verifier.js';
import { createLogger } from '../../../core/observability/logger.js';
import { databases, PG_URL, sleep, type TestDb } from './helpers.js';

const CACHE = { ttlMs: 30_000, staleMs: 300_000, maxEntries: 1000, lookupTimeoutMs: 2000 };

async function reason(fn: () => unknown): Promise<string> {
  try { await fn(); } catch (err) { if (err instanceof AuthFailure) return err.reason; throw err; }
  return 'accepted';
}

for (const { name, create } of databases) {
  describe(`auth: identity on ${name}`, () => {
    let db: TestDb;
    let service: IdentityService;
    let announced: Partial<Changes>[];
    let verifier: KeyVerifier;

    beforeEach(async () => {
      db = await create();
      announced = [];
      verifier = new KeyVerifier((id) => findKey(db.knex, id), CACHE);
      service = new IdentityService({
        database: async () => db.knex,
        hooks: createHookDispatcher(undefined, createLogger({ level: 'silent' })),
        announce: async (c) => { announced.push(c); verifier.invalidate(c); },
      });
    });
    afterEach(() => db.close());

    it('creates, lists, shows, updates and disables teams and users', async () => {
      expect(await service.addTeam({ name: 'eng' })).to.include({ name: 'eng', status: 'active' });
      const alice = await service.addUser({ name: 'alice@example.com', team: 'eng', email: 'alice@example.com' });
      expect(alice).to.include({ name: 'alice@example.com', team: 'eng', email: 'alice@example.com', status: 'active', disabled_at: null });
      expect(Date.parse(alice.created_at)).to.be.closeTo(Date.now(), 60_000);
      await service.addUser({ name: 'bob' });
      expect((await service.listUsers()).map((u) => u.name)).to.deep.equal(['alice@example.com', 'bob']);
      expect((await service.listUsers({ team: 'eng' })).map((u) => u.name)).to.deep.equal(['alice@example.com']);
      expect(await service.updateUser('bob', { team: 'eng', email: 'bob@example.com' })).to.include({ team: 'eng', email: 'bob@example.com' });
      expect(await service.updateUser('bob', { team: null })).to.include({ team: null });
      expect(await service.setUserDisabled('bob', true)).to.include({ status: 'disabled' });
      expect((await service.getUser('bob')).disabled_at).to.be.a('string');
      expect(await service.updateTeam('eng', { name: 'platform' })).to.include({ name: 'platform' });
      expect((await service.getUser('alice@example.com')).team).to.equal('platform');
      expect((await service.listTeams()).map((t) => t.name)).to.deep.equal(['platform']);
    });

    it('refuses duplicates (409) and unknown names (404), naming the field', async () => {
      await service.addTeam({ name: 'eng' });
      await service.addUser({ name: 'alice' });
      const refused = async (fn: () => Promise<unknown>) => { try { await fn(); } catch (err) { return err as GatewayError; } throw new Error('accepted'); };
      expect(await refused(() => service.addTeam({ name: 'eng' }))).to.include({ status: 409, param: 'name' });
      expect(await refused(() => service.addUser({ name: 'alice' }))).to.include({ status: 409, param: 'name' });
      expect(await refused(() => service.addUser({ name: 'bob', team: 'nope' }))).to.include({ status: 404, param: 'team', code: 'SLUICE_E_NOT_FOUND' });
      expect(await refused(() => service.createKey({ user: 'nobody', kind: 'user' }))).to.include({ status: 404, param: 'user' });
      expect(await refused(() => service.revokeKey('AAAAAAAA'))).to.include({ status: 404, param: 'id' });
    });

    it('creates a key that verifies, carrying user, team, models, limits, budget and expiry', async () => {
      await service.addTeam({ name: 'eng' });
      await service.addUser({ name: 'alice', team: 'eng' });
      const created = await service.createKey({
        user: 'alice', kind: 'service', name: 'ci', models: ['gpt-4o*', 'claude-*'], expires: '30d', rpm: 60, tpm: 100_000,
        budget_daily_usd: 5, budget_monthly_usd: 50.5,
      });
      expect(created.key).to.match(/^sk-sluice-/);
      expect(created).to.include({ user: 'alice', team: 'eng', kind: 'service', name: 'ci', rpm: 60, tpm: 100_000, budget_daily_usd: 5, budget_monthly_usd: 50.5, status: 'active' });
      expect(Date.parse(created.expires_at!) - Date.now()).to.be.closeTo(30 * 86_400_000, 60_000);
      const principal = await verifier.verify(created.key);
      expect(principal).to.deep.include({ user: 'alice', team: 'eng', keyId: created.id, keyKind: 'service', allowedModels: ['gpt-4o*', 'claude-*'], limits: { rpm: 60, tpm: 100_000 }, budget: { dailyUsd: 5, monthlyUsd: 50.5 } });
      expect(principal.expiresAt!.getTime()).to.equal(Date.parse(created.expires_at!));
      expect(Object.isFrozen(principal) && Object.isFrozen(principal.allowedModels)).to.equal(true);
      // Cached: the same object, synchronously.
      expect(verifier.verify(created.key)).to.equal(principal);
      // The listing never carries the key or its hash.
      const listed = JSON.stringify(await service.listKeys({ user: 'alice' }));
      expect(listed).to.contain(created.id).and.not.contain(created.key.slice(18));
      expect(listed).to.not.contain((await findKey(db.knex, created.id))!.hash);
    });

    it('fails missing, malformed, unknown, wrong-secret, revoked, expired, disabled-user and disabled-team keys', async () => {
      await service.addTeam({ name: 'eng' });
      await service.addUser({ name: 'alice', team: 'eng' });
      await service.addUser({ name: 'bob' });
      const a = await service.createKey({ user: 'alice', kind: 'user' });
      const b = await service.createKey({ user: 'bob', kind: 'user' });
      expect(await reason(() => verifier.verify(undefined))).to.equal('missing');
      expect(await reason(() => verifier.verify('sk-proj-abc'))).to.equal('malformed');
      expect(await reason(() => verifier.verify('sk-sluice-' + 'Z'.repeat(40)))).to.equal('unknown');
      expect(await reason(() => verifier.verify(a.key.slice(0, 18) + 'x'.repeat(32)))).to.equal('unknown');
      expect(await reason(() => verifier.verify(a.key))).to.equal('accepted');

      await service.revokeKey(a.id);
      expect(await reason(() => verifier.verify(a.key))).to.equal('revoked');
      expect((await service.getKey(a.id)).status).to.equal('revoked');

      await service.setUserDisabled('bob', true);
      expect(await reason(() => verifier.verify(b.key))).to.equal('user_disabled');
      await service.setUserDisabled('bob', false);
      expect(await reason(() => verifier.verify(b.key))).to.equal('accepted');

      const c = await service.createKey({ user: 'alice', kind: 'user' });
      expect(await reason(() => verifier.verify(c.key))).to.equal('accepted');
      await service.setTeamDisabled('eng', true);
      expect(await reason(() => verifier.verify(c.key))).to.equal('team_disabled');
      await service.setTeamDisabled('eng', false);

      // Expiry is checked on every request, also from the cache.
      const d = await service.createKey({ user: 'alice', kind: 'user', expires: '1m' });
      expect(await reason(() => verifier.verify(d.key))).to.equal('accepted');
      // A second ahead: the update and the first verify are database round trips, which a loaded
      // machine can stretch past a few tens of ms.
      const expiresAt = Date.now() + 1000;
      await db.knex('auth_keys').where({ id: d.id }).update({ expires_at: expiresAt });
      verifier.invalidate({ keys: [d.id] });
      expect(await reason(() => verifier.verify(d.key))).to.equal('accepted');
      await sleep(Math.max(0, expiresAt - Date.now()) + 20);
      expect(await reason(() => verifier.verify(d.key))).to.equal('expired');
    });

    it('updates a key (models, limits, expiry; null clears) and refuses changes to a revoked one', async () => {
      await service.addUser({ name: 'alice' });
      const k = await service.createKey({ user: 'alice', kind: 'user', models: ['a*'], rpm: 5 });
      expect((await verifier.verify(k.key)).allowedModels).to.deep.equal(['a*']);
      const updated = await service.updateKey(k.id, { models: null, rpm: null, tpm: 9, expires: '2w', name: 'renamed' });
      expect(updated).to.include({ models: null, rpm: null, tpm: 9, name: 'renamed' });
      const p = await verifier.verify(k.key);
      expect(p.allowedModels).to.equal(undefined);
      expect(p.limits).to.deep.equal({ tpm: 9 });
      await service.revokeKey(k.id);
      try { await service.updateKey(k.id, { rpm: 1 }); expect.fail('accepted'); } catch (err) { expect(err).to.include({ status: 409 }); }
      // Revoking twice is not an error and keeps the first time.
      const first = (await service.getKey(k.id)).revoked_at;
      expect((await service.revokeKey(k.id)).revoked_at).to.equal(first);
    });

    it('announces every change and reports it in the change feed', async () => {
      const t0 = Date.now() - 1;
      await service.addTeam({ name: 'eng' });
      const u = await service.addUser({ name: 'alice', team: 'eng' });
      const k = await service.createKey({ user: 'alice', kind: 'user' });
      await service.revokeKey(k.id);
      expect(announced.some((c) => c.keys?.includes(k.id))).to.equal(true);
      expect(announced.some((c) => c.userNames?.includes(u.name))).to.equal(true);
      const changes = await changedSince(db.knex, t0);
      expect(changes.keys).to.deep.equal([k.id]);
      expect(changes.userNames).to.deep.equal(['alice']);
      expect(changes.teams).to.have.length(1);
      expect((await changedSince(db.knex, Date.now() + 1000)).keys).to.deep.equal([]);
    });

    it('auto-creates users (with their team) once, even when two first requests race', async () => {
      const [a, b] = await Promise.all([service.ensureUser('carol@example.com', 'guests'), service.ensureUser('carol@example.com', 'guests')]);
      expect(a.id).to.equal(b.id);
      expect(a.team).to.equal('guests');
      expect(a.email).to.equal('carol@example.com');
      expect((await service.listUsers()).map((u) => u.name)).to.deep.equal(['carol@example.com']);
    });

    it('never stores a key in clear', async function () {
      await service.addUser({ name: 'alice' });
      const keys = await Promise.all([1, 2, 3].map(() => service.createKey({ user: 'alice', kind: 'user' })));
      const rows = JSON.stringify(await db.knex('auth_keys').select('*'));
      for (const k of keys) {
        expect(rows).to.not.contain(k.key);
        expect(rows).to.not.contain(k.key.slice(18)); // not even the secret part
      }
      if (db.file) {
        await db.knex.raw('PRAGMA wal_checkpoint(TRUNCATE)');
        for (const f of readdirSync(path.dirname(db.file))) {
          const bytes = readFileSync(path.join(path.dirname(db.file), f)).toString('latin1');
          for (const k of keys) expect(bytes, f).to.not.contain(k.key.slice(18));
        }
      }
    });
  });
}

if (!PG_URL) describe('auth: identity on PostgreSQL', () => { it('skipped: set SLUICE_TEST_PG to run against a real server'); });
