// Proxy overhead: requests/s and p50/p99 latency of POST /v1/chat/completions against
//   direct  — the mock OpenAI upstream itself,
//   bare    — a node:http + undici Pool pass-through proxy in front of it (the floor),
//   sluice  — the real gateway (`node bin/sluice.js start`) with the default chain routing to it,
// at each concurrency (closed loop: every connection sends its next request when the last one
// answers), plus one open-loop run at a fixed, unsaturated rate where latency is service time
// rather than queueing. Targets (SPEC §8): sluice req/s ≥ 0.7 × bare, p50 added over direct < 1 ms.
//
// Every target runs in its own child process; the load generator (autocannon) runs here. On a
// small machine the load generator competes for CPU with the targets: by default it is pinned to
// CPU 0 and every target process to the remaining CPUs, so all three targets are handicapped alike.
//
//   npm run bench                         # build, then run with the defaults below
//   node dist/bench/proxy-overhead.js --duration 8 --connections 50,100 --rate 1000 --no-pin
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
    duration: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50,100' },
    rate: { type: 'string', default: '1000' },
    'rate-connections': { type: 'string', default: '50' },
    'no-pin': { type: 'boolean', default: false },
    'sluice-env': { type: 'string', default: 'production' },
    out: { type: 'string', default: path.join(root, 'bench/results/proxy-overhead.md') },
  },
});
const DURATION_S = Number(args.duration);
const WARMUP_S = Number(args.warmup);
const CONCURRENCIES = args.connections.split(',').map(Number);
const RATE = Number(args.rate);
const RATE_CONNECTIONS = Number(args['rate-connections']);
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
const pin = !args['no-pin'] && os.availableParallelism() >= 2 && spawnSync('taskset', ['-V']).status === 0;
const targetCpus = `1-${os.availableParallelism() - 1}`;

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

