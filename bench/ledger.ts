// What the ledger costs: the default chain (router → translator, passthrough to an openai provider
// at the bench mock, which runs in a process of its own) with and without `- use: ledger`, in one
// run, JSON and streamed requests.
// Each variant is a real `sluice start` (NODE_ENV=production, SQLite ledger in a temp dir); its
// CPU time (all threads: the tokenizer thread included) is read from /proc before a fixed-duration
// load at a fixed offered rate and after the ledger has caught up (the process quiet again), so
// "CPU µs per request" is the gateway's whole cost per request, at the same load for every variant
// (CPU per request falls as throughput rises, so a closed loop would compare unlike loads).
// Requests arrive open loop, at Poisson times (bench/open-loop.ts): the median latency is then a
// request's own, not its wait behind a burst (`--arrivals bursts`: autocannon's, rounds 1–16).
// Variants run interleaved (A B C A B C) so drift in the machine's load hits them alike.
// `--before DIR` adds the ledger variants of another build (e.g. main, `git archive` + tsc in DIR).
// Each round's variants are paired with that round's "without ledger": the report gives the median
// of those paired deltas and, from 6 rounds on, a distribution-free 95% confidence interval of it.
// The report goes to --out (not to bench/results/ledger.md, which holds the rounds' history).
//
//   npm run build && node dist/bench/ledger.js --duration 8 --rate 1000 --rounds 2
//   node dist/bench/ledger.js --together --variants none,off,default --rate 400 --rounds 8 --skip-own
//   node dist/bench/ledger.js --alternate 30 --together --variants none,twin,off,default,bare --rate 700 --duration 2 --warmup 4 --rounds 1 --skip-own
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchBody, benchConfig, freePort } from './ledger-chain.js';
import { startMockUpstreamProcess } from './mock-openai-upstream.js';
import { openLoop } from './open-loop.js';
import { median, medianInterval } from './stats.js';
import { threadsCpuUs } from './thread-cpu.js';
import { createGateway } from '../core/app.js';
import { loadConfigFile } from '../core/config/load.js';
import { createLogger } from '../core/observability/logger.js';
import type { RequestRecord } from '../core/plugin/request-record.js';
import { DEFAULT_PRICES } from '../core/pricing/default-prices.js';
import { createPriceTable } from '../core/pricing/price-table.js';
import { takeObservers } from '../core/protocols/observe-stream.js';
import type { StreamEvent } from '../core/protocols/types.js';
import { listen } from '../core/server.js';
import { openDatabase } from '../core/storage/database.js';
import { migrateLatest } from '../core/storage/migrations.js';
import type { Exchange } from '../core/exchange.js';
import { captureStream } from '../plugins/ledger/capture.js';
import { createTokenCounter, type TokenCounter } from '../plugins/ledger/count/tokenizer.js';
import { ledgerMigrations } from '../plugins/ledger/migrations.js';
import { ledgerOptions } from '../plugins/ledger/options.js';
import { entryOf } from '../plugins/ledger/entry.js';
import { prepareEntries, prepareRow } from '../plugins/ledger/prepare.js';
import { knexStore } from '../plugins/ledger/store.js';

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/bench
const root = path.resolve(here, '../..');
const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '2' },
    /** Offered requests per second over all connections (0: as fast as they go). */
    rate: { type: 'string', default: '1000' },
    /** A built copy of another revision whose ledger variants run beside these ("before"). */
    before: { type: 'string' },
    /** Node flags for the --before build's gateways (e.g. '--single-threaded-gc'): --before set to this build compares the flags. */
    'before-node-flags': { type: 'string' },
    records: { type: 'string', default: '2000' },
    /** All variants' gateways at once, each at --rate (see measure). */
    together: { type: 'boolean', default: false },
    /** Only the end-to-end figures. */
    'skip-own': { type: 'boolean', default: false },
    /** Only the in-process measurement of the ledger's own work. */
    'own-only': { type: 'boolean', default: false },
    /** Gateways started once per round, loaded in turn in this many windows of --duration s per mode (see measureAlternating). */
    alternate: { type: 'string', default: '0' },
    /** Which variants: none, twin (a second none: A/A), off, default, none-before, off-before, default-before (the last three need --before), try (needs --try-with), bare (the floor: bench/bare-proxy.ts). */
    variants: { type: 'string' },
    /** Seconds of warm-up load per mode before measuring (JIT, pools, the tokenizer's encoding). */
    warmup: { type: 'string', default: '2' },
    /** Options (a YAML flow mapping) for an extra ledger variant `try`, e.g. '{ batch_size: 64 }'. */
    'try-with': { type: 'string' },
    /** Which modes to load: json, stream or both (json,stream). */
    modes: { type: 'string', default: 'json,stream' },
    /** Each request's user message its own, and each answer one of the mock's 1,024 (the count then has new texts every row, as real traffic does); else one body and one answer for all. */
    vary: { type: 'boolean', default: false },
    /** How requests arrive at --rate: poisson (open loop, bench/open-loop.ts) or bursts (autocannon's overallRate: each second's share sent back to back over --connections; rounds 1–16). */
    arrivals: { type: 'string', default: 'poisson' },
    out: { type: 'string', default: path.join(root, 'bench/results/ledger-run.md') },
  },
});
const DURATION_S = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const ROUNDS = Number(args.rounds);
const RATE = Number(args.rate);
const WRITER_RUNS = 5;
const TICK_US = 1e6 / 100; // /proc/<pid>/stat counts in clock ticks of 1/100 s on Linux
/** A generator's p99 lateness above this: the arrivals are no longer the Poisson ones asked for (see the report's first line). */
const SATURATED_LATENESS_MS = 20;

