// The push loop against the fake marketplace over a real outbox table (SQLite, and PostgreSQL when
// SLUICE_TEST_PG is set): idempotent inserts, batches, retries on 500 / 429 (retry-after honoured)
// and timeouts, and records marked sent only once acknowledged — never counted twice at the fake.
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { marketplaceClient } from '../../../plugins/marketplace/client.js';
import { outboxStore, type OutboxStore } from '../../../plugins/marketplace/outbox-store.js';
import type { UsageRecord } from '../../../plugins/marketplace/protocol.js';
import { UsagePusher, type PushResult } from '../../../plugins/marketplace/pusher.js';
import { startFakeMarketplace, type FakeMarketplace } from '../../helpers/fake-marketplace.js';
import { databases, quietLogger, until, type OutboxDb } from './rig.js';

const record = (i: number): UsageRecord => ({
  id: `req-${String(i).padStart(3, '0')}`, time: new Date(1_700_000_000_000 + i * 1000).toISOString(), direction: i % 2 ? 'consumed' : 'supplied',
  offer_id: 'o1', provider: 'offer:o1', model: 'gpt-4o-mini', input_tokens: 10 + i, output_tokens: 5, cached_read_tokens: 2, cache_write_tokens: 0,
  reasoning_tokens: 0, cost_usd: 0.000123,
});

