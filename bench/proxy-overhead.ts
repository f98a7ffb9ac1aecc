// Proxy overhead on the JSON hot path: requests/s, p50/p99 latency and CPU per request of
// POST /v1/chat/completions (255 B in, 701 B out) through
//   direct  — the mock OpenAI upstream itself (latency reference only),
//   bare    — the floor: node:http + an undici Pool, small bodies buffered and sent with end(buffer),
//   koa     — koa + the same Pool, with a JSON parse and re-serialise each way (a framework's cost),
//   sluice  — the real gateway (`node bin/sluice.js start`), default chain (router → translator),
//             default log level (info: one access-log line per request, to a file),
//   and, with --baseline DIR, the same Sluice set-up from another build (e.g. main before a change),
// at one connection (per-request cost) and at each loaded concurrency (closed loop: every
// connection sends its next request when the last one answers).
//
// Pinning (2+ CPUs, taskset present): each proxy runs alone on CPU 1; the load generator (this
// process, autocannon) and the mock upstream share CPU 0. A saturated proxy then serves about
// 1 / (its CPU per request) requests a second, and the ratios compare the proxies themselves.
// "gen CPU %" says how busy CPU 0 was: near 100 %, the load generator, not the proxy, was the limit.
//
//   npm run bench                                        # build, then run with the defaults below
//   node dist/bench/proxy-overhead.js --duration 5 --rounds 4 --connections 1,50,100 --baseline /tmp/sluice-main
//
// Rounds interleave the targets and each figure is the median over rounds, so a burst of unrelated
// load on a shared machine skews one round, not one target; even rounds run the targets in reverse
// order, so no target always runs in the same place (use an even number of rounds).
import autocannon, { type Result } from 'autocannon';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, medianInterval } from './stats.js';
import { prepareTeamChain } from './team-chain.js';

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/bench
const root = path.resolve(here, '../..');

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '3' },
    /**
     * Seconds of quiet before each measured run. A gateway goes on working for a while after its
     * load ends (GC above all) on the core the next target is pinned to; without a pause, a Sluice
     * measured right after another Sluice came out 20–80 µs/req dearer (the "bias" of
     * bench/results/hot-path-profile.md), and the rounds were bimodal.
     */
    settle: { type: 'string', default: '2' },
    connections: { type: 'string', default: '1,50,100' },
    'no-pin': { type: 'boolean', default: false },
    /**
     * Run the bench and its targets at this nice value (negative needs root): on a machine shared
     * with other work, the measured processes then get their CPUs when they ask for them.
     */
    nice: { type: 'string', default: '0' },
    'sluice-env': { type: 'string', default: 'production' },
    /** A directory holding another built Sluice (bin/sluice.js + dist/), measured as a second target. */
    baseline: { type: 'string' },
    'baseline-label': { type: 'string', default: 'sluice-base' },
    /** Only for experiments: the measured configuration is the default level (info). */
    'log-level': { type: 'string' },
    /** Only for experiments: Node options for the Sluice target (e.g. "--max-semi-space-size=32"), and for the baseline. */
    'node-args': { type: 'string', default: '' },
    'baseline-node-args': { type: 'string', default: '' },
    /** Only for experiments: measure a subset (the floor is always measured). */
    targets: { type: 'string', default: 'direct,bare,koa,sluice' },
    out: { type: 'string', default: path.join(root, 'bench/results/proxy-overhead.md') },
    /** Also measure the full team chain (bench/team-chain.ts) as target "sluice-team", its ratelimit on this Redis. */
    'team-redis': { type: 'string' },
    title: { type: 'string', default: 'Proxy overhead (JSON hot path)' },
  },
});
const DURATION_S = Number(args.duration);
const WARMUP_S = Number(args.warmup);
const SETTLE_MS = Number(args.settle) * 1000;
const GROUPS = args.connections.split(',').map(Number);
const ROUNDS = Math.max(1, Number(args.rounds));
const NODE_ENV = args['sluice-env'];
const BASELINE = args.baseline ? path.resolve(args.baseline) : undefined;
if (BASELINE && !existsSync(path.join(BASELINE, 'bin/sluice.js'))) throw new Error(`--baseline ${BASELINE}: no bin/sluice.js there`);
const BASE_LABEL = args['baseline-label'];
const WANTED = new Set([...args.targets.split(','), 'bare', 'sluice']);