/** A Sluice gateway with `ledger` in its chain, or (`bare`) the floor: bench/bare-proxy.ts, node:http + undici, bodies buffered and sent with end(). */
interface Variant { key: string; name: string; ledger: string; root: string; bare?: boolean; nodeFlags?: string[] }
const COUNT_OFF = '  - use: ledger\n    with: { count: { enabled: false } }\n';
const BEFORE_FLAGS = args['before-node-flags']?.split(/\s+/).filter(Boolean);
const ALL_VARIANTS: Variant[] = [
  { key: 'none', name: 'without ledger', ledger: '', root },
  // A second gateway without the ledger (A/A): what a difference between two identical gateways
  // reads in the same run, the scale against which a difference is measurable or not.
  { key: 'twin', name: 'without ledger, a second gateway (A/A)', ledger: '', root },
  ...(args.before ? [{ key: 'none-before', name: 'without ledger (before)', ledger: '', root: path.resolve(args.before), nodeFlags: BEFORE_FLAGS }] : []),
  ...(args.before ? [{ key: 'off-before', name: 'ledger, count off (before)', ledger: COUNT_OFF, root: path.resolve(args.before), nodeFlags: BEFORE_FLAGS }] : []),
  { key: 'off', name: 'ledger, count off', ledger: COUNT_OFF, root },
  ...(args.before ? [{ key: 'default-before', name: 'ledger (default: tokenizer count) (before)', ledger: '  - use: ledger\n', root: path.resolve(args.before), nodeFlags: BEFORE_FLAGS }] : []),
  { key: 'default', name: 'ledger (default: tokenizer count)', ledger: '  - use: ledger\n', root },
  ...(args['try-with'] ? [{ key: 'try', name: `ledger with ${args['try-with']}`, ledger: `  - use: ledger\n    with: ${args['try-with']}\n`, root }] : []),
  { key: 'bare', name: 'bare proxy (the floor)', ledger: '', root, bare: true },
];
const chosen = args.variants?.split(',').map((k) => k.trim());
for (const k of chosen ?? []) if (!ALL_VARIANTS.some((v) => v.key === k)) throw new Error(`unknown variant ${k} (known: ${ALL_VARIANTS.map((v) => v.key).join(', ')})`);
// "without ledger" always runs: every delta is paired with it.
const VARIANTS = ALL_VARIANTS.filter((v) => v.key === 'none' || !chosen || chosen.includes(v.key));
const WARMUP_S = Number(args.warmup);
const MODES = args.modes.split(',').map((m) => m.trim());
for (const m of MODES) if (m !== 'json' && m !== 'stream') throw new Error(`unknown mode ${m} (json, stream)`);
const STREAM_FLAGS = MODES.map((m) => m === 'stream');
const ALTERNATE = Number(args.alternate);
if (args.arrivals !== 'poisson' && args.arrivals !== 'bursts') throw new Error(`unknown arrivals ${args.arrivals} (poisson, bursts)`);
const POISSON = args.arrivals === 'poisson' && RATE > 0;

function cpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_US; // utime + stime, every thread
}

/**
 * Waits for the writer's catch-up: at least two flush intervals, then until the process spends at
 * most one clock tick in half a second (at most 15 s). A fixed wait would cut a slow catch-up short.
 */
async function quiet(pid: number): Promise<void> {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  await sleep(2000);
  for (let i = 0, last = cpuUs(pid); i < 26; i++) {
    await sleep(500);
    const now = cpuUs(pid);
    if (now - last <= TICK_US) return;
    last = now;
  }
}

async function waitHealthy(url: string, healthy: (r: Response) => boolean): Promise<void> {
  for (const until = Date.now() + 20_000; Date.now() < until;) {
    try { if (healthy(await fetch(url, { signal: AbortSignal.timeout(1000) }))) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become healthy`);
}

/**
 * Load for `durationS`, or exactly `amount` requests (at the offered rate, that long too). The p50
 * is taken from each response's own time (sub-millisecond), not autocannon's summary, which rounds
 * latencies to whole milliseconds: the target's "no measurable latency at the median" needs finer.
 */
function load(url: string, stream: boolean, durationS: number, amount?: number): Promise<{ requests: number; p50: number; non2xx: number }> {
  return new Promise((resolve, reject) => {
    const times: number[] = [];
    let n = 0;
    const vary = args.vary ? { requests: [{ setupRequest: (req: { body?: string }) => ({ ...req, body: benchBody(stream, n++) }) }] } : {};
    const instance = autocannon({
      url: `${url}/v1/chat/completions`, method: 'POST', headers: { 'content-type': 'application/json' }, body: benchBody(stream), ...vary,
      connections: CONNECTIONS, pipelining: 1, duration: durationS, timeout: 10, ...(RATE > 0 ? { overallRate: RATE } : {}),
      ...(amount ? { amount } : {}),
    }, (err, r) => { if (err) reject(err); else resolve({ requests: r.requests.total, p50: median(times), non2xx: r.non2xx }); });
    instance.on('response', (_client, _status, _bytes, ms) => { times.push(ms); });
  });
}

/** How late the open-loop generator sent, per window (its p99, ms): the report says whether it kept up. */
const lateP99: number[] = [];
let seeds = 0;

/** A measured window's load: open loop at Poisson arrivals (--arrivals poisson, the default), else autocannon's (load). */
async function measuredLoad(url: string, stream: boolean, durationS: number, amount?: number): Promise<{ requests: number; p50: number; non2xx: number }> {
  if (!POISSON) return load(url, stream, durationS, amount);
  const r = await openLoop(`${url}/v1/chat/completions`, (i) => benchBody(stream, args.vary ? i : undefined), RATE, amount ?? RATE * durationS, ++seeds);
  if (r.failed) throw new Error(`${url}: ${r.failed} requests failed`);
  lateP99.push(r.lateP99);
  return r;
}

interface Sample { round: number; variant: string; mode: string; requests: number; cpuUsPerReq: number; p50: number; load: number }

const children: ChildProcess[] = [];

interface Gateway { v: Variant; dir: string; child: ChildProcess; url: string }

/** Starts the variants' gateways, each a real `sluice start`, and warms them up (JIT, pools, the tokenizer's encoding). */
async function startGateways(vs: Variant[], upstream: string): Promise<Gateway[]> {
  const gateways = await Promise.all(vs.map(async (v) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-ledger-'));
    const port = await freePort();
    writeFileSync(path.join(dir, 'sluice.yaml'), benchConfig({ port, upstream, dir, ledger: v.ledger, server: 'shutdown_grace_ms: 2000' }));
    const argv = v.bare ? [path.join(here, 'bare-proxy.js'), new URL(upstream).origin, String(port)] : [...(v.nodeFlags ?? []), path.join(v.root, 'bin/sluice.js'), 'start', '--config', path.join(dir, 'sluice.yaml')];
    const child = spawn(process.execPath, argv, { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } });
    children.push(child);
    return { v, dir, child, url: `http://127.0.0.1:${port}` };
  }));
  try {
    await Promise.all(gateways.map(async (g) => {
      // The bare proxy forwards /health to the mock, which has none: any answer says it listens.
      await waitHealthy(`${g.url}/health`, g.v.bare ? () => true : (r) => r.ok);
      await load(g.url, false, WARMUP_S);
      await load(g.url, true, WARMUP_S);
    }));
    await new Promise((r) => setTimeout(r, 1500));
  } catch (err) {
    await stopGateways(gateways);
    throw err;
  }
  return gateways;
}

