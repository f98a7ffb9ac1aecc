// The writer on its own, against a store that fails on demand: batching by size and time, spill on
// failure and on overflow, replay (oldest first, torn lines skipped) once writes succeed, idempotent
// replays, and close() writing — or spilling — everything.
import { expect } from 'chai';
import { appendFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../../../core/observability/logger.js';
import { createMetrics } from '../../../core/observability/metrics.js';
import type { RequestRecord } from '../../../core/plugin/request-record.js';
import { ledgerMetrics } from '../../../plugins/ledger/metrics.js';
import type { LedgerRow } from '../../../plugins/ledger/row.js';
import { SpillFile } from '../../../plugins/ledger/spill.js';
import { LedgerWriter } from '../../../plugins/ledger/writer.js';
import { tempDir } from '../../helpers/gateway.js';

function record(id: string): RequestRecord {
  return {
    id, arrivalKey: `k_${id}`, time: Date.UTC(2026, 0, 2), method: 'POST', path: '/v1/chat/completions', endpoint: 'openai.chat', family: 'openai',
    peerAddress: '127.0.0.1', clientAddress: '127.0.0.1', principal: undefined, sessionId: undefined, model: 'm', provider: 'p',
    servedModel: 'm', attempts: [], stream: false, status: 200, outcome: 'success', errorCode: undefined, usage: undefined,
    findings: [], firstByteMs: 1, totalMs: 2, exchange: undefined,
  };
}

class FlakyStore {
  rows = new Map<string, LedgerRow>();
  statements = 0;
  down = false;
  async insert(rows: readonly LedgerRow[]) {
    this.statements++;
    if (this.down) throw new Error('connection refused');
    const before = this.rows.size;
    for (const r of rows) if (!this.rows.has(r.request_id)) this.rows.set(r.request_id, r);
    return this.rows.size - before;
  }
}

function setup(opts: Partial<{ flushIntervalMs: number; batchSize: number; maxBufferRows: number; cycleAfterYoungGc: boolean; lines: string[] }> = {}) {
  const dir = tempDir('sluice-ledger-writer-');
  const store = new FlakyStore();
  const corrupt: number[] = [];
  const spill = new SpillFile(path.join(dir, 'spill'), (_f, line) => corrupt.push(line));
  const metrics = createMetrics();
  const writer: LedgerWriter<RequestRecord> = new LedgerWriter<RequestRecord>(
    { flushIntervalMs: opts.flushIntervalMs ?? 60_000, batchSize: opts.batchSize ?? 10, maxBufferRows: opts.maxBufferRows ?? 1000, writeTimeoutMs: 1000, cycleAfterYoungGc: opts.cycleAfterYoungGc },
    {
      prepare: async (rs) => rs.map(fallbackLike), fallbackRow: fallbackLike, store, spill,
      metrics: ledgerMetrics(metrics, () => writer.depth),
      logger: opts.lines ? createLogger({ level: 'info', write: (l) => opts.lines!.push(l) }) : createLogger({ level: 'silent' }),
    },
  );
  return { dir, store, spill, writer, corrupt, metrics };
}

function fallbackLike(r: RequestRecord): LedgerRow {
  return { request_id: r.id, time_ms: r.time, day: '2026-01-02', outcome: r.outcome, status: r.status } as LedgerRow;
}

/**
 * Enough short-lived allocation for several scavenges (~100 MB; the young generation is at most a
 * few tens of MB). Each object is stored, briefly, so the optimiser cannot leave it unallocated.
 */
function churn(): void {
  const ring = new Array<{ i: number; s: string }>(1024);
  for (let i = 0; i < 2_000_000; i++) ring[i & 1023] = { i, s: `${i}` };
}

describe('ledger writer', () => {
  it('with cycleAfterYoungGc, records are written after the next scavenge rather than waiting for the interval', async () => {
    const settle = () => new Promise((r) => setTimeout(r, 50));
    for (const cycleAfterYoungGc of [true, false]) {
      const { store, writer } = setup({ flushIntervalMs: 60_000, batchSize: 1000, cycleAfterYoungGc });
      await writer.start();
      await new Promise((r) => setTimeout(r, 50)); // past the writer's floor between scavenge-started cycles (25 ms)
      for (let i = 0; i < 3; i++) writer.push(record(`r${i}`));
      churn();
      await settle();
      expect(store.rows.size, `cycleAfterYoungGc: ${cycleAfterYoungGc}`).to.equal(cycleAfterYoungGc ? 3 : 0);
      await writer.close();
      expect(store.rows.size).to.equal(3);
    }
  });

  it('writes a full batch at once and the rest on the timer', async () => {
    const { store, writer } = setup({ flushIntervalMs: 50, batchSize: 5 });
    await writer.start();
    for (let i = 0; i < 12; i++) writer.push(record(`r${i}`));
    await writer.kick();
    expect(store.rows.size).to.be.at.least(10);
    await new Promise((r) => setTimeout(r, 120));
    expect(store.rows.size).to.equal(12);
    await writer.close();
  });

  it('a cycle that a full batch started restarts the interval: the next timed cycle is one interval after it', async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const { store, writer } = setup({ flushIntervalMs: 1000, batchSize: 5 });
    await writer.start(); // a cycle now; the timer due at +1000
    await sleep(600);
    for (let i = 0; i < 5; i++) writer.push(record(`r${i}`)); // a full batch: a cycle at +600, the timer now due at +1600
    await writer.kick();
    writer.push(record('late'));
    await sleep(700); // +1300: a fixed interval would have written it at +1000
    expect(store.rows.has('r4')).to.equal(true);
    expect(store.rows.has('late')).to.equal(false);
    await sleep(600); // +1900: the timed cycle at +1600 wrote it
    expect(store.rows.has('late')).to.equal(true);
    await writer.close();
  });

  it('spills when the store fails, loses nothing, and replays once it is back', async () => {
    const { store, writer, spill, dir, metrics } = setup();
    await writer.start();
    store.down = true;
    for (let i = 0; i < 25; i++) writer.push(record(`a${i}`));
    await writer.kick();
    expect(store.rows.size).to.equal(0);
    expect(spill.rows).to.equal(25);
    expect(readdirSync(path.join(dir, 'spill'))).to.deep.equal([spill.current]);
    expect(await metrics.render()).to.match(/^sluice_ledger_spill_rows 25$/m);
    for (let i = 0; i < 5; i++) writer.push(record(`b${i}`));
    await writer.kick();
    expect(spill.rows).to.equal(30);
    store.down = false;
    await writer.kick();
    expect([...store.rows.keys()].sort()).to.deep.equal([...Array.from({ length: 25 }, (_, i) => `a${i}`), ...Array.from({ length: 5 }, (_, i) => `b${i}`)].sort());
    expect(spill.rows).to.equal(0);
    expect(readdirSync(path.join(dir, 'spill'))).to.deep.equal([]);
    expect(await metrics.render()).to.match(/^sluice_ledger_write_errors_total [1-9]/m);
    await writer.close();
  });

  it('the queue depth gauge counts the records waiting for a cycle, read when scraped', async () => {
    const { writer, metrics, store } = setup({ batchSize: 3 });
    await writer.start();
    writer.push(record('d1'));
    writer.push(record('d2'));
    expect(await metrics.render()).to.match(/^sluice_ledger_queue_depth 2$/m);
    writer.push(record('d3')); // a full batch: written at once
    await writer.kick();
    expect(store.rows.size).to.equal(3);
    expect(await metrics.render()).to.match(/^sluice_ledger_queue_depth 0$/m);
    await writer.close();
  });

  it('exports its error counters at 0 from start, before any error', async () => {
    const { writer, metrics } = setup();
    await writer.start();
    const text = await metrics.render();
    for (const name of ['sluice_ledger_write_errors_total', 'sluice_ledger_rows_dropped_total', 'sluice_ledger_rows_written_total']) {
      expect(text).to.match(new RegExp(`^${name} 0$`, 'm'));
    }
    await writer.close();
  });

  it('says the database recovered only once a write went through, not after rows were dropped', async () => {
    const lines: string[] = [];
    const dir = tempDir('sluice-ledger-writer-');
    const store = new FlakyStore();
    const spill = new SpillFile(path.join(dir, 'spill'), () => {});
    // Room in memory for 2 rows: of the 4 the disk refuses, 2 are dropped and 2 wait.
    const writer = new LedgerWriter(
      { flushIntervalMs: 60_000, batchSize: 10, maxBufferRows: 2, writeTimeoutMs: 1000 },
      { prepare: async (rs) => rs.map(fallbackLike), fallbackRow: fallbackLike, store, spill, metrics: ledgerMetrics(createMetrics()), logger: createLogger({ level: 'info', write: (l) => lines.push(l) }) },
    );
    await writer.start();
    store.down = true;
    spill.append = async () => { throw new Error('ENOTDIR'); };
    for (let i = 0; i < 4; i++) writer.push(record(`d${i}`));
    await writer.kick();
    expect(lines.filter((l) => l.includes('rows lost'))).to.have.length(1);
    await writer.kick(); // the 2 waiting fail again: no evidence of a recovery
    expect(lines.filter((l) => l.includes('recovered'))).to.deep.equal([]);
    expect(lines.filter((l) => l.includes('rows lost')), 'nothing more lost').to.have.length(1);
    store.down = false;
    writer.push(record('e0'));
    await writer.kick();
    expect(lines.filter((l) => l.includes('recovered'))).to.have.length(1);
    expect(lines.filter((l) => l.includes('write failed'))).to.have.length(1);
    await writer.close();
  });

  it('rows the spill file cannot take (a full disk) wait in memory within max_buffer_rows and are written when the database returns', async () => {
    const lines: string[] = [];
    const { store, spill, writer, metrics } = setup({ maxBufferRows: 30, lines });
    await writer.start();
    store.down = true;
    spill.append = async () => { throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }); };
    for (let i = 0; i < 25; i++) writer.push(record(`a${i}`));
    await writer.kick();
    await writer.kick(); // a second failed cycle: still waiting, not lost, and not logged again
    expect(writer.depth, 'waiting in memory').to.equal(25);
    for (let i = 0; i < 10; i++) writer.push(record(`b${i}`));
    await writer.kick(); // 35 > 30: the 5 beyond the bound are the only rows lost
    expect(writer.depth).to.equal(30);
    const text = await metrics.render();
    expect(text).to.match(/^sluice_ledger_rows_dropped_total 5$/m);
    expect(lines.filter((l) => l.includes('spill file could not be written; rows wait in memory')), 'said once').to.have.length(1);
    store.down = false;
    await writer.kick();
    expect(store.rows.size, 'every row that fitted in memory').to.equal(30);
    expect(writer.depth).to.equal(0);
    await writer.close();
  });

  it('close() with neither the database nor the disk taking rows counts what it leaves behind as lost, and does not spin', async () => {
    const lines: string[] = [];
    const { store, spill, writer, metrics } = setup({ lines });
    await writer.start();
    store.down = true;
    spill.append = async () => { throw new Error('EROFS: read-only file system'); };
    for (let i = 0; i < 7; i++) writer.push(record(`c${i}`));
    const statements = store.statements;
    await writer.close();
    expect(store.statements - statements, 'one attempt, not a hundred').to.be.at.most(2);
    expect(writer.depth).to.equal(0);
    expect(await metrics.render()).to.match(/^sluice_ledger_rows_dropped_total 7$/m);
    expect(lines.filter((l) => l.includes('rows lost at shutdown'))).to.have.length(1);
  });

  it('rows beyond max_buffer_rows go to disk before the write, not into memory', async () => {
    const { store, writer, spill } = setup({ maxBufferRows: 100, batchSize: 1000 });
    // Not started: records pile up as they would behind a slow database.
    for (let i = 0; i < 350; i++) writer.push(record(`o${i}`));
    let spilledBeforeWrite = -1;
    const insert = store.insert.bind(store);
    store.insert = async (rows) => { if (spilledBeforeWrite < 0) spilledBeforeWrite = spill.rows; return insert(rows); };
    await writer.kick();
    expect(spilledBeforeWrite).to.equal(250);
    expect(store.rows.size).to.equal(350);
  });

  it('rows the table already holds, replayed again (a spill file copied back), are skipped and not counted as written', async () => {
    const { store, writer, spill, dir, metrics } = setup({ batchSize: 10 });
    await writer.start();
    for (let i = 0; i < 5; i++) writer.push(record(`d${i}`));
    await writer.kick();
    expect(store.rows.size).to.equal(5);
    appendFileSync(path.join(dir, 'spill', spill.current), [...store.rows.values()].map((r) => `${JSON.stringify(r)}\n`).join(''));
    await spill.open(); // counts the file's 5 rows as waiting
    await writer.kick();
    expect(spill.rows).to.equal(0);
    const written = (await metrics.render()).split('\n').filter((l) => l.startsWith('sluice_ledger_rows_written_total'));
    expect(written).to.deep.equal(['sluice_ledger_rows_written_total 5']);
    await writer.close();
  });

  it('a replay cut short resumes later without writing a row twice; a torn line is skipped', async () => {
    const { store, writer, spill, dir, corrupt, metrics } = setup({ batchSize: 10 });
    await writer.start();
    store.down = true;
    for (let i = 0; i < 30; i++) writer.push(record(`c${i}`));
    await writer.kick();
    appendFileSync(path.join(dir, 'spill', spill.current), '{"request_id":"torn');
    // Back for one batch, then down again mid-replay.
    store.down = false;
    let calls = 0;
    const insert = store.insert.bind(store);
    store.insert = async (rows) => { if (++calls === 2) throw new Error('down again'); return insert(rows); };
    await writer.kick();
    expect(store.rows.size).to.equal(10);
    store.insert = insert;
    await writer.kick();
    expect(store.rows.size).to.equal(30);
    expect(corrupt.length).to.equal(1);
    expect(spill.rows).to.equal(0);
    // The second replay sent the first batch again: skipped, and not counted as written twice.
    const text = await metrics.render();
    expect(text.split('\n').filter((l) => l.startsWith('sluice_ledger_rows_written_total'))).to.deep.equal(['sluice_ledger_rows_written_total 30']);
    await writer.close();
  });

  it('a torn line left by a crash does not swallow the rows appended after a restart', async () => {
    const { store, writer, spill, dir, corrupt } = setup();
    store.down = true;
    await writer.start();
    writer.push(record('before'));
    await writer.kick();
    appendFileSync(path.join(dir, 'spill', spill.current), '{"request_id":"torn');
    await spill.open(); // what the next run's start() does
    writer.push(record('after'));
    await writer.kick();
    store.down = false;
    await writer.kick();
    expect([...store.rows.keys()].sort()).to.deep.equal(['after', 'before']);
    expect(corrupt.length).to.equal(1);
    await writer.close();
  });

  it('close() writes what is queued, or spills it when the store is down; a new writer replays it', async () => {
    const a = setup();
    await a.writer.start();
    a.store.down = true;
    for (let i = 0; i < 7; i++) a.writer.push(record(`d${i}`));
    await a.writer.close();
    expect(a.spill.rows).to.equal(7);
    // The next run, over the same spill directory, writes them on start.
    const b = setup();
    const spill = new SpillFile(path.join(a.dir, 'spill'), () => {});
    const writer = new LedgerWriter({ flushIntervalMs: 60_000, batchSize: 10, maxBufferRows: 1000, writeTimeoutMs: 1000 },
      { prepare: async (rs) => rs.map(fallbackLike), fallbackRow: fallbackLike, store: b.store, spill, metrics: ledgerMetrics(createMetrics()), logger: createLogger({ level: 'silent' }) });
    await writer.start();
    await writer.kick();
    expect(b.store.rows.size).to.equal(7);
    await writer.close();
  });
});