const REQUEST_BODY = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You are a helpful assistant. Answer in one sentence.' },
    { role: 'user', content: 'Explain what a load balancer does, for someone new to web infrastructure.' },
  ],
  temperature: 0.2,
  max_tokens: 64,
});
const HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

// ---------------------------------------------------------------- child processes

const children: ChildProcess[] = [];
/** Read before the bench pins itself: afterwards Node reports the one CPU it is pinned to. */
const NPROC = os.availableParallelism();
const pin = !args['no-pin'] && NPROC >= 2 && spawnSync('taskset', ['-V']).status === 0;
const GEN_CPU = '0';
const TARGET_CPU = '1';
const NICE = Number(args.nice);

function spawnChild(script: string, argv: string[], cpu: string, opts: { env?: NodeJS.ProcessEnv; stdout?: number; nodeArgs?: string[] } = {}): ChildProcess {
  let command = [process.execPath, ...(opts.nodeArgs ?? []), script, ...argv];
  if (pin) command = ['taskset', '-c', cpu, ...command];
  if (NICE !== 0) command = ['nice', '-n', String(NICE), ...command];
  const [cmd, ...cmdArgs] = command as [string, ...string[]];
  const child = spawn(cmd, cmdArgs, { cwd: root, stdio: ['ignore', opts.stdout ?? 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  child.once('exit', (code, signal) => {
    if (!shuttingDown) { console.error(`${path.basename(script)} exited early (${code ?? signal}):\n${stderr}`); void stopAll().then(() => process.exit(1)); }
  });
  return child;
}

/** The first stdout line of a bench child is a JSON object saying where it listens. */
function firstLine(child: ChildProcess, timeoutMs: number): Promise<{ url: string; port: number }> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('child did not report its address in time')), timeoutMs);
    child.stdout!.on('data', function onData(d: Buffer) {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      resolve(JSON.parse(buf.slice(0, nl)));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address() as net.AddressInfo; s.close(() => resolve(port)); });
  });
}