async function stopGateways(gateways: Gateway[]): Promise<void> {
  await Promise.all(gateways.map(async (g) => {
    const exited = new Promise<void>((r) => g.child.once('exit', () => r()));
    g.child.kill('SIGTERM');
    await exited;
    rmSync(g.dir, { recursive: true, force: true });
  }));
}

/**
 * Runs the variants' gateways side by side: each gets the same offered rate at the same moments,
 * so a neighbour's burst on a shared machine hits them all (with one variant, one at a time).
 */
async function measure(vs: Variant[], upstream: string, round: number): Promise<Sample[]> {
  const gateways = await startGateways(vs, upstream);
  const out: Sample[] = [];
  try {
    for (const stream of STREAM_FLAGS) {
      const before = gateways.map((g) => cpuUs(g.child.pid!));
      const results = await Promise.all(gateways.map((g) => measuredLoad(g.url, stream, DURATION_S)));
      // The ledger writes after the load: its catch-up is counted too.
      await Promise.all(gateways.map((g) => quiet(g.child.pid!)));
      gateways.forEach((g, i) => {
        const r = results[i]!;
        const cpu = cpuUs(g.child.pid!) - before[i]!;
        if (r.non2xx) throw new Error(`${g.v.name}: ${r.non2xx} non-2xx answers`);
        out.push({ round, variant: g.v.name, mode: stream ? 'stream' : 'json', requests: r.requests, cpuUsPerReq: cpu / r.requests, p50: r.p50, load: os.loadavg()[0]! });
      });
    }
  } finally {
    await stopGateways(gateways);
  }
  return out;
}

/**
 * All variants' gateways started once (warm, as a running gateway is), then loaded one at a time
 * (with --together: all at once) in short windows of --duration s, the variants' order rotated every cycle: each cycle pairs the
 * variants a few seconds apart, so the machine's drift (other work on a shared host) cancels in
 * the paired deltas far better than between rounds half a minute apart. Each gateway's CPU is read
 * at every cycle's start and end: a ledger's writes after its window (flushed within a second)
 * land in the cycle, or, for the cycle's last window, in the next cycle (the same for every
 * variant, by the rotation); the mode's last cycle waits for the writers to finish.
 */
async function measureAlternating(vs: Variant[], upstream: string, round: number, cycles: number): Promise<Sample[]> {
  const gateways = await startGateways(vs, upstream);
  const out: Sample[] = [];
  try {
    for (const stream of STREAM_FLAGS) {
      // Cycle 0 is not kept: the first windows after the warm-up (and after the switch of mode)
      // still carry the JIT's compilations, more of them for a variant with more code.
      for (let c = 0; c <= cycles; c++) {
        const before = gateways.map((g) => threadsCpuUs(g.child.pid!));
        const order = gateways.map((_, i) => (i + c) % gateways.length);
        const results = new Array<Awaited<ReturnType<typeof measuredLoad>>>(gateways.length);
        // A fixed number of requests per window (not a duration): a stalled load generator catching
        // up would otherwise serve more in one window than in another, at another CPU per request.
        const amount = RATE > 0 ? RATE * DURATION_S : undefined;
        // With --together the cycle's windows are the same seconds: a neighbour's burst hits every variant alike.
        if (args.together) await Promise.all(gateways.map(async (g, i) => { results[i] = await measuredLoad(g.url, stream, DURATION_S, amount); }));
        else for (const i of order) results[i] = await measuredLoad(gateways[i]!.url, stream, DURATION_S, amount);
        if (c === cycles) await Promise.all(gateways.map((g) => quiet(g.child.pid!)));
        else await new Promise((r) => setTimeout(r, 300));
        if (c === 0) continue;
        gateways.forEach((g, i) => {
          const r = results[i]!;
          if (r.non2xx) throw new Error(`${g.v.name}: ${r.non2xx} non-2xx answers`);
          const cpu = threadsCpuUs(g.child.pid!) - before[i]!;
          out.push({ round: round * 1000 + c, variant: g.v.name, mode: stream ? 'stream' : 'json', requests: r.requests, cpuUsPerReq: cpu / r.requests, p50: r.p50, load: os.loadavg()[0]! });
        });
      }
    }
  } finally {
    await stopGateways(gateways);
  }
  return out;
}