for (const db of databases) {
  describe(`marketplace: usage push from the outbox (${db.name})`, function () {
    this.timeout(30_000);
    let d: OutboxDb;
    let fake: FakeMarketplace;
    let store: OutboxStore;
    let results: PushResult[];

    const pusher = (timeoutMs = 2000) => new UsagePusher({
      client: marketplaceClient(() => ({ url: fake.url, apiKey: fake.apiKey, gatewayId: 'gw-test', timeoutMs })),
      store, logger: quietLogger().logger,
      settings: () => ({ gatewayId: 'gw-test', batchSize: 10, intervalMs: 100, backoff: { initialMs: 50, maxMs: 200 } }),
      onResult: (r) => results.push(r),
      onDepth: () => {},
    });

    beforeEach(async () => {
      d = await db.create();
      fake = await startFakeMarketplace();
      store = outboxStore(async () => d.knex);
      results = [];
    });
    afterEach(async () => { await fake.close(); await d.close(); });

    it('inserts are idempotent by id and come back oldest first, as they went in', async () => {
      const records = Array.from({ length: 25 }, (_, i) => record(24 - i));
      await store.insert(records);
      await store.insert(records.slice(0, 5));
      expect((await store.depth()).unsent).to.equal(25);
      const first = await store.unsent(3);
      expect(first.map((r) => r.id)).to.deep.equal(['req-000', 'req-001', 'req-002']);
      expect(first[1]).to.deep.equal(record(1));
      await store.markSent(['req-000', 'req-001'], Date.now());
      expect((await store.unsent(1))[0]!.id).to.equal('req-002');
      expect((await store.depth()).unsent).to.equal(23);
    });

    it('a buyer\'s model name holding a NUL is stored (as U+FFFD) instead of failing the insert, and the rest of its batch lands', async () => {
      // PostgreSQL's text cannot hold NUL: the whole insert was refused, for ever, on every retry.
      const odd = { ...record(1), model: 'gpt-4o\u0000x' };
      await store.insert([record(0), odd, record(2)]);
      const rows = await store.unsent(10);
      expect(rows.map((r) => r.id)).to.deep.equal(['req-000', 'req-001', 'req-002']);
      expect(rows[1]!.model).to.equal('gpt-4o\uFFFDx');
    });

    it('retries 500 and 429 (waiting out retry-after), then delivers every record exactly once', async () => {
      await store.insert(Array.from({ length: 25 }, (_, i) => record(i)));
      fake.script.push({ status: 500 }, { status: 500 }, { status: 429, retryAfter: '1' });
      const p = pusher();
      p.start();
      try {
        await until(async () => (await store.depth()).unsent === 0, 15_000, 'an empty outbox');
      } finally { await p.close(); }
      const posts = fake.calls.filter((c) => c.path === '/v1/usage');
      expect(posts.slice(0, 4).map((c) => c.status)).to.deep.equal([500, 500, 429, 200]);
      expect(posts.every((c) => c.authorized && c.gatewayId === 'gw-test')).to.equal(true);
      // retry-after: 1 was honoured (the backoff alone would have waited at most 200 ms).
      expect(posts[3]!.time - posts[2]!.time).to.be.at.least(950);
      expect(posts.slice(3).map((c) => c.records)).to.deep.equal([10, 10, 5]);
      expect(fake.acceptedIds).to.have.length(25);
      expect(new Set(fake.acceptedIds).size).to.equal(25);
      expect(fake.usage.get('req-007')).to.deep.equal(record(7));
      expect(results.filter((r) => !r.ok).map((r) => r.result)).to.deep.equal(['server_error', 'server_error', 'throttled']);
    });

    it('an answer that never comes (timeout) is sent again and counted once, as a duplicate', async () => {
      await store.insert(Array.from({ length: 4 }, (_, i) => record(i)));
      fake.script.push('hold');
      const p = pusher(300);
      p.start();
      try {
        await until(async () => (await store.depth()).unsent === 0, 15_000, 'an empty outbox');
      } finally { await p.close(); fake.release(); }
      expect(results[0]).to.include({ ok: false, result: 'timeout' });
      expect(fake.acceptedIds).to.have.length(4);
      expect(fake.duplicateIds).to.have.members(['req-000', 'req-001', 'req-002', 'req-003']);
    });

    it('a redirect is not followed: the batch goes nowhere else, stays unsent, and the push is a failure', async () => {
      await store.insert([record(1), record(2)]);
      // A marketplace address that now redirects (307 keeps the POST and its body, 302 turns it into a GET).
      const statuses = [307, 302];
      const moved = http.createServer((req, res) => { req.resume(); res.writeHead(statuses.shift() ?? 308, { location: `${fake.url}${req.url}` }).end(); });
      await new Promise<void>((r) => moved.listen(0, '127.0.0.1', r));
      const p = new UsagePusher({
        client: marketplaceClient(() => ({ url: `http://127.0.0.1:${(moved.address() as AddressInfo).port}`, apiKey: fake.apiKey, gatewayId: 'gw-test', timeoutMs: 2000 })),
        store, logger: quietLogger().logger,
        settings: () => ({ gatewayId: 'gw-test', batchSize: 10, intervalMs: 100, backoff: { initialMs: 50, maxMs: 200 } }),
        onResult: (r) => results.push(r), onDepth: () => {},
      });
      try {
        await p.pushAll();
        await p.pushAll();
      } finally { await new Promise<void>((r) => moved.close(() => r())); }
      expect(fake.calls, 'calls the redirect target got').to.have.length(0);
      expect((await store.depth()).unsent).to.equal(2);
      expect(results.map((r) => [r.ok, r.result])).to.deep.equal([[false, 'refused'], [false, 'refused']]);
      expect(results[0]!.detail).to.include('HTTP 307').and.include('not followed');
    });

    it('records a 200 does not name stay unsent, and go again next round', async () => {
      await store.insert([record(1), record(2)]);
      // A 200 whose body names neither record (not {accepted, duplicates} at all).
      fake.script.push({ status: 200 });
      const p = pusher();
      await p.pushAll();
      expect(results[0]).to.include({ ok: true, sent: 0 });
      expect((await store.depth()).unsent).to.equal(2);
      await p.pushAll();
      expect((await store.depth()).unsent).to.equal(0);
      expect(fake.acceptedIds).to.deep.equal(['req-001', 'req-002']);
    });
  });
}