interface Run {
  target: string;
  mode: string;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  bad: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** One autocannon run; latencies are kept at full (sub-ms) resolution from its response events. */
function load(url: string, connections: number, durationS: number, overallRate?: number): Promise<{ result: Result; latencies: Float64Array }> {
  return new Promise((resolve, reject) => {
    let latencies = new Float64Array(1 << 16);
    let n = 0;
    const hardStop = setTimeout(() => { instance.stop(); }, (durationS + 30) * 1000);
    const instance = autocannon({
      url: url + '/v1/chat/completions', method: 'POST', headers: HEADERS, body: REQUEST_BODY,
      connections, pipelining: 1, duration: durationS, timeout: 10, overallRate,
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

async function measure(target: string, url: string, connections: number, durationS: number, overallRate?: number): Promise<Run> {
  const { result, latencies } = await load(url, connections, durationS, overallRate);
  const sorted = latencies.slice().sort();
  const run: Run = {
    target, mode: overallRate ? `${overallRate} req/s` : 'max', connections,
    rps: sorted.length / result.duration, p50: percentile(sorted, 50), p99: percentile(sorted, 99),
    requests: sorted.length, bad: result.errors + result.timeouts + result.non2xx,
  };
  console.log(`  ${target.padEnd(7)} c=${String(connections).padEnd(3)} ${run.mode.padEnd(13)} ${fmt(run.rps, 0).padStart(7)} req/s  p50 ${fmt(run.p50, 3)} ms  p99 ${fmt(run.p99, 3)} ms${run.bad ? `  (${run.bad} errors/non-2xx!)` : ''}`);
  return run;
}

const fmt = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

// ---------------------------------------------------------------- main

async function checkAnswer(name: string, url: string): Promise<void> {
  const res = await fetch(url + '/v1/chat/completions', { method: 'POST', headers: HEADERS, body: REQUEST_BODY, signal: AbortSignal.timeout(5000) });
  const body = await res.json() as { object?: string; usage?: { total_tokens?: number } };
  if (res.status !== 200 || body.object !== 'chat.completion' || body.usage?.total_tokens !== 48) {
    throw new Error(`${name} did not answer a chat.completion: HTTP ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  }
}

async function main(): Promise<void> {
  const budgetS = (WARMUP_S * 3 + DURATION_S * (CONCURRENCIES.length + 1) * 3) + 120;
  setTimeout(() => { console.error(`benchmark exceeded its ${budgetS} s budget`); void stopAll().then(() => process.exit(1)); }, budgetS * 1000).unref();
  if (pin) spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-'));
  try {
    const mock = await firstLine(spawnTarget(path.join(here, 'mock-openai-upstream.js'), []), 10_000);
    const mockOrigin = new URL(mock.url).origin;
    const bare = await firstLine(spawnTarget(path.join(here, 'bare-proxy.js'), [mockOrigin]), 10_000);

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
    spawnTarget(path.join(root, 'bin/sluice.js'), ['start', '--config', configFile, '--port', String(sluicePort)], { NODE_ENV });
    const sluiceUrl = `http://127.0.0.1:${sluicePort}`;
    await waitHealthy(sluiceUrl + '/health', 15_000);

    const targets: [string, string][] = [['direct', mockOrigin], ['bare', bare.url], ['sluice', sluiceUrl]];
    for (const [name, url] of targets) await checkAnswer(name, url);

    console.log(`warm-up: ${WARMUP_S} s per target at ${Math.max(...CONCURRENCIES)} connections`);
    for (const [, url] of targets) await load(url, Math.max(...CONCURRENCIES), WARMUP_S);

    const runs: Run[] = [];
    for (const c of CONCURRENCIES) {
      console.log(`closed loop, ${c} connections, ${DURATION_S} s each:`);
      for (const [name, url] of targets) runs.push(await measure(name, url, c, DURATION_S));
    }
    if (RATE > 0) {
      console.log(`open loop, ${RATE} req/s over ${RATE_CONNECTIONS} connections, ${DURATION_S} s each:`);
      for (const [name, url] of targets) runs.push(await measure(name, url, RATE_CONNECTIONS, DURATION_S, RATE));
    }

    const report = render(runs);
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

function render(runs: Run[]): { table: string; markdown: string } {
  const find = (target: string, mode: string, c: number) => runs.find((r) => r.target === target && r.mode === mode && r.connections === c)!;
  const groups = [...new Map(runs.map((r) => [`${r.mode}|${r.connections}`, [r.mode, r.connections] as const])).values()];
  const head = ['load', 'target', 'req/s', 'p50 ms', 'p99 ms', 'vs bare req/s', 'added p50 ms', 'errors'];
  const rows: string[][] = [];
  const verdicts: string[] = [];
  for (const [mode, c] of groups) {
    const direct = find('direct', mode, c);
    const bare = find('bare', mode, c);
    for (const r of [direct, bare, find('sluice', mode, c)]) {
      rows.push([
        `${mode === 'max' ? 'closed loop' : mode}, c=${c}`, r.target, fmt(r.rps, 0), fmt(r.p50, 3), fmt(r.p99, 3),
        r.target === 'direct' ? '' : `${fmt(r.rps / bare.rps, 2)}×`,
        r.target === 'direct' ? '' : `+${fmt(r.p50 - direct.p50, 3)}`,
        String(r.bad),
      ]);
    }
    const sluice = find('sluice', mode, c);
    const ratio = sluice.rps / bare.rps;
    const added = sluice.p50 - direct.p50;
    if (mode === 'max') verdicts.push(`- c=${c}, closed loop: throughput ${fmt(ratio, 2)}× bare (target ≥ 0.70: ${ratio >= 0.7 ? 'met' : 'MISSED'}); p50 added ${fmt(added, 3)} ms (target < 1 ms: ${added < 1 ? 'met' : 'MISSED'})`);
    else verdicts.push(`- ${mode} over c=${c}, open loop: p50 added ${fmt(added, 3)} ms (target < 1 ms: ${added < 1 ? 'met' : 'MISSED'}); bare adds ${fmt(bare.p50 - direct.p50, 3)} ms`);
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const table = [line(head), ...rows.map(line), '', ...verdicts].join('\n');

  const autocannonVersion = (JSON.parse(readFileSync(path.join(root, 'node_modules/autocannon/package.json'), 'utf8')) as { version: string }).version;
  const md = [
    '# Proxy overhead',
    '',
    'Produced by `npm run bench` (`bench/proxy-overhead.ts`); rewritten on every run.',
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Node: ${process.version}; machine: ${os.availableParallelism()} CPUs (nproc), ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.platform()} ${os.release()}`,
    `- Load generator: autocannon ${autocannonVersion} in the bench process, HTTP/1.1 keep-alive, no pipelining; ` +
      (pin ? `pinned to CPU 0, every target process to CPU ${targetCpus}.` : 'not pinned: it shares the CPUs with the targets.'),
    `- Request: POST /v1/chat/completions, ${Buffer.byteLength(REQUEST_BODY)} B JSON body; answer: a fixed ${'chat.completion'} with usage (~${JSON.stringify(REQUEST_BODY).length > 0 ? '700' : ''} B).`,
    `- Each closed-loop run lasts ${DURATION_S} s after a ${WARMUP_S} s warm-up per target; targets run one after another, never together.`,
    '- direct = the mock upstream; bare = node:http + one undici Pool (128 connections) piping bytes; ' +
      `sluice = \`node bin/sluice.js start\`, default chain (router → mock, openai provider), \`logging.level: warn\` (the per-request info line is off), NODE_ENV=${NODE_ENV}.`,
    '- "added p50" is the target\'s p50 minus the direct p50 in the same load group. In a closed loop at saturation latency is mostly queueing ' +
      '(≈ connections ÷ req/s), so it follows throughput; the open-loop row at a fixed rate shows the per-request cost.',
    '- Latencies are exact percentiles over every 2xx response (sub-millisecond resolution), not autocannon\'s millisecond histogram.',
    '',
    '| load | target | req/s | p50 ms | p99 ms | req/s vs bare | added p50 ms | errors |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
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