async function waitHealthy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become healthy within ${timeoutMs} ms`);
}

let shuttingDown = false;
async function stopAll(): Promise<void> {
  shuttingDown = true;
  await Promise.all(children.map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => { clearTimeout(kill); resolve(); });
    child.kill('SIGTERM');
  })));
}

// ---------------------------------------------------------------- load

/** One measured run, or the per-metric median of several. */
interface Figures {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  bad: number;
  rpsMin: number;
  rpsMax: number;
  /** CPU time (user + system) the target's own process spent per request, in µs; NaN off Linux. */
  cpuUs: number;
  /** The target's CPU time ÷ wall time, in % of one core: how much of its CPU it actually got. */
  corePct: number;
  /** Share of CPU 0 used by the load generator and the mock during the run, in %. */
  genPct: number;
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** utime + stime of a process in ms, from /proc (Linux); NaN elsewhere. */
function cpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return NaN;
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const sent = new Map<string, number>();

/** One autocannon run; latencies are kept at full (sub-ms) resolution from its response events. */
/** Extra request headers per target (the team chain's Sluice key). */
const targetHeaders = new Map<string, Record<string, string>>();

function load(target: string, url: string, connections: number, durationS: number): Promise<{ result: Result; latencies: Float64Array }> {
  return new Promise((resolve, reject) => {
    let latencies = new Float64Array(1 << 16);
    let n = 0;
    const hardStop = setTimeout(() => { instance.stop(); }, (durationS + 30) * 1000);
    const instance = autocannon({
      url: url + '/v1/chat/completions', method: 'POST', headers: { ...HEADERS, ...targetHeaders.get(target) }, body: REQUEST_BODY,
      connections, pipelining: 1, duration: durationS, timeout: 10,
    }, (err, result) => {
      clearTimeout(hardStop);
      if (err) { reject(err); return; }
      sent.set(target, (sent.get(target) ?? 0) + result.requests.total);
      resolve({ result, latencies: latencies.subarray(0, n) });
    });
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status < 200 || status >= 300) return;
      if (n === latencies.length) { const grown = new Float64Array(n * 2); grown.set(latencies); latencies = grown; }
      latencies[n++] = ms;
    });
  });
}

let mockPid: number | undefined;

async function measure(target: string, url: string, pid: number | undefined, connections: number, durationS: number): Promise<Figures> {
  const cpuBefore = cpuMs(pid);
  const genBefore = process.cpuUsage();
  const mockBefore = cpuMs(mockPid);
  const wallBefore = performance.now();
  const { result, latencies } = await load(target, url, connections, durationS);
  const wallMs = performance.now() - wallBefore;
  const gen = process.cpuUsage(genBefore);
  const mockMs = cpuMs(mockPid) - mockBefore;
  const cpuAfter = cpuMs(pid);
  const sorted = latencies.slice().sort();
  const rps = sorted.length / result.duration;
  const run: Figures = {
    rps, p50: percentile(sorted, 50), p99: percentile(sorted, 99),
    requests: sorted.length, bad: result.errors + result.timeouts + result.non2xx, rpsMin: rps, rpsMax: rps,
    cpuUs: ((cpuAfter - cpuBefore) * 1000) / (result.requests.total || 1),
    corePct: (100 * (cpuAfter - cpuBefore)) / wallMs,
    genPct: (100 * ((gen.user + gen.system) / 1000 + mockMs)) / wallMs,
  };
  console.log(`  ${target.padEnd(12)} c=${String(connections).padEnd(4)} ${fmt(run.rps, 0).padStart(7)} req/s  p50 ${fmt(run.p50, 3)} ms  p99 ${fmt(run.p99, 3)} ms  cpu ${fmt(run.cpuUs, 0)} µs/req (${fmt(run.corePct, 0)}% of a core)  gen ${fmt(run.genPct, 0)}%${run.bad ? `  (${run.bad} errors/non-2xx!)` : ''}`);
  return run;
}

function combine(runs: Figures[]): Figures {
  return {
    rps: median(runs.map((r) => r.rps)), p50: median(runs.map((r) => r.p50)), p99: median(runs.map((r) => r.p99)),
    requests: runs.reduce((a, r) => a + r.requests, 0), bad: runs.reduce((a, r) => a + r.bad, 0),
    rpsMin: Math.min(...runs.map((r) => r.rps)), rpsMax: Math.max(...runs.map((r) => r.rps)),
    cpuUs: median(runs.map((r) => r.cpuUs)), corePct: median(runs.map((r) => r.corePct)), genPct: median(runs.map((r) => r.genPct)),
  };
}

const fmt = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const pairedText = (p: { median: number; ci: [number, number] | undefined; all: number[] }) => `${fmt(p.median, 2)}×${p.ci ? ` (${fmt(p.ci[0], 2)}–${fmt(p.ci[1], 2)})` : ''}${p.all.length < 6 ? ` (${p.all.length} rounds)` : ''}`;

// ---------------------------------------------------------------- main

let answerBytes = 0;
async function checkAnswer(name: string, url: string): Promise<void> {
  const res = await fetch(url + '/v1/chat/completions', { method: 'POST', headers: { ...HEADERS, ...targetHeaders.get(name) }, body: REQUEST_BODY, signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  sent.set(name, (sent.get(name) ?? 0) + 1);
  answerBytes = Buffer.byteLength(text);
  const body = JSON.parse(text) as { object?: string; usage?: { total_tokens?: number } };
  if (res.status !== 200 || body.object !== 'chat.completion' || body.usage?.total_tokens !== 48) {
    throw new Error(`${name} did not answer a chat.completion: HTTP ${res.status} ${text.slice(0, 300)}`);
  }
}

interface Running { name: string; url: string; pid: number | undefined; logFile?: string }

async function startSluice(name: string, sluiceRoot: string, tmp: string, mockUrl: string, nodeArgs: string, team?: string): Promise<Running> {
  const dir = path.join(tmp, name);
  mkdirSync(dir);
  const port = await freePort();
  let configFile = path.join(dir, 'sluice.yaml');
  if (team) {
    const chain = prepareTeamChain(sluiceRoot, dir, mockUrl, team);
    configFile = chain.configFile;
    targetHeaders.set(name, chain.headers);
  } else writeFileSync(configFile, [
    '# written by bench/proxy-overhead.ts: the default chain (router → translator), routed to the mock upstream',
    'server: { host: 127.0.0.1 }',
    `storage: { database: "sqlite:${path.join(dir, 'sluice.db')}" }`,
    ...(args['log-level'] ? [`logging: { level: ${args['log-level']} }`] : ['# logging.level: the default (info) — the access log is on']),
    'providers:',
    `  mock: { type: openai, base_url: "${mockUrl}", api_key: sk-bench }`,
    'chain:',
    '  - use: router',
    '    with: { default: mock }',
    '  - use: translator',
    '',
  ].join('\n'));
  // stdout goes to a file, as with `sluice start > sluice.log`: the log is written, not discarded.
  const logFile = path.join(dir, 'stdout.log');
  const fd = openSync(logFile, 'w');
  const child = spawnChild(path.join(sluiceRoot, 'bin/sluice.js'), ['start', '--config', configFile, '--port', String(port)], TARGET_CPU, { env: { NODE_ENV }, stdout: fd, nodeArgs: nodeArgs.split(' ').filter(Boolean) });
  closeSync(fd);
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url + '/health', 20_000);
  return { name, url, pid: child.pid, logFile };
}

async function main(): Promise<void> {
  const TEAM = args['team-redis'];
  const targetCount = 4 + (BASELINE ? 1 : 0) + (TEAM ? 1 : 0);
  const budgetS = WARMUP_S * targetCount + (DURATION_S + 2) * GROUPS.length * targetCount * ROUNDS + 180;
  setTimeout(() => { console.error(`benchmark exceeded its ${budgetS} s budget`); void stopAll().then(() => process.exit(1)); }, budgetS * 1000).unref();
  if (pin) spawnSync('taskset', ['-a', '-p', '-c', GEN_CPU, String(process.pid)], { stdio: 'ignore' });
  if (NICE !== 0 && spawnSync('renice', ['-n', String(NICE), '-p', String(process.pid)], { stdio: 'ignore' }).status !== 0) throw new Error(`cannot renice to ${NICE}`);
  const loadBefore = os.loadavg();

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-'));
  const targets: Running[] = [];
  try {
    const mockChild = spawnChild(path.join(here, 'mock-openai-upstream.js'), [], GEN_CPU);
    const mock = await firstLine(mockChild, 10_000);
    mockPid = mockChild.pid;
    const mockOrigin = new URL(mock.url).origin;
    if (WANTED.has('direct')) targets.push({ name: 'direct', url: mockOrigin, pid: mockChild.pid });
    for (const [name, script] of [['bare', 'bare-proxy.js'], ['koa', 'koa-proxy.js']] as const) {
      if (!WANTED.has(name)) continue;
      const child = spawnChild(path.join(here, script), [mockOrigin], TARGET_CPU);
      targets.push({ name, url: (await firstLine(child, 10_000)).url, pid: child.pid });
    }
    targets.push(await startSluice('sluice', root, tmp, mock.url, args['node-args']));
    if (BASELINE) targets.push(await startSluice(BASE_LABEL, BASELINE, tmp, mock.url, args['baseline-node-args']));
    if (TEAM) targets.push(await startSluice('sluice-team', root, tmp, mock.url, args['node-args'], TEAM));

    for (const t of targets) await checkAnswer(t.name, t.url);
    const warmC = Math.max(...GROUPS);
    console.log(`warm-up: ${WARMUP_S} s per target at ${warmC} connections`);
    for (const t of targets) await load(t.name, t.url, warmC, WARMUP_S);

    const runs = new Map<string, Figures[]>();
    for (let round = 1; round <= ROUNDS; round++) {
      console.log(`round ${round}/${ROUNDS}, ${DURATION_S} s per run:`);
      // Every other round runs the targets in reverse order, so no target always follows the same one.
      // The pause before each run (--settle) is what keeps one target's after-work off the next.
      const order = round % 2 === 0 ? [...targets].reverse() : targets;
      for (const c of GROUPS) {
        for (const t of order) {
          const key = `${t.name}|${c}`;
          await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
          runs.set(key, [...(runs.get(key) ?? []), await measure(t.name, t.url, t.pid, c, DURATION_S)]);
        }
      }
    }
    const loadAfter = os.loadavg();
    await stopAll(); // SIGTERM: Sluice shuts down gracefully and writes the rest of its log
    const logs = targets.filter((t) => t.logFile).map((t) => {
      const lines = readFileSync(t.logFile!, 'utf8').split('\n').filter((l) => l.includes('"msg":"request"'));
      return `${t.name}: ${lines.length} access-log lines for ${sent.get(t.name)} requests sent`;
    });
    const figures = (t: string, c: number) => combine(runs.get(`${t}|${c}`)!);
    const paired = (t: string, c: number) => pairedRatios(runs.get(`bare|${c}`)!, runs.get(`${t}|${c}`)!, c);
    const report = render(targets.map((t) => t.name), figures, paired, { loadBefore, loadAfter, logs });
    console.log('\n' + report.table);
    mkdirSync(path.dirname(args.out), { recursive: true });
    writeFileSync(args.out, report.markdown);
    console.log(`results written to ${path.relative(process.cwd(), args.out) || args.out}`);
  } finally {
    await stopAll();
    rmSync(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- report

/**
 * The floor's CPU per request ÷ the target's, round by round: the two ran seconds apart in each round
 * (the machine's drift between rounds cancels), so on a shared machine the median of these per-round
 * ratios, with its distribution-free 95% interval (from 6 rounds), is steadier than a ratio of medians.
 * At c > 1 only rounds where both saturated their core (≥ 95 %) count: a proxy that waited for the
 * load generator handled fewer requests per wake-up and paid more CPU for each, which flatters
 * whichever of the two it happened to (the floor, mostly: it is the fastest).
 */
function pairedRatios(floor: Figures[], target: Figures[], connections: number): { median: number; ci: [number, number] | undefined; all: number[]; rounds: number } {
  const all: number[] = [];
  target.forEach((r, i) => {
    const f = floor[i]!;
    if (connections === 1 || (f.corePct >= SATURATED_PCT && r.corePct >= SATURATED_PCT)) all.push(f.cpuUs / r.cpuUs);
  });
  return { median: median(all), ci: medianInterval(all), all, rounds: target.length };
}
const SATURATED_PCT = 95;

function render(names: string[], figures: (t: string, c: number) => Figures, paired: (t: string, c: number) => ReturnType<typeof pairedRatios>, info: { loadBefore: number[]; loadAfter: number[]; logs: string[] }): { table: string; markdown: string } {
  const head = ['connections', 'target', 'req/s', 'req/s range', 'p50 ms', 'p99 ms', 'CPU µs/req', 'core %', 'vs floor by CPU', 'paired by round (95% CI)', 'vs floor by req/s', 'gen CPU %', 'errors'];
  const rows: string[][] = [];
  const verdicts: string[] = [];
  /** The floor's CPU per request ÷ the target's: the throughput ratio on a saturated core of its own. */
  const byCpu = (r: Figures, floor: Figures) => floor.cpuUs / r.cpuUs;
  for (const c of GROUPS) {
    const floor = figures('bare', c);
    for (const t of names) {
      const r = figures(t, c);
      const proxy = t !== 'direct';
      rows.push([
        String(c), t, fmt(r.rps, 0), `${fmt(r.rpsMin, 0)}–${fmt(r.rpsMax, 0)}`, fmt(r.p50, 3), fmt(r.p99, 3), fmt(r.cpuUs, 0), fmt(r.corePct, 0),
        proxy ? `${fmt(byCpu(r, floor), 2)}×` : '', proxy && t !== 'bare' ? pairedText(paired(t, c)) : '', proxy ? `${fmt(r.rps / floor.rps, 2)}×` : '',
        fmt(r.genPct, 0), String(r.bad),
      ]);
    }
    const sluice = figures('sluice', c);
    const koa = names.includes('koa') ? figures('koa', c) : undefined;
    const ratio = byCpu(sluice, floor);
    const shared = c > 1 && Math.min(floor.corePct, sluice.corePct) < 90;
    let verdict = `- c=${c}: CPU per request: floor ${fmt(floor.cpuUs, 0)} µs, ${koa ? `koa+JSON ${fmt(koa.cpuUs, 0)} µs (${fmt(byCpu(koa, floor), 2)}×), ` : ''}Sluice ${fmt(sluice.cpuUs, 0)} µs (**${fmt(ratio, 2)}×** the floor). ` +
      `Measured req/s: floor ${fmt(floor.rps, 0)}, ${koa ? `koa ${fmt(koa.rps, 0)} (${fmt(koa.rps / floor.rps, 2)}×), ` : ''}Sluice ${fmt(sluice.rps, 0)} (${fmt(sluice.rps / floor.rps, 2)}×)` +
      (shared ? ` — but the proxies got only ${fmt(floor.corePct, 0)} % (floor) and ${fmt(sluice.corePct, 0)} % (Sluice) of their core, so other work on the machine, not the proxies, set these rates; trust the CPU ratio.` : '.');
    const pairs = paired('sluice', c);
    verdict += ` Paired by round: ${pairedText(pairs)} (${c > 1 ? `${pairs.all.length} of ${pairs.rounds} rounds had both cores saturated: ` : ''}${pairs.all.map((x) => x.toFixed(2)).join(', ')}).`;
    if (c === 50) verdict += ` Goal of the hot-path work: ≥ 0.60× at 50 connections (${ratio >= 0.6 ? 'met' : 'not yet'} by CPU${pairs.ci ? `; the paired interval's low end ${pairs.ci[0] >= 0.6 ? 'is' : 'is not'} above it` : ''}), SPEC §8: 0.70×.`;
    if (names.includes('sluice-team')) {
      const team = figures('sluice-team', c);
      verdict += ` Team chain (auth, firewall monitor, router, translator, ledger, ratelimit on Redis): CPU ${fmt(team.cpuUs, 0)} µs/req, ` +
        `**${fmt(byCpu(team, floor), 2)}×** the floor and ${fmt(sluice.cpuUs / team.cpuUs, 2)}× the default chain by CPU; ` +
        `req/s ${fmt(team.rps, 0)} (${fmt(team.rps / floor.rps, 2)}× the floor, ${fmt(team.rps / sluice.rps, 2)}× the default chain).`;
    }
    if (BASELINE) {
      const base = figures(BASE_LABEL, c);
      verdict += ` Against ${BASE_LABEL}: CPU ${fmt(base.cpuUs, 0)} → ${fmt(sluice.cpuUs, 0)} µs/req (${fmt(sluice.cpuUs - base.cpuUs, 0)}), by CPU ${fmt(byCpu(base, floor), 2)}× → ${fmt(ratio, 2)}× the floor.`;
    }
    verdicts.push(verdict);
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const table = [line(head), ...rows.map(line), '', ...verdicts, '', ...info.logs].join('\n');

  const version = (pkg: string) => (JSON.parse(readFileSync(path.join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  const loads = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const md = [
    `# ${args.title}`,
    '',
    `Produced by ${args['team-redis'] ? '`node dist/bench/team-chain.js` (`bench/team-chain.ts` over `bench/proxy-overhead.ts`)' : '`npm run bench` (`bench/proxy-overhead.ts`)'}; rewritten on every run.`,
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Node: ${process.version}; machine: ${NPROC} CPUs (nproc), ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.platform()} ${os.release()}; ` +
      `load average ${loads(info.loadBefore)} at the start, ${loads(info.loadAfter)} at the end (the machine is shared: other work shows up as noise, see the req/s range).`,
    `- Load generator: autocannon ${version('autocannon')} in the bench process, HTTP/1.1 keep-alive, no pipelining. ` +
      (pin ? `Pinned: every proxy alone on CPU ${TARGET_CPU} (\`taskset -c ${TARGET_CPU}\`); the load generator and the mock upstream on CPU ${GEN_CPU}. ` +
        `"gen CPU %" is how busy CPU ${GEN_CPU} was (load generator + mock); near 100 % the load generator, not the proxy, set the pace.`
        : 'Not pinned: everything competes for the CPUs.') +
      (NICE !== 0 ? ` The bench and every target ran at nice ${NICE}, ahead of the other work on the machine.` : ''),
    `- Request: POST /v1/chat/completions, ${Buffer.byteLength(REQUEST_BODY)} B JSON body; answer: a fixed chat.completion with usage, ${answerBytes} B (pre-serialised by the mock).`,
    `- ${ROUNDS} round(s); in each, every target runs ${DURATION_S} s per connection count, one target at a time (${names.join(', ')}), after a ${WARMUP_S} s warm-up per target. ` +
      'Figures are per-metric medians over the rounds; "req/s range" is the spread over rounds.',
    '- Targets: direct = the mock upstream (latency reference; it shares CPU 0 with the load generator); ' +
      'bare (**the floor**) = node:http + one undici Pool (128 connections, as Sluice per provider), each body read whole and written with one `res.end(buffer)`; ' +
      'koa = koa + the same Pool, request JSON parsed and re-serialised, answer parsed and serialised by koa; ' +
      `sluice = \`node bin/sluice.js start\`, chain router → translator (passthrough to an openai provider), default log level (info: one access-log line per request, stdout to a file), NODE_ENV=${NODE_ENV}` +
      (BASELINE ? `; ${BASE_LABEL} = the same, from the build in \`${BASELINE}\`` : '') +
      (names.includes('sluice-team') ? '; sluice-team = the same binary with the full team chain: auth (api_key, a warm key: `Authorization: Bearer sk-sluice-…` on every request), firewall (monitor), router, translator, ledger (SQLite, batched writes), ratelimit (store: redis — one Lua script per admission and one per settle — with rpm, tpm and a daily budget on the team and the key\'s own rpm and daily budget, far above what the run sends).' : '.'),
    '- CPU µs/req: user + system CPU time of the target\'s own process (/proc/PID/stat utime + stime) over the run ÷ requests. ' +
      'It is the figure least disturbed by other load on the machine. "core %" = that CPU time ÷ wall time: at c=50/100 a proxy alone on an idle core saturates it (≈ 100 %), and its req/s is then 10⁶ ÷ CPU µs/req. ' +
      '"vs floor by CPU" = floor µs ÷ target µs (medians over the rounds), the throughput ratio the proxies would show each on a core of its own; "paired by round" = the median of the same ratio taken within each round (floor and target seconds apart, so the machine\'s drift between rounds cancels), with its distribution-free 95% confidence interval from 6 rounds on; at c=50/100 only rounds where both had ≥ 95 % of their core count (a proxy held back by the load generator pays more CPU per request); "vs floor by req/s" is the measured ratio, equal to it only when both had their core (core % ≈ 100). ' +
      'c=1 is per-request latency; at c=50/100 (closed loop, saturated) latency is mostly queueing, ≈ connections ÷ req/s.',
    '',
    `| ${head.join(' | ')} |`,
    `| --- | --- | ${head.slice(2).map(() => '---:').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    ...verdicts,
    '',
    `Access log check (after SIGTERM): ${info.logs.join('; ')}.`,
    '',
  ].join('\n');
  return { table, markdown: md };
}

process.once('SIGINT', () => { void stopAll().then(() => process.exit(130)); });
main().catch(async (err) => {
  console.error(err);
  await stopAll();
  process.exit(1);
});
