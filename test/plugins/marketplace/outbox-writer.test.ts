// The outbox writer: nothing written before start(), everything queued written soon after (off the
// request path), a database that fails keeps records in memory and retries, close() writes the rest.
import { expect } from 'chai';
import type { OutboxStore } from '../../../plugins/marketplace/outbox-store.js';
import { OutboxWriter } from '../../../plugins/marketplace/outbox-writer.js';
import type { UsageRecord } from '../../../plugins/marketplace/protocol.js';
import { quietLogger, sleep, until } from './rig.js';

const rec = (id: string): UsageRecord => ({
  id, time: new Date().toISOString(), direction: 'consumed', offer_id: 'o', provider: 'offer:o', model: 'm',
  input_tokens: 1, output_tokens: 1, cached_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, cost_usd: 0,
});

function memoryStore(): OutboxStore & { rows: string[]; failing: boolean; inserts: number } {
  const s = {
    rows: [] as string[], failing: false, inserts: 0,
    async insert(records: readonly UsageRecord[]) {
      s.inserts++;
      if (s.failing) throw new Error('database down');
      for (const r of records) if (!s.rows.includes(r.id)) s.rows.push(r.id);
    },
    unsent: async () => [], markSent: async () => {}, depth: async () => ({ unsent: 0, oldestMs: undefined }), prune: async () => 0,
  };
  return s;
}

describe('marketplace: the outbox writer', () => {
  it('writes nothing before start(), then everything, in order, soon after each push', async () => {
    const store = memoryStore();
    let written = 0;
    const w = new OutboxWriter({ store, logger: quietLogger().logger, maxQueued: 100, onWritten: (n) => { written += n; }, onDropped: () => {} });
    w.push(rec('a'));
    await sleep(30);
    expect(store.inserts).to.equal(0);
    w.start();
    await until(() => store.rows.length === 1, 1000);
    w.push(rec('b'));
    w.push(rec('c'));
    expect(store.rows).to.deep.equal(['a']); // the push itself does no I/O
    await until(() => store.rows.length === 3, 1000);
    expect(store.rows).to.deep.equal(['a', 'b', 'c']);
    expect(written).to.equal(3);
    await w.close();
  });

  it('keeps records while the database fails, retries, and drops beyond its bound (counted)', async () => {
    const store = memoryStore();
    store.failing = true;
    let dropped = 0;
    const { logger, lines } = quietLogger();
    const w = new OutboxWriter({ store, logger, maxQueued: 3, onWritten: () => {}, onDropped: (n) => { dropped += n; } });
    w.start();
    for (const id of ['a', 'b', 'c', 'd', 'e']) w.push(rec(id));
    await until(() => store.inserts >= 1, 1000);
    expect(w.queued).to.equal(3);
    expect(dropped).to.equal(2);
    expect(lines.filter((l) => l.includes('queue full'))).to.have.length(1);
    store.failing = false;
    await until(() => store.rows.length === 3, 3000, 'the retry');
    expect(store.rows).to.deep.equal(['a', 'b', 'c']);
    await w.close();
  });

  it('close() writes what is still queued', async () => {
    const store = memoryStore();
    const w = new OutboxWriter({ store, logger: quietLogger().logger, maxQueued: 100, onWritten: () => {}, onDropped: () => {} });
    w.start();
    w.push(rec('x'));
    await w.close();
    expect(store.rows).to.deep.equal(['x']);
  });
});