describe('ledger writer: a database that stops answering', () => {
  /** A store whose inserts hang (a PostgreSQL that drops packets) until released; then they commit. */
  class HangingStore {
    rows = new Map<string, LedgerRow>();
    inserts = 0;
    hang = true;
    private held: (() => void)[] = [];
    async insert(rows: readonly LedgerRow[]) {
      this.inserts++;
      if (this.hang) await new Promise<void>((resolve) => this.held.push(resolve));
      const before = this.rows.size;
      for (const r of rows) if (!this.rows.has(r.request_id)) this.rows.set(r.request_id, r);
      return this.rows.size - before;
    }
    release() { this.hang = false; for (const r of this.held.splice(0)) r(); }
  }

  it('spills a write\'s rows after a flush interval, spills what follows at once, shows its depth, and closes without waiting on it', async () => {
    const dir = tempDir('sluice-ledger-hang-');
    const store = new HangingStore();
    const metrics = createMetrics();
    const spill = new SpillFile(path.join(dir, 'spill'), () => {});
    const deps = { prepare: async (rs: readonly RequestRecord[]) => rs.map(fallbackLike), fallbackRow: fallbackLike, store, spill, metrics: ledgerMetrics(metrics, () => writer.depth), logger: createLogger({ level: 'silent' }) };
    // A write timeout far past the interval: what it used to hold in memory (and a crash lose).
    const writer: LedgerWriter<RequestRecord> = new LedgerWriter<RequestRecord>({ flushIntervalMs: 200, batchSize: 100, maxBufferRows: 1000, writeTimeoutMs: 30_000 }, deps);
    await writer.start();
    for (let i = 0; i < 5; i++) writer.push(record(`h${i}`));
    const first = writer.kick();
    await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 3; i++) writer.push(record(`w${i}`)); // they end while the write hangs
    writer.kick(); // what the interval's timer does while a cycle waits
    expect(await metrics.render()).to.match(/^sluice_ledger_queue_depth 8$/m);
    const started = Date.now();
    await first; // the hung write given up on, its cycle over
    expect(Date.now() - started).to.be.below(1000);
    expect(spill.rows).to.equal(8);
    expect(store.inserts).to.equal(1);
    // Later records go to disk within an interval, with no new insert while the first still hangs.
    for (let i = 0; i < 4; i++) writer.push(record(`l${i}`));
    await writer.kick();
    expect(spill.rows).to.equal(12);
    expect(store.inserts).to.equal(1);
    for (let i = 0; i < 2; i++) writer.push(record(`c${i}`));
    const closing = Date.now();
    await writer.close();
    expect(Date.now() - closing, 'close does not wait on the hung write').to.be.below(1000);
    expect(spill.rows).to.equal(14);
    // The hung write commits after all; the next run replays the file, skipping what it wrote.
    store.release();
    await new Promise((r) => setTimeout(r, 10));
    expect([...store.rows.keys()]).to.deep.equal(['h0', 'h1', 'h2', 'h3', 'h4']);
    const next = new LedgerWriter<RequestRecord>({ flushIntervalMs: 200, batchSize: 100, maxBufferRows: 1000, writeTimeoutMs: 30_000 }, { ...deps, spill: new SpillFile(path.join(dir, 'spill'), () => {}) });
    await next.start();
    await next.kick();
    expect(store.rows.size).to.equal(14);
    expect(readdirSync(path.join(dir, 'spill'))).to.deep.equal([]);
    // Written: the late commit's 5 and the replay's 9 new rows (its 5 already stored are skipped, not counted twice).
    expect(await metrics.render()).to.match(/^sluice_ledger_rows_written_total 14$/m);
    await next.close();
  });

  it('a write that commits after write_timeout_ms is still counted as written when it lands', async () => {
    const dir = tempDir('sluice-ledger-late-');
    const store = new HangingStore();
    const metrics = createMetrics();
    const spill = new SpillFile(path.join(dir, 'spill'), () => {});
    const writer = new LedgerWriter<RequestRecord>({ flushIntervalMs: 50, batchSize: 100, maxBufferRows: 1000, writeTimeoutMs: 150 }, {
      prepare: async (rs) => rs.map(fallbackLike), fallbackRow: fallbackLike, store, spill, metrics: ledgerMetrics(metrics), logger: createLogger({ level: 'silent' }),
    });
    await writer.start();
    for (let i = 0; i < 5; i++) writer.push(record(`t${i}`));
    await writer.kick(); // given up on after the interval: the rows spilled
    expect(spill.rows).to.equal(5);
    await new Promise((r) => setTimeout(r, 300)); // past the write timeout
    store.release(); // …and then it commits
    await new Promise((r) => setTimeout(r, 10));
    expect(store.rows.size).to.equal(5);
    expect(await metrics.render()).to.match(/^sluice_ledger_rows_written_total 5$/m);
    // The replay finds them stored: nothing counted twice.
    await writer.kick();
    expect(spill.rows).to.equal(0);
    expect(await metrics.render()).to.match(/^sluice_ledger_rows_written_total 5$/m);
    await writer.close();
  });
});

