// The outbox writer: nothing written before start(), everything queued written soon after (off the
// request path), a database that fails keeps records in memory and retries, close() writes the rest.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OutboxSpill } from '../../../plugins/marketplace/outbox-spill.js';
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

  describe('with a spill file', () => {
    const spillIn = (dir: string, database = 'sqlite:/a.db') => new OutboxSpill(dir, database, () => {});
    const jsonl = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.jsonl'));

    it('a failed insert moves the queue to disk (a crash loses nothing queued before it); the next start writes it first', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-outbox-spill-'));
      const store = memoryStore();
      store.failing = true;
      const w = new OutboxWriter({ store, logger: quietLogger().logger, maxQueued: 100, spill: spillIn(dir), onWritten: () => {}, onDropped: () => {} });
      w.start();
      w.push(rec('a'));
      w.push(rec('b'));
      await until(() => jsonl(dir).length === 1 && w.queued === 0, 2000, 'the spill');
      const { logger, lines } = quietLogger();
      // A second writer (the process that closes): c cannot be written either, and goes to disk at close.
      const closing = new OutboxWriter({ store, logger, maxQueued: 100, spill: spillIn(dir), onWritten: () => {}, onDropped: () => {} });
      closing.start();
      closing.push(rec('c'));
      await closing.close();
      expect(lines.some((l) => l.includes('lost at shutdown'))).to.equal(false);
      expect(lines.some((l) => l.includes('kept in the spill file at shutdown'))).to.equal(true);
      await w.close();

      const fresh = memoryStore();
      fresh.rows.push('a'); // already in the table (a replay cut short): skipped, not doubled
      let written = 0;
      const next = new OutboxWriter({ store: fresh, logger: quietLogger().logger, maxQueued: 100, spill: spillIn(dir), onWritten: (n) => { written += n; }, onDropped: () => {} });
      next.start();
      await until(() => fresh.rows.length === 3, 2000, 'the replay');
      expect([...fresh.rows].sort()).to.deep.equal(['a', 'b', 'c']);
      expect(written).to.be.at.least(2);
      expect(jsonl(dir)).to.deep.equal([]);
      await next.close();
    });

    it('a writer never started (config validate, a CLI command) replays nothing at close', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-outbox-spill-'));
      await spillIn(dir).save([rec('waiting')]);
      const store = memoryStore();
      const w = new OutboxWriter({ store, logger: quietLogger().logger, maxQueued: 100, spill: spillIn(dir), onWritten: () => {}, onDropped: () => {} });
      await w.close();
      expect(store.inserts).to.equal(0);
      expect(jsonl(dir)).to.have.length(1);
    });

    it('replays only files for its own database, oldest first, and skips a torn line (logged)', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-outbox-spill-'));
      await spillIn(dir, 'sqlite:/other.db').save([rec('elsewhere')]);
      const torn: number[] = [];
      const ours = new OutboxSpill(dir, 'sqlite:/a.db', (_file, line) => torn.push(line));
      await ours.save([rec('x')]);
      // An older file of ours whose end is torn (a disk that lost it): its whole lines replay, first.
      const tag = createHash('sha256').update('sqlite:/a.db').digest('hex').slice(0, 12);
      writeFileSync(path.join(dir, `marketplace-outbox-1-1-1.${tag}.jsonl`), `${JSON.stringify(rec('old'))}\n{"id":\n`);
      const ids: string[] = [];
      expect(await ours.replay(10, async (records) => { ids.push(...records.map((r) => r.id)); })).to.equal(2);
      expect(ids).to.deep.equal(['old', 'x']);
      expect(torn).to.deep.equal([2]);
      expect(jsonl(dir)).to.have.length(1); // the other database's file stays
    });
  });
});
