// Revocations reach every instance: through the database poll (no Redis; also the CLI writing to
// SQLite) and through Redis pub/sub within a second (when SLUICE_TEST_REDIS is set).
import { expect } from 'chai';
import type { Knex } from 'knex';
import { ChangeFeed, publishChanges } from '../../../plugins/auth/change-feed.js';
import { createHookDispatcher } from '../../../plugins/auth/hooks.js';
import { IdentityService } from '../../../plugins/auth/identity-service.js';
import { findKey, type Changes } from '../../../plugins/auth/identity-store.js';
import { AuthFailure, KeyVerifier } from '../../../plugins/auth/key-verifier.js';
import { createLogger } from '../../../core/observability/logger.js';
import { databases, REDIS_URL, redisClient, within, type TestDb } from './helpers.js';

const CACHE = { ttlMs: 60_000, staleMs: 300_000, maxEntries: 1000, lookupTimeoutMs: 2000 };
const silent = createLogger({ level: 'silent' });

/** One gateway instance's view: its own pool, cache and feed. */
function instance(knex: Knex, redis: ReturnType<typeof redisClient> | undefined, pollMs: number) {
  const verifier = new KeyVerifier((id) => findKey(knex, id), CACHE);
  const apply = (c: Partial<Changes>) => verifier.invalidate(c);
  const feed = new ChangeFeed({ redis: () => redis, database: async () => knex, pollMs, logger: silent, apply, reset: () => verifier.clear() });
  const service = new IdentityService({
    database: async () => knex,
    hooks: createHookDispatcher(undefined, silent),
    announce: async (c) => { apply(c); await publishChanges(redis, c, silent); },
  });
  const accepts = async (key: string) => {
    try { await verifier.verify(key); return true; } catch (err) { if (err instanceof AuthFailure) return false; throw err; }
  };
  return { verifier, feed, service, accepts };
}

for (const { name, create } of databases) {
  describe(`auth: change propagation on ${name}`, () => {
    let db: TestDb;
    beforeEach(async () => { db = await create(); });
    afterEach(() => db.close());

    it('without Redis: a revocation by another process reaches this instance at its next poll', async () => {
      const a = instance(db.knex, undefined, 100);
      const b = instance(db.open(), undefined, 100); // e.g. `sluice key revoke` on the same database
      await a.service.addUser({ name: 'alice' });
      const k = await a.service.createKey({ user: 'alice', kind: 'user' });
      expect(await a.accepts(k.key)).to.equal(true);
      await a.feed.start();
      try {
        await b.service.revokeKey(k.id);
        // Cached for a minute, yet refused within a poll or two.
        const elapsed = await within(2000, async () => !(await a.accepts(k.key)));
        expect(elapsed).to.be.below(1000);
      } finally { await a.feed.close(); }
    });

    it('without a poll and without Redis, only the TTL would end it (the poll is what makes it prompt)', async () => {
      const a = instance(db.knex, undefined, 0);
      const b = instance(db.open(), undefined, 0);
      await a.service.addUser({ name: 'alice' });
      const k = await a.service.createKey({ user: 'alice', kind: 'user' });
      expect(await a.accepts(k.key)).to.equal(true);
      await b.service.revokeKey(k.id);
      expect(await a.accepts(k.key)).to.equal(true);
      // The instance that revoked refuses at once.
      expect(await b.accepts(k.key)).to.equal(false);
    });

    (REDIS_URL ? it : it.skip)('with Redis: a revocation on one instance fails the key on another within a second', async () => {
      const redisA = redisClient();
      const redisB = redisClient();
      const a = instance(db.knex, redisA, 0);
      const b = instance(db.open(), redisB, 0); // no poll: only Redis can tell A
      await a.feed.start();
      await b.feed.start();
      try {
        await a.service.addUser({ name: 'alice' });
        const k = await a.service.createKey({ user: 'alice', kind: 'user' });
        const k2 = await a.service.createKey({ user: 'alice', kind: 'user' });
        expect(await a.accepts(k.key)).to.equal(true);
        expect(await a.accepts(k2.key)).to.equal(true);
        await b.service.revokeKey(k.id);
        expect(await within(1000, async () => !(await a.accepts(k.key)))).to.be.below(1000);
        expect(await a.accepts(k2.key)).to.equal(true);
        await b.service.setUserDisabled('alice', true);
        expect(await within(1000, async () => !(await a.accepts(k2.key)))).to.be.below(1000);
      } finally {
        await a.feed.close();
        await b.feed.close();
        redisA.disconnect();
        redisB.disconnect();
      }
    });
  });
}