// ---------------------------------------------------------------- the ledger's own work, in-process
// End to end, the figures above are as noisy as the machine. Here the ledger's own work is timed
// alone with process.cpuUsage() (every thread of this process, the tokenizer thread included):
// - the request path: onRequest's append, and observing a stream's events as they pass;
// - the writer: building rows from real finished requests and inserting them into SQLite.

interface Own { label: string; usPerUnit: number; unit: string }

async function recordsFromRealRequests(n: number, upstream: string): Promise<RequestRecord[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-ledger-rec-'));
  const g = globalThis as { __ledgerBenchRecords?: RequestRecord[] };
  g.__ledgerBenchRecords = [];
  writeFileSync(path.join(dir, 'spy.mjs'), `import { definePlugin, z } from '${path.join(root, 'dist/core/index.js')}';
export default definePlugin({ name: 'spy', version: '1.0.0', sluice: '>=0.1', options: z.object({}),
  setup: () => ({ onRequest(r) { globalThis.__ledgerBenchRecords.push(r); } }) });
`);
  // The port and log level are the listen() call's and the logger's below.
  writeFileSync(path.join(dir, 'sluice.yaml'), benchConfig({ port: 0, upstream, dir, ledger: `  - use: ledger
    with: { flush_interval_ms: 60000, count: { enabled: false } }
  - use: ./spy.mjs
` }));
  const gateway = await createGateway(await loadConfigFile(path.join(dir, 'sluice.yaml')), { logger: createLogger({ level: 'silent' }) });
  const running = await listen(gateway, 0, '127.0.0.1');
  const url = `http://127.0.0.1:${running.port}/v1/chat/completions`;
  let next = 0;
  await Promise.all(Array.from({ length: 20 }, async () => {
    while (next < n) {
      const n = next++;
      const stream = n % 2 === 1;
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: benchBody(stream, args.vary ? n : undefined) });
      await res.text();
    }
  }));
  await running.shutdown('bench');
  rmSync(dir, { recursive: true, force: true });
  return g.__ledgerBenchRecords.splice(0);
}

function cpuNowUs(): number {
  const c = process.cpuUsage();
  return c.user + c.system;
}

/** The writer's work on `records` into a fresh SQLite file; `counter` is shared by the runs (a gateway's thread is warm). */
async function writerWork(records: RequestRecord[], count: boolean, counter: TokenCounter): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-ledger-w-'));
  const knex = openDatabase(`sqlite:${path.join(dir, 'l.db')}`, dir);
  await migrateLatest(knex, [{ plugin: 'ledger', migrations: ledgerMigrations }]);
  const ctx = { options: ledgerOptions.parse({ count: { enabled: count } }), pricing: createPriceTable(DEFAULT_PRICES), counter, isLoopback: () => false };
  const store = knexStore(async () => knex);
  await store.insert([await prepareRow({ ...records[0]!, id: 'warm-up' }, ctx)]);
  const fail = (_e: unknown, err: unknown): never => { throw err; };
  const start = cpuNowUs();
  // As the writer does: a cycle's entries (taken in onRequest) prepared together, then inserted.
  for (let i = 0; i < records.length; i += 500) {
    const rows = await prepareEntries(records.slice(i, i + 500).map((r) => entryOf(r, ctx.options)), ctx, fail);
    await store.insert(rows);
  }
  const us = (cpuNowUs() - start) / records.length;
  await knex.destroy();
  rmSync(dir, { recursive: true, force: true });
  return us;
}

