import { expect } from 'chai';
import { once } from 'node:events';
import net from 'node:net';
import { CachedLookup, LookupUnavailable } from '../../../plugins/auth/cached-lookup.js';
import { sleep } from './helpers.js';

interface Db { rows: Map<string, string>; calls: number; down: boolean; delayMs: number }

function fakeDb(): Db { return { rows: new Map([['a', 'A']]), calls: 0, down: false, delayMs: 0 }; }

function lookup(db: Db, opts: Partial<{ ttlMs: number; staleMs: number; maxEntries: number; lookupTimeoutMs: number }> = {}) {
  const stale: unknown[] = [];
  const cache = new CachedLookup<string>(async (key) => {
    db.calls++;
    // The row as it was when the query ran; the answer arrives after the delay.
    const row = db.rows.get(key);
    const down = db.down;
    if (db.delayMs) await sleep(db.delayMs);
    if (down) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    return row;
  }, { ttlMs: 1000, staleMs: 5000, maxEntries: 100, lookupTimeoutMs: 500, ...opts }, (e) => stale.push(e));
  return { cache, stale };
}

const value = async <T>(v: T | Promise<T>) => await v;

describe('auth: cached lookup', () => {
  it('answers fresh hits synchronously, without asking the database', async () => {
    const db = fakeDb();
    const { cache } = lookup(db);
    expect(await value(cache.get('a'))).to.equal('A');
    const hit = cache.get('a');
    expect(hit).to.equal('A'); // not a promise
    expect(db.calls).to.equal(1);
  });

  it('asks again after the TTL, and shares one lookup between concurrent misses', async () => {
    const db = fakeDb();
    db.delayMs = 20;
    const { cache } = lookup(db, { ttlMs: 30 });
    const all = await Promise.all([cache.get('a'), cache.get('a'), cache.get('a')]);
    expect(all).to.deep.equal(['A', 'A', 'A']);
    expect(db.calls).to.equal(1);
    await sleep(40);
    db.rows.set('a', 'A2');
    expect(await value(cache.get('a'))).to.equal('A2');
    expect(db.calls).to.equal(2);
  });

  it('caches unknown keys too (null), in their own bound', async () => {
    const db = fakeDb();
    const { cache } = lookup(db, { maxEntries: 2 });
    await value(cache.get('a'));
    for (const k of ['x', 'y', 'z', 'w']) expect(await value(cache.get(k))).to.equal(null);
    expect(cache.get('w')).to.equal(null);
    // The flood of unknown ids did not push the known one out.
    expect(cache.get('a')).to.equal('A');
  });

  it('evicts the oldest entry beyond the bound', async () => {
    const db = fakeDb();
    for (const k of ['b', 'c', 'd']) db.rows.set(k, k.toUpperCase());
    const { cache } = lookup(db, { maxEntries: 2 });
    for (const k of ['a', 'b', 'c']) await value(cache.get(k));
    expect(cache.size).to.equal(2);
    expect(cache.get('a')).to.be.instanceOf(Promise);
  });

  it('serves a stale entry while the database is down, then refuses once it is too old', async () => {
    const db = fakeDb();
    const { cache, stale } = lookup(db, { ttlMs: 20, staleMs: 100 });
    await value(cache.get('a'));
    db.down = true;
    await sleep(30);
    expect(await value(cache.get('a'))).to.equal('A');
    expect(stale).to.have.length(1);
    // Within the following second the database is not even asked.
    const calls = db.calls;
    expect(cache.get('a')).to.equal('A');
    expect(db.calls).to.equal(calls);
    await sleep(110);
    try {
      await value(cache.get('a'));
      expect.fail('expected LookupUnavailable');
    } catch (err) {
      expect(err).to.be.instanceOf(LookupUnavailable);
    }
    // A key never seen cannot be vouched for either.
    try { await value(cache.get('never')); expect.fail('expected LookupUnavailable'); } catch (err) { expect(err).to.be.instanceOf(LookupUnavailable); }
  });

  it('times out a hanging lookup', async () => {
    const db = fakeDb();
    // Hangs far longer than any timer lateness on a loaded machine: refused at half the hang is the timeout's doing.
    db.delayMs = 5000;
    const { cache } = lookup(db, { lookupTimeoutMs: 50 });
    const started = Date.now();
    try { await value(cache.get('a')); expect.fail('expected LookupUnavailable'); } catch (err) { expect(err).to.be.instanceOf(LookupUnavailable); }
    expect(Date.now() - started).to.be.below(2500);
  });

  it('a process busier than the lookup timeout takes the answer that came meanwhile, not a timeout', async () => {
    // The answer is on the socket (written before the busy spell); the timer expires during it. Timers
    // run before the event loop reads sockets, so a bare timeout refused a key whose row had arrived.
    const server = net.createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const accepted = once(server, 'connection');
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    const [side] = await accepted as [net.Socket];
    await once(client, 'connect');
    try {
      const cache = new CachedLookup<string>(async () => { await once(client, 'data'); return 'A'; },
        { ttlMs: 1000, staleMs: 5000, maxEntries: 100, lookupTimeoutMs: 100 }, () => {});
      const answer = value(cache.get('a'));
      side.write('row');
      const until = Date.now() + 300;
      while (Date.now() < until) { /* the gateway's own work, not the database */ }
      expect(await answer).to.equal('A');
    } finally {
      client.destroy();
      side.destroy();
      server.close();
    }
  });

  it('invalidation wins: entries go, and a lookup that raced it leaves nothing cached', async () => {
    const db = fakeDb();
    const { cache } = lookup(db);
    await value(cache.get('a'));
    cache.invalidate((v) => v === 'A');
    const reread = cache.get('a');
    expect(reread).to.be.instanceOf(Promise);
    await reread;
    cache.invalidate(() => false, ['a']);
    // A read in flight while the row changes: its (old) answer must not be cached.
    db.delayMs = 30;
    db.rows.set('a', 'OLD');
    const racing = cache.get('a');
    await sleep(5);
    db.rows.set('a', 'NEW');
    cache.invalidate(() => false, ['a']);
    expect(await value(racing)).to.equal('OLD');
    db.delayMs = 0;
    expect(await value(cache.get('a'))).to.equal('NEW');
  });

  it('a stale entry that was invalidated is not served while the database is down', async () => {
    const db = fakeDb();
    const { cache } = lookup(db, { ttlMs: 10, staleMs: 10_000 });
    await value(cache.get('a'));
    cache.invalidate(() => true);
    db.down = true;
    await sleep(15);
    try { await value(cache.get('a')); expect.fail('expected LookupUnavailable'); } catch (err) { expect(err).to.be.instanceOf(LookupUnavailable); }
  });
});
