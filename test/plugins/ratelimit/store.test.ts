// The two stores have one meaning: every test here runs against memory and, when SLUICE_TEST_REDIS
// is set, against the real Redis scripts (a random key prefix per test).
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Counter } from '../../../plugins/ratelimit/counters.js';
import { MemoryStore } from '../../../plugins/ratelimit/memory-store.js';
import { RedisStore } from '../../../plugins/ratelimit/redis-store.js';
import type { LimitStore } from '../../../plugins/ratelimit/store.js';

const REDIS = process.env['SLUICE_TEST_REDIS'];
const TTL = 60_000;
const T0 = Date.parse('2026-12-05T10:00:00.000Z');

interface Rig { store: LimitStore; prefix: string; redis?: Redis; close(): Promise<void> }

const kinds: { name: string; make(): Promise<Rig> }[] = [
  { name: 'memory', make: async () => ({ store: new MemoryStore(TTL), prefix: `t${randomUUID().slice(0, 8)}:`, close: async () => {} }) },
  ...(REDIS ? [{
    name: 'redis',
    make: async (): Promise<Rig> => {
      const redis = new Redis(REDIS);
      await new Promise<void>((r) => redis.once('ready', () => r()));
      const prefix = `sluice-test:rl:${randomUUID().slice(0, 8)}:`;
      return {
        store: new RedisStore(redis, { prefix, reservationTtlMs: TTL, timeoutMs: 2000 }), prefix, redis,
        close: async () => {
          const keys = await redis.keys(`${prefix}*`);
          if (keys.length) await redis.del(...keys);
          redis.disconnect();
        },
      };
    },
  }] : []),
];

function sliding(prefix: string, kind: 'rpm' | 'tpm', limit: number, amount: number): Counter {
  return { scope: 'key', subject: 'k1', kind, limit, key: `${prefix}key:k1:${kind}`, window: 'sliding', ttlMs: 61_000, resetAt: 0, label: 'minute', amount };
}
function budget(prefix: string, limit: number, amount: number, resetAt = T0 + 3_600_000): Counter {
  return { scope: 'team', subject: 'eng', kind: 'budget_daily_usd', limit, key: `${prefix}team:eng:day:2026-12-05`, window: 'budget', ttlMs: 3_600_000 + 120_000, resetAt, label: 'day:2026-12-05', amount };
}