/** onRequest's entry (entry.ts): what it keeps of a finished request, reading its texts when the count is on. */
function entryWork(records: RequestRecord[]): Own[] {
  const out: Own[] = [];
  for (const count of [false, true]) {
    const options = ledgerOptions.parse({ count: { enabled: count } });
    const REPEAT = 20;
    for (let r = 0; r < 3; r++) for (const rec of records) entryOf(rec, options); // warm-up
    const t = cpuNowUs();
    for (let r = 0; r < REPEAT; r++) for (const rec of records) entryOf(rec, options);
    out.push({ label: `onRequest's entry, count ${count ? 'on (texts read)' : 'off'}`, usPerUnit: (cpuNowUs() - t) / (REPEAT * records.length), unit: 'µs per request' });
  }
  return out;
}

async function hotPathWork(): Promise<Own[]> {
  // onRequest: the admin filter and an array append.
  const queue: unknown[] = [];
  const rec = { endpoint: 'openai.chat', path: '/v1/chat/completions' };
  const N = 1_000_000;
  let t = cpuNowUs();
  for (let i = 0; i < N; i++) {
    if (!(rec.endpoint === undefined && rec.path.startsWith('/admin'))) queue.push(rec);
    if (queue.length >= 500) queue.length = 0;
  }
  const push = (cpuNowUs() - t) / N;
  // A 100-event Chat stream, iterated plainly vs observed by the ledger's capture.
  const events: StreamEvent[] = Array.from({ length: 100 }, (_, i) => ({ data: { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content: `word${i} ` }, finish_reason: null }] } }));
  const gen = async function* () { yield* events; };
  const STREAMS = 5000;
  const iterate = async (wrap: boolean) => {
    const started = cpuNowUs();
    for (let s = 0; s < STREAMS; s++) {
      const response = { kind: 'stream' as const, status: 200, headers: {}, protocol: { family: 'openai' as const, operation: 'chat' as const }, events: gen() as AsyncIterable<StreamEvent> };
      if (wrap) {
        const ex = { response, set() {} } as unknown as Exchange;
        captureStream(ex, 200_000);
        // As egress reads it: the capture called in its loop (takeObservers), no wrapper in between.
        const taken = takeObservers(response.events)!;
        for await (const ev of taken.source) taken.observer.event(ev);
        taken.observer.end(true);
        continue;
      }
      for await (const _ of response.events) { /* egress would write it */ }
    }
    return (cpuNowUs() - started) / STREAMS;
  };
  await iterate(false); await iterate(true); // warm-up
  const plain = await iterate(false);
  const observed = await iterate(true);
  return [
    { label: 'onRequest (filter + append)', usPerUnit: push, unit: 'µs per request' },
    { label: 'observing a 100-event stream (capture) over plain iteration', usPerUnit: observed - plain, unit: 'µs per stream' },
  ];
}

