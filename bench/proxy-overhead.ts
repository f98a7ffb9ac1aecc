// Proxy overhead: requests/s and p50/p99 latency of POST /v1/chat/completions against
//   direct  — the mock OpenAI upstream itself,
//   bare    — a node:http + undici Pool pass-through proxy in front of it, piping bodies (the floor),
//   bare-buf — the same proxy reading each small body whole instead of piping (a lower floor),
//   sluice  — the real gateway (`node bin/sluice.js start`) with the default chain routing to it,
// at each concurrency (closed loop: every connection sends its next request when the last one
// answers), plus one connection alone, where latency is per-request cost rather than queueing.
// Targets (SPEC §8): sluice req/s ≥ 0.7 × bare, p50 added over direct < 1 ms.
// (autocannon's --overallRate is not used for an open-loop figure: it sends each second's quota
// in a burst, so even the direct target queues for milliseconds.)
//
// Every target runs in its own child process; the load generator (autocannon) runs here. On a
// small machine the load generator competes for CPU with the targets: by default it is pinned to
// CPU 0 and every target process to the remaining CPUs, so all three targets are handicapped alike.
//
//   npm run bench                         # build, then run with the defaults below
//   node dist/bench/proxy-overhead.js --duration 5 --rounds 3 --connections 50,100 --no-pin
//
// Rounds interleave the targets (direct, bare, sluice, direct, …) and each figure is the median
// over rounds, so a burst of unrelated load on a shared machine skews one round, not a target.
import autocannon, { type Result } from 'autocannon';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/bench
const root = path.resolve(here, '../..');

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50,100' },
    /** Skip the one-connection (per-request latency) group. */
    'no-unloaded': { type: 'boolean', default: false },
    'no-pin': { type: 'boolean', default: false },
    'sluice-env': { type: 'string', default: 'production' },
    out: { type: 'string', default: path.join(root, 'bench/results/proxy-overhead.md') },
  },
});
const DURATION_S = Number(args.duration);
const WARMUP_S = Number(args.warmup);
const CONCURRENCIES = args.connections.split(',').map(Number);
const ROUNDS = Math.max(1, Number(args.rounds));
/** One connection (per-request latency) first, then the loaded concurrencies. */
const GROUPS = [...(args['no-unloaded'] ? [] : [1]), ...CONCURRENCIES];
const NODE_ENV = args['sluice-env'];

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
const targetCpus = NPROC > 2 ? `1-${NPROC - 1}` : '1';

function spawnTarget(script: string, argv: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const [cmd, cmdArgs] = pin ? ['taskset', ['-c', targetCpus, process.execPath, script, ...argv]] : [process.execPath, [script, ...argv]];
  const child = spawn(cmd, cmdArgs as string[], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
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
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
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

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };

/** One autocannon run; latencies are kept at full (sub-ms) resolution from its response events. */
function load(url: string, connections: number, durationS: number): Promise<{ result: Result; latencies: Float64Array }> {
  return new Promise((resolve, reject) => {
    let latencies = new Float64Array(1 << 16);
    let n = 0;
    const hardStop = setTimeout(() => { instance.stop(); }, (durationS + 30) * 1000);
    const instance = autocannon({
      url: url + '/v1/chat/completions', method: 'POST', headers: HEADERS, body: REQUEST_BODY,
      connections, pipelining: 1, duration: durationS, timeout: 10,
    }, (err, result) => {
      clearTimeout(hardStop);
      if (err) reject(err); else resolve({ result, latencies: latencies.subarray(0, n) });
    });
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status < 200 || status >= 300) return;
      if (n === latencies.length) { const grown = new Float64Array(n * 2); grown.set(latencies); latencies = grown; }
      latencies[n++] = ms;
    });
  });
}

async function measure(target: string, url: string, pid: number | undefined, connections: number, durationS: number): Promise<Figures> {
  const cpuBefore = cpuMs(pid);
  const { result, latencies } = await load(url, connections, durationS);
  const cpuAfter = cpuMs(pid);
  const sorted = latencies.slice().sort();
  const rps = sorted.length / result.duration;
  const run: Figures = {
    rps, p50: percentile(sorted, 50), p99: percentile(sorted, 99),
    requests: sorted.length, bad: result.errors + result.timeouts + result.non2xx, rpsMin: rps, rpsMax: rps,
    cpuUs: ((cpuAfter - cpuBefore) * 1000) / (result.requests.total || 1),
  };
  console.log(`  ${target.padEnd(8)} c=${String(connections).padEnd(4)} ${fmt(run.rps, 0).padStart(7)} req/s  p50 ${fmt(run.p50, 3)} ms  p99 ${fmt(run.p99, 3)} ms  cpu ${fmt(run.cpuUs, 0)} µs/req${run.bad ? `  (${run.bad} errors/non-2xx!)` : ''}`);
  return run;
}