for (const kind of kinds) {
  describe(`ratelimit: ${kind.name} store`, () => {
    let rig: Rig;
    beforeEach(async () => { rig = await kind.make(); });
    afterEach(async () => { await rig.close(); });

    it('admits exactly the limit in one minute, then refuses with the time until the oldest bucket leaves', async () => {
      const results = [];
      for (let i = 0; i < 8; i++) results.push(await rig.store.reserve(`r${i}`, T0 + i * 1000, [sliding(rig.prefix, 'rpm', 5, 1)]));
      expect(results.map((r) => r.admitted)).to.deep.equal([true, true, true, true, true, false, false, false]);
      const refused = results[5]!;
      expect(refused.refused).to.equal(0);
      expect(refused.used[0]).to.equal(5);
      // The request of T0 leaves the window at T0 + 60 s; asked at T0 + 5 s.
      expect(refused.resetMs[0]).to.equal(55_000);
      // After the first bucket left, one more fits.
      expect((await rig.store.reserve('late', T0 + 60_000, [sliding(rig.prefix, 'rpm', 5, 1)])).admitted).to.equal(true);
      expect((await rig.store.reserve('late2', T0 + 60_500, [sliding(rig.prefix, 'rpm', 5, 1)])).admitted).to.equal(false);
    });

    it('a retried reservation with the same request id is answered from its first verdict', async () => {
      const c = [sliding(rig.prefix, 'rpm', 2, 1)];
      const a = await rig.store.reserve('same', T0, c);
      const b = await rig.store.reserve('same', T0 + 10, c);
      expect(a.admitted && b.admitted).to.equal(true);
      expect(b.used).to.deep.equal(a.used);
      expect((await rig.store.reserve('other', T0 + 20, c)).used[0]).to.equal(2);
    });

    it('all counters or none: a refusal by one reserves nothing on the others', async () => {
      const tight = sliding(rig.prefix, 'tpm', 100, 80);
      const loose = budget(rig.prefix, 1_000_000, 500);
      expect((await rig.store.reserve('a', T0, [loose, tight])).admitted).to.equal(true);
      const r = await rig.store.reserve('b', T0 + 1, [loose, tight]);
      expect(r.admitted).to.equal(false);
      expect(r.refused).to.equal(1);
      expect(r.used[0]).to.equal(500); // only a's reservation
    });

    it('settling replaces the estimate by the real use, once, however often it is called', async () => {
      const tpm = sliding(rig.prefix, 'tpm', 1000, 600);
      const b = budget(rig.prefix, 10_000, 6_000);
      const r = await rig.store.reserve('s1', T0, [tpm, b]);
      expect(r.admitted).to.equal(true);
      const settle = { id: 's1', now: T0 + 500, counters: [tpm, b], actual: [100, 1000], bucket: r.bucket };
      await rig.store.settle(settle);
      await rig.store.settle(settle);
      const probe = await rig.store.reserve('probe', T0 + 600, [sliding(rig.prefix, 'tpm', 1000, 0), budget(rig.prefix, 10_000, 0)]);
      expect(probe.used).to.deep.equal([100, 1000]);
    });

    it('a failed request gives its reservation back', async () => {
      const b = budget(rig.prefix, 10_000, 6_000);
      const r = await rig.store.reserve('f1', T0, [b]);
      expect((await rig.store.reserve('f2', T0 + 1, [b])).admitted).to.equal(false);
      await rig.store.settle({ id: 'f1', now: T0 + 2, counters: [b], actual: [0], bucket: r.bucket });
      expect((await rig.store.reserve('f3', T0 + 3, [b])).admitted).to.equal(true);
    });

    it('a reservation never settled is given back once it expires', async () => {
      const b = budget(rig.prefix, 10_000, 6_000);
      expect((await rig.store.reserve('dead', T0, [b])).admitted).to.equal(true);
      const blocked = await rig.store.reserve('x', T0 + 1000, [b]);
      expect(blocked.admitted).to.equal(false);
      // Only a reservation in flight stands in the way: worth retrying in a second.
      expect(blocked.resetMs[0]).to.equal(1000);
      expect((await rig.store.reserve('y', T0 + TTL + 1, [b])).admitted).to.equal(true);
    });

    it('a settle without a reservation (store was away at admission) charges the real use', async () => {
      const b = budget(rig.prefix, 10_000, 0);
      await rig.store.settle({ id: 'orphan', now: T0, counters: [b], actual: [4000], bucket: Math.floor(T0 / 1000) });
      expect((await rig.store.reserve('p', T0 + 1, [budget(rig.prefix, 10_000, 0)])).used[0]).to.equal(4000);
    });

    it('announces 80 % and 100 % of a budget once per window', async () => {
      const levels: number[] = [];
      for (let i = 0; i < 6; i++) {
        const b = budget(rig.prefix, 10_000, 2_500);
        const r = await rig.store.reserve(`b${i}`, T0 + i, [b]);
        levels.push(...r.announce.map((a) => a.level));
        if (r.admitted) levels.push(...(await rig.store.settle({ id: `b${i}`, now: T0 + i, counters: [b], actual: [2_500], bucket: r.bucket })).map((a) => a.level));
      }
      expect(levels).to.deep.equal([80, 100]);
    });

    it('a request larger than the whole budget announces nothing, and the real exhaustion is still announced', async () => {
      const oversized = await rig.store.reserve('huge', T0, [budget(rig.prefix, 10_000, 50_000)]);
      expect(oversized.admitted).to.equal(false);
      expect(oversized.announce).to.deep.equal([]);
      const levels: number[] = [];
      for (let i = 0; i < 6; i++) {
        const b = budget(rig.prefix, 10_000, 2_500);
        const r = await rig.store.reserve(`n${i}`, T0 + 1 + i, [b]);
        levels.push(...r.announce.map((a) => a.level));
        if (r.admitted) levels.push(...(await rig.store.settle({ id: `n${i}`, now: T0 + 1 + i, counters: [b], actual: [2_500], bucket: r.bucket })).map((a) => a.level));
      }
      expect(levels).to.deep.equal([80, 100]);
      // Nor once the budget is spent.
      expect((await rig.store.reserve('huge2', T0 + 10, [budget(rig.prefix, 10_000, 50_000)])).announce).to.deep.equal([]);
    });

    it('a token window held only by a request in flight: retry in a second, and the same request fits once it settled', async () => {
      const tpm = (amount: number) => sliding(rig.prefix, 'tpm', 100, amount);
      const a = await rig.store.reserve('inflight-a', T0, [tpm(60)]);
      expect(a.admitted).to.equal(true);
      const b = await rig.store.reserve('inflight-b', T0 + 500, [tpm(60)]);
      expect(b.admitted).to.equal(false);
      expect(b.resetMs[0]).to.equal(1000); // not 59 500: A's second leaving the window
      await rig.store.settle({ id: 'inflight-a', now: T0 + 3000, counters: [tpm(60)], actual: [6], bucket: a.bucket });
      expect((await rig.store.reserve('inflight-b2', T0 + 4000, [tpm(60)])).admitted).to.equal(true);
      // Settled use is no longer in flight: the next refusal waits for the window again.
      const c = await rig.store.reserve('inflight-c', T0 + 5000, [tpm(60)]);
      expect(c.admitted).to.equal(false);
      expect(c.resetMs[0]).to.equal(1000); // b2 (at T0 + 4 s) is in flight and would make room
      const d = await rig.store.reserve('inflight-d', T0 + 5000, [tpm(95)]);
      expect(d.admitted).to.equal(false);
      // A's settled 6 tokens leave no room for 95 even if b2 settles at nothing: the window decides
      // (b2's second leaving, as its reservation stands).
      expect(d.resetMs[0]).to.equal(59_000);
    });

    it('in-flight requests do not make an rpm refusal retry in a second: a request counts whatever its fate', async () => {
      const rpm = sliding(rig.prefix, 'rpm', 2, 1);
      expect((await rig.store.reserve('q1', T0, [rpm])).admitted).to.equal(true);
      expect((await rig.store.reserve('q2', T0 + 1000, [rpm])).admitted).to.equal(true);
      const r = await rig.store.reserve('q3', T0 + 2000, [rpm]);
      expect(r.admitted).to.equal(false);
      expect(r.resetMs[0]).to.equal(58_000);
    });

    it('a refusal for a budget that cannot take the request says when the window ends', async () => {
      const b = budget(rig.prefix, 10_000, 8_000);
      const r1 = await rig.store.reserve('w1', T0, [b]);
      await rig.store.settle({ id: 'w1', now: T0, counters: [b], actual: [8_000], bucket: r1.bucket });
      const r = await rig.store.reserve('w2', T0 + 1000, [b]);
      expect(r.admitted).to.equal(false);
      expect(r.resetMs[0]).to.equal(3_600_000 - 1000);
      expect(r.announce.map((a) => a.level)).to.deep.equal([100]); // 80 % was announced by the settle
    });

    it('a refusal gives every other counter its own reset, not 0 (an rpm refusal keeps the budget\'s window end)', async () => {
      const rpm = sliding(rig.prefix, 'rpm', 2, 1);
      const tpm = sliding(rig.prefix, 'tpm', 10_000, 10);
      const b = budget(rig.prefix, 1_000_000, 100);
      for (let i = 0; i < 2; i++) expect((await rig.store.reserve(`ok${i}`, T0 + i * 1000, [rpm, tpm, b])).admitted).to.equal(true);
      const r = await rig.store.reserve('third', T0 + 2000, [rpm, tpm, b]);
      expect(r.admitted).to.equal(false);
      expect(r.refused).to.equal(0);
      // rpm: until the first request leaves; tpm: when its oldest second leaves; the day: its end.
      expect(r.resetMs).to.deep.equal([58_000, 58_000, 3_600_000 - 2000]);
    });

    it('a request larger than a limit on its own: the window\'s own reset (0 when empty), none for a lifetime budget', async () => {
      const huge = sliding(rig.prefix, 'tpm', 100, 204);
      const empty = await rig.store.reserve('h1', T0, [huge]);
      expect(empty.admitted).to.equal(false);
      expect(empty.resetMs[0]).to.equal(0);
      expect((await rig.store.reserve('small', T0 + 1000, [sliding(rig.prefix, 'tpm', 100, 30)])).admitted).to.equal(true);
      expect((await rig.store.reserve('h2', T0 + 3000, [huge])).resetMs[0]).to.equal(58_000);
      const day = await rig.store.reserve('h3', T0, [budget(rig.prefix, 1000, 5000)]);
      expect(day.resetMs[0]).to.equal(3_600_000);
      const life = await rig.store.reserve('h4', T0, [budget(rig.prefix, 1000, 500, 0), { ...budget(rig.prefix, 1000, 5000, 0), key: `${rig.prefix}session:s:life`, kind: 'budget_usd', label: 'lifetime' }]);
      expect(life.refused).to.equal(1);
      expect(life.resetMs).to.deep.equal([-1, -1]);
    });

    if (kind.name === 'redis') {
      it('every key it writes expires', async () => {
        const counters = [sliding(rig.prefix, 'rpm', 10, 1), sliding(rig.prefix, 'tpm', 1000, 10), budget(rig.prefix, 10_000, 100)];
        const r = await rig.store.reserve('e1', Date.now(), counters);
        await rig.store.settle({ id: 'e1', now: Date.now(), counters, actual: [1, 5, 9_000], bucket: r.bucket });
        await rig.store.reserve('e2', Date.now(), counters);
        const keys = await rig.redis!.keys(`${rig.prefix}*`);
        expect(keys.length).to.be.greaterThan(4);
        for (const key of keys) expect(await rig.redis!.pttl(key), key).to.be.greaterThan(0);
      });

      it('a gateway busier than store_timeout_ms is no Redis timeout: the answer that came meanwhile is taken', async () => {
        // A burst of requests can keep the event loop busy past store_timeout_ms while Redis has long
        // answered; the timer then fires before the reply is read. Counted as a store error, the
        // request was admitted unchecked (on_store_error: open) and a burst beat the limit.
        const store = new RedisStore(rig.redis!, { prefix: rig.prefix, reservationTtlMs: TTL, timeoutMs: 100 });
        const pending = store.reserve('busy', Date.now(), [sliding(rig.prefix, 'rpm', 1, 1)]);
        const until = Date.now() + 300;
        while (Date.now() < until) { /* the gateway's own work, not Redis */ }
        const verdict = await pending;
        expect(verdict.admitted).to.equal(true);
        expect(verdict.used).to.deep.equal([1]);
      });
    }
  });
}