async function main(): Promise<void> {
  // In a process of its own: the p50 deltas are the gateways', not this process's queue (round 9).
  const mock = await startMockUpstreamProcess({ varyAnswers: args.vary });
  const samples: Sample[] = [];
  const own: Own[] = [];
  try {
    for (let round = 0; round < (args['own-only'] ? 0 : ROUNDS); round++) {
      for (const vs of args.together || ALTERNATE > 0 ? [VARIANTS] : VARIANTS.map((v) => [v])) {
        const s = ALTERNATE > 0 ? await measureAlternating(vs, mock.url, round, ALTERNATE) : await measure(vs, mock.url, round);
        for (const x of s) console.log(`${x.variant.padEnd(45)} ${x.mode.padEnd(6)} ${x.requests} req  ${x.cpuUsPerReq.toFixed(1)} µs CPU/req  p50 ${x.p50.toFixed(3)} ms  load ${x.load.toFixed(2)}`);
        samples.push(...s);
      }
    }
    if (!args['skip-own']) {
      console.log('\nthe ledger\'s own work, in-process:');
      const records = await recordsFromRealRequests(Number(args.records), mock.url);
      own.push(...await hotPathWork());
      own.push(...entryWork(records));
      // Each writer measurement runs WRITER_RUNS times on a fresh database: the first run pays the
      // JIT's warm-up and a new SQLite file's growth (a running gateway's writer is warm), so the
      // median is shown and the first run beside it.
      const counter = createTokenCounter({ timeoutMs: 20_000, onError: (e) => { throw e; } });
      await counter.count('o200k_base', ['warm']); // the encoding's load is start-up, not per request
      for (const count of [false, true]) {
        const runs: number[] = [];
        for (let r = 0; r < WRITER_RUNS; r++) runs.push(await writerWork(records, count, counter));
        const label = count ? 'writer: the same with the tokenizer count (o200k_base, in its thread)' : `writer: rows from ${records.length} finished requests (half streamed) + SQLite insert, count off`;
        own.push({ label: `${label} — median of ${WRITER_RUNS} runs (first run ${runs[0]!.toFixed(1)})`, usPerUnit: [...runs].sort((a, b) => a - b)[Math.floor(WRITER_RUNS / 2)]!, unit: 'µs per request' });
      }
      await counter.close();
    }
    for (const o of own) console.log(`${o.label}: ${o.usPerUnit.toFixed(2)} ${o.unit}`);
  } finally {
    await mock.close();
  }
  const rows: string[] = [];
  const pairedRows: string[] = [];
  for (const mode of MODES) {
    const of = (v: Variant) => samples.filter((s) => s.mode === mode && s.variant === v.name);
    const base = of(VARIANTS[0]!);
    const baseCpu = median(base.map((s) => s.cpuUsPerReq));
    const baseP50 = median(base.map((s) => s.p50));
    for (const v of VARIANTS) {
      const mine = of(v);
      const cpu = median(mine.map((s) => s.cpuUsPerReq));
      const p50 = median(mine.map((s) => s.p50));
      rows.push(`| ${mode} | ${v.name} | ${median(mine.map((s) => s.requests / DURATION_S)).toFixed(0)} | ${cpu.toFixed(1)} | ${v === VARIANTS[0] ? '—' : signed(cpu - baseCpu)} | ${p50.toFixed(2)} | ${v === VARIANTS[0] ? '—' : signed(p50 - baseP50, 2)} |`);
      if (v === VARIANTS[0]) continue;
      pairedRows.push(pairedRow(mode, v.name, mine, base));
      // This build against the --before build's same variant, paired the same way.
      const earlier = VARIANTS.find((b) => b.key === `${v.key}-before`);
      if (earlier) pairedRows.push(pairedRow(mode, `${v.name}: this build − before`, mine, of(earlier)));
    }
  }
  // The generator runs late when the machine cannot keep up with every gateway at the rate offered:
  // its requests then queue, the p50s measure those queues and CPU a request includes contention.
  const saturated = POISSON && median(lateP99) > SATURATED_LATENESS_MS;
  if (saturated) console.log(`\nthe load generator ran late (p99 ${median(lateP99).toFixed(1)} ms, median over the windows): the machine is saturated`);
  const report = [
    '# Ledger overhead',
    '',
    ...(saturated ? [`- **Saturated**: the load generator's p99 lateness (median over the windows ${median(lateP99).toFixed(1)} ms) is over ${SATURATED_LATENESS_MS} ms — this machine cannot serve ${VARIANTS.length} gateways at ${RATE} requests/s each. The p50s below are mostly queueing and CPU a request includes contention; run fewer variants or a lower --rate for figures of an unsaturated gateway.`] : []),
    `- Date: ${new Date().toISOString()}; Node ${process.version}; ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}); load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}.`,
    `- \`node dist/bench/ledger.js ${process.argv.slice(2).join(' ')}\`: each variant a real \`sluice start\` (NODE_ENV=production, the default log level info with the access log to /dev/null, SQLite ledger in a temp dir), chain router → translator (passthrough to an openai provider at the bench mock, model gpt-4o-mini), ${POISSON ? `open-loop Poisson arrivals at ${RATE} requests/s (bench/open-loop.ts; the generator's p99 lateness over the windows: median ${median(lateP99).toFixed(2)} ms, max ${Math.max(...lateP99).toFixed(2)} ms)` : `autocannon at ${CONNECTIONS} connections ${RATE > 0 ? `offering ${RATE} requests/s in bursts (each second's share sent back to back)` : 'as fast as they go'}`} for ${DURATION_S} s per mode after a warm-up of ${WARMUP_S} s per mode; ${ALTERNATE > 0 ? `all variants' gateways started once per round and loaded ${args.together ? 'at the same moments' : 'one at a time (order rotated each cycle)'} in ${ALTERNATE} windows per mode, ${ROUNDS} rounds; every window is a sample, paired within its cycle` : args.together ? `all variants side by side (each its own gateway, loaded at the same moments), ${ROUNDS} rounds` : `variants interleaved, ${ROUNDS} rounds`}, medians shown.${args.before ? ` "(before)" variants run the build in --before${BEFORE_FLAGS ? ` with node ${BEFORE_FLAGS.join(' ')}` : ''}.` : ''}`,
    '- CPU µs/request: the gateway process\'s CPU time (every thread, the tokenizer thread included) over the load and the writer\'s catch-up after it (at least 2 s, then until the process is quiet), divided by the requests served. The mock runs in a process of its own and the load generator in the bench process, neither in the gateway. The bare proxy (`bare`, bench/bare-proxy.ts) is the floor: node:http + undici, each body buffered and sent with end(), no parsing or logging.',
    '',
    '| mode | variant | req/s | CPU µs/req | Δ CPU µs/req | p50 ms | Δ p50 ms |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    'Paired by round (each round\'s variant minus the same round\'s "without ledger"); the interval is the order-statistic 95% confidence interval of the median delta:',
    '',
    '| mode | variant | median paired Δ CPU µs/req | its 95% CI | mean paired Δ ± 95% (1.96 SE) | the paired Δ, round by round | median paired Δ p50 ms (its 95% CI) |',
    '|---|---|---:|---|---|---|---:|',
    ...pairedRows,
    '',
    '## The ledger\'s own CPU, measured alone (in-process, process.cpuUsage over every thread)',
    '',
    '| what | CPU |',
    '|---|---|',
    ...own.map((o) => `| ${o.label} | ${o.usPerUnit.toFixed(2)} ${o.unit} |`),
    '',
    'Raw samples (end to end):',
    '',
    ...samples.map((s) => `- round ${s.round + 1}, ${s.mode} / ${s.variant}: ${s.requests} requests, ${s.cpuUsPerReq.toFixed(1)} µs CPU/req, p50 ${s.p50.toFixed(3)} ms, load average ${s.load.toFixed(2)}`),
    '',
  ].join('\n');
  writeFileSync(args.out, report);
  console.log(`\nwritten to ${path.relative(process.cwd(), args.out)}`);
}

/**
 * Each round's (or cycle's) sample minus the same round's sample of `base`: the machine's drift
 * between rounds cancels. The median with its distribution-free interval, and the mean (what CPU
 * per request adds up to, an occasional major GC included) with its normal-approximation interval.
 */
function pairedRow(mode: string, name: string, mine: Sample[], base: Sample[]): string {
  const deltas: number[] = [];
  const p50Deltas: number[] = [];
  for (const s of mine) {
    const b = base.find((x) => x.round === s.round);
    if (b) { deltas.push(s.cpuUsPerReq - b.cpuUsPerReq); p50Deltas.push(s.p50 - b.p50); }
  }
  const ci = medianInterval(deltas);
  const p50ci = medianInterval(p50Deltas);
  const n = deltas.length;
  const mean = deltas.reduce((a, b) => a + b, 0) / n;
  const se = n > 1 ? Math.sqrt(deltas.reduce((a, d) => a + (d - mean) ** 2, 0) / (n - 1) / n) : NaN;
  return `| ${mode} | ${name} | ${signed(median(deltas))} | ${ci ? `${signed(ci[0])} … ${signed(ci[1])}` : '(fewer than 6 rounds)'} | ${signed(mean)} ± ${(1.96 * se).toFixed(1)} | ${deltas.map((d) => signed(d, 0)).join(', ')} | ${signed(median(p50Deltas), 3)}${p50ci ? ` (${signed(p50ci[0], 3)} … ${signed(p50ci[1], 3)})` : ''} |`;
}

const signed = (x: number, digits = 1) => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;

process.once('SIGINT', () => { for (const c of children) c.kill('SIGKILL'); process.exit(130); });
main().catch((err) => { console.error(err); for (const c of children) c.kill('SIGKILL'); process.exit(1); });