function combine(runs: Figures[]): Figures {
  return {
    rps: median(runs.map((r) => r.rps)), p50: median(runs.map((r) => r.p50)), p99: median(runs.map((r) => r.p99)),
    requests: runs.reduce((a, r) => a + r.requests, 0), bad: runs.reduce((a, r) => a + r.bad, 0),
    rpsMin: Math.min(...runs.map((r) => r.rps)), rpsMax: Math.max(...runs.map((r) => r.rps)),
    cpuUs: median(runs.map((r) => r.cpuUs)),
  };
}

const fmt = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

// ---------------------------------------------------------------- main

let answerBytes = 0;
async function checkAnswer(name: string, url: string): Promise<void> {
  const res = await fetch(url + '/v1/chat/completions', { method: 'POST', headers: HEADERS, body: REQUEST_BODY, signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  answerBytes = Buffer.byteLength(text);
  const body = JSON.parse(text) as { object?: string; usage?: { total_tokens?: number } };
  if (res.status !== 200 || body.object !== 'chat.completion' || body.usage?.total_tokens !== 48) {
    throw new Error(`${name} did not answer a chat.completion: HTTP ${res.status} ${text.slice(0, 300)}`);
  }
}

const TARGETS = ['direct', 'bare', 'bare-buf', 'sluice'] as const;
type Target = typeof TARGETS[number];

async function main(): Promise<void> {
  const budgetS = WARMUP_S * TARGETS.length + (DURATION_S + 1) * GROUPS.length * TARGETS.length * ROUNDS + 120;
  setTimeout(() => { console.error(`benchmark exceeded its ${budgetS} s budget`); void stopAll().then(() => process.exit(1)); }, budgetS * 1000).unref();
  if (pin) spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-'));
  try {
    const mockChild = spawnTarget(path.join(here, 'mock-openai-upstream.js'), []);
    const mock = await firstLine(mockChild, 10_000);
    const mockOrigin = new URL(mock.url).origin;
    const bareChild = spawnTarget(path.join(here, 'bare-proxy.js'), [mockOrigin]);
    const bare = await firstLine(bareChild, 10_000);
    const bareBufChild = spawnTarget(path.join(here, 'bare-proxy.js'), [mockOrigin, '0', 'buffered']);
    const bareBuf = await firstLine(bareBufChild, 10_000);

    const sluicePort = await freePort();
    const configFile = path.join(tmp, 'sluice.yaml');
    writeFileSync(configFile, [
      '# written by bench/proxy-overhead.ts: the default chain, routed to the mock upstream',
      'server: { host: 127.0.0.1 }',
      `storage: { database: "sqlite:${path.join(tmp, 'sluice.db')}" }`,
      'logging: { level: warn }   # one JSON line per request at info would be measured too',
      'providers:',
      `  mock: { type: openai, base_url: "${mock.url}", api_key: sk-bench }`,
      'chain:',
      '  - use: router',
      '    with: { default: mock }',
      '',
    ].join('\n'));
    const sluiceChild = spawnTarget(path.join(root, 'bin/sluice.js'), ['start', '--config', configFile, '--port', String(sluicePort)], { NODE_ENV });
    const sluiceUrl = `http://127.0.0.1:${sluicePort}`;
    await waitHealthy(sluiceUrl + '/health', 15_000);

    const urls: Record<Target, string> = { direct: mockOrigin, bare: bare.url, 'bare-buf': bareBuf.url, sluice: sluiceUrl };
    // taskset execs node, so these are the targets' own processes. For direct: the mock's CPU.
    const pids: Record<Target, number | undefined> = { direct: mockChild.pid, bare: bareChild.pid, 'bare-buf': bareBufChild.pid, sluice: sluiceChild.pid };
    for (const t of TARGETS) await checkAnswer(t, urls[t]);

    const warmC = Math.max(...GROUPS);
    console.log(`warm-up: ${WARMUP_S} s per target at ${warmC} connections`);
    for (const t of TARGETS) await load(urls[t], warmC, WARMUP_S);

    const runs = new Map<string, Figures[]>();
    for (let round = 1; round <= ROUNDS; round++) {
      console.log(`round ${round}/${ROUNDS}, ${DURATION_S} s per run:`);
      for (const c of GROUPS) {
        for (const t of TARGETS) {
          const key = `${t}|${c}`;
          runs.set(key, [...(runs.get(key) ?? []), await measure(t, urls[t], pids[t], c, DURATION_S)]);
        }
      }
    }
    const figures = (t: Target, c: number) => combine(runs.get(`${t}|${c}`)!);

    const report = render(figures);
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

function render(figures: (t: Target, c: number) => Figures): { table: string; markdown: string } {
  const head = ['connections', 'target', 'req/s', 'req/s range', 'p50 ms', 'p99 ms', 'req/s vs bare', 'p50 added vs direct', 'p50 added vs bare', 'CPU µs/req', 'errors'];
  const rows: string[][] = [];
  const verdicts: string[] = [];
  for (const c of GROUPS) {
    const direct = figures('direct', c);
    const bare = figures('bare', c);
    const bareBuf = figures('bare-buf', c);
    const sluice = figures('sluice', c);
    for (const [t, r] of [['direct', direct], ['bare', bare], ['bare-buf', bareBuf], ['sluice', sluice]] as const) {
      rows.push([
        String(c), t, fmt(r.rps, 0), `${fmt(r.rpsMin, 0)}–${fmt(r.rpsMax, 0)}`, fmt(r.p50, 3), fmt(r.p99, 3),
        t === 'direct' ? '' : `${fmt(r.rps / bare.rps, 2)}×`,
        t === 'direct' ? '' : `${fmt(r.p50 - direct.p50, 3)}`,
        t === 'sluice' ? `${fmt(r.p50 - bare.p50, 3)}` : '',
        fmt(r.cpuUs, 0),
        String(r.bad),
      ]);
    }
    const ratio = sluice.rps / bare.rps;
    const added = sluice.p50 - direct.p50;
    const ratioBuf = sluice.rps / bareBuf.rps;
    const throughputVerdict = c === 1 ? '' : `Sluice throughput ${fmt(ratio, 2)}× bare (target ≥ 0.70: ${ratio >= 0.7 ? 'met' : 'MISSED'}), ${fmt(ratioBuf, 2)}× bare-buf (${ratioBuf >= 0.7 ? 'met' : 'MISSED'}); `;
    verdicts.push(`- c=${c}: ${throughputVerdict}` +
      `p50 added over direct ${fmt(added, 3)} ms (target < 1 ms: ${added < 1 ? 'met' : 'MISSED'}; the bare floor adds ${fmt(bare.p50 - direct.p50, 3)} ms); ` +
      `Sluice over bare ${fmt(sluice.p50 - bare.p50, 3)} ms; CPU per request ${fmt(sluice.cpuUs, 0)} µs vs bare ${fmt(bare.cpuUs, 0)} µs (${fmt(sluice.cpuUs / bare.cpuUs, 2)}×), bare-buf ${fmt(bareBuf.cpuUs, 0)} µs (${fmt(sluice.cpuUs / bareBuf.cpuUs, 2)}×).`);
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const table = [line(head), ...rows.map(line), '', ...verdicts].join('\n');

  const autocannonVersion = (JSON.parse(readFileSync(path.join(root, 'node_modules/autocannon/package.json'), 'utf8')) as { version: string }).version;
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const md = [
    '# Proxy overhead',
    '',
    'Produced by `npm run bench` (`bench/proxy-overhead.ts`); rewritten on every run.',
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Node: ${process.version}; machine: ${NPROC} CPUs (nproc), ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.platform()} ${os.release()}; load average at the end ${load} (other work on the machine shows up as noise; see the req/s range)`,
    `- Load generator: autocannon ${autocannonVersion} in the bench process, HTTP/1.1 keep-alive, no pipelining; ` +
      (pin ? `pinned to CPU 0, every target process (mock, bare proxy, Sluice) to CPU ${targetCpus}, so the proxies share their CPU with the mock alike.` : 'not pinned: it competes for the CPUs with the targets.'),
    `- Request: POST /v1/chat/completions, ${Buffer.byteLength(REQUEST_BODY)} B JSON body; answer: a fixed chat.completion with usage, ${answerBytes} B.`,
    `- ${ROUNDS} round(s); in each, every target runs ${DURATION_S} s per connection count, one target at a time (${TARGETS.join(', ')}), after a ${WARMUP_S} s warm-up per target. ` +
      'Figures are per-metric medians over the rounds; "req/s range" is the spread over rounds.',
    '- direct = the mock upstream; bare = node:http + one undici Pool (128 connections, as Sluice per provider) piping request and response bodies; ' +
      'bare-buf = the same, but reading each body whole and writing it in one call (cheaper on small JSON, so the stricter floor); ' +
      `sluice = \`node bin/sluice.js start\`, default chain (router → mock, openai provider), \`logging.level: warn\` (the per-request info log line is off), NODE_ENV=${NODE_ENV}.`,
    '- Latencies are exact percentiles over every 2xx response (sub-millisecond), not autocannon\'s whole-millisecond histogram. ' +
      'c=1 is per-request cost; at c=50/100 (closed loop, saturated) latency is mostly queueing, ≈ connections ÷ req/s, so it follows throughput.',
    '- CPU µs/req: user + system CPU time of the target\'s own process (/proc/PID/stat) over the run ÷ requests; for direct that is the mock. ' +
      'It is the figure least disturbed by other load on the machine: compare sluice with bare there first.',
    '',
    `| ${head.join(' | ')} |`,
    `| --- | --- | ${head.slice(2).map(() => '---:').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    'Targets (SPEC §8): Sluice ≥ 0.70× the bare proxy\'s throughput; p50 added over direct < 1 ms at 50 connections.',
    '',
    ...verdicts,
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