describe('ledger rows fit their columns', () => {
  it('long strings are cut to the column, integers made whole, non-finite numbers dropped', async () => {
    const { fitRow } = await import('../../../plugins/ledger/columns.js');
    const row = fitRow({ request_id: 'r', requested_model: 'm'.repeat(1000), provider: 'p'.repeat(300), input_tokens: 1.6, output_tokens: Number.NaN, ttfb_ms: Number.POSITIVE_INFINITY, latency_ms: 3.5, local_input_tokens: Number.NaN } as unknown as LedgerRow);
    expect(row.requested_model!.length).to.equal(256);
    expect(row.provider!.length).to.equal(128);
    expect(row).to.include({ input_tokens: 2, output_tokens: 0, ttfb_ms: null, latency_ms: 3.5, local_input_tokens: null });
  });

  it('the insert\'s spelled-out values are fitValue column by column, in column order', async () => {
    const { rowValues, fittedByColumn } = await import('../../../plugins/ledger/columns.js');
    // Every column a value of its own (so a swapped pair shows), then every column at its edge.
    const distinct: Record<string, unknown> = {};
    const odd: Record<string, unknown> = {};
    const columns = ['request_id', 'time_ms', 'day', 'user_id', 'team_id', 'key_id', 'session_id', 'client_address', 'method', 'path', 'endpoint',
      'client_protocol', 'requested_model', 'served_model', 'provider', 'fallbacks', 'fallback_detail', 'stream', 'status', 'outcome',
      'error_code', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'usage_source',
      'cost_input', 'cost_output', 'cost_cache_read', 'cost_cache_write', 'cost_reasoning', 'cost_total', 'local_input_tokens',
      'local_output_tokens', 'local_method', 'count_mismatch', 'ttfb_ms', 'latency_ms', 'output_tps', 'findings', 'direction', 'offer_id', 'arrival_key',
      'service_tier', 'web_search_calls', 'web_fetch_calls', 'cost_fees', 'answered_model'];
    columns.forEach((c, i) => {
      distinct[c] = i % 2 ? i + 0.25 : `v${i}`.repeat(i + 1);
      odd[c] = i % 3 === 0 ? undefined : i % 3 === 1 ? Number.NaN : 'x'.repeat(2000);
    });
    for (const row of [distinct, odd, {}]) {
      const expected = fittedByColumn(row as unknown as LedgerRow);
      expect(expected).to.have.length(columns.length);
      expect(rowValues(row as unknown as LedgerRow, [])).to.deep.equal(expected);
      // At an offset, as the SQLite insert fits a slice's rows into one array.
      expect(rowValues(row as unknown as LedgerRow, ['before'], 1)).to.deep.equal(['before', ...expected]);
    }
  });
});
