// What the ledger costs: the default chain (router → translator, passthrough to an openai provider
// at the bench mock) with and without `- use: ledger`, in one run, JSON and streamed requests.
// Each variant is a real `sluice start` (NODE_ENV=production, SQLite ledger in a temp dir); its
// CPU time (all threads: the tokenizer thread included) is read from /proc before and after a
// fixed-duration load, so "CPU µs per request" is the gateway's whole cost per request. Variants
// run interleaved (A B C A B C) so drift in the machine's load hits them alike.
//
//   npm run build && node dist/bench/ledger.js --duration 8 --connections 50 --rounds 2
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startMockUpstream } from './mock-openai-upstream.js';

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/bench
const root = path.resolve(here, '../..');
const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '2' },
    out: { type: 'string', default: path.join(root, 'bench/results/ledger.md') },
  },
});
const DURATION_S = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const ROUNDS = Number(args.rounds);
const TICK_US = 1e6 / 100; // /proc/<pid>/stat counts in clock ticks of 1/100 s on Linux

const body = (stream: boolean) => JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You are a helpful assistant. Answer in one sentence.' },
    { role: 'user', content: 'Explain what a load balancer does, for someone new to web infrastructure.' },
  ],
  temperature: 0.2, max_tokens: 64, stream,
});

interface Variant { name: string; ledger: string }
const VARIANTS: Variant[] = [
  { name: 'without ledger', ledger: '' },
  { name: 'ledger, count off', ledger: '  - use: ledger\n    with: { count: { enabled: false } }\n' },
  { name: 'ledger (default: tokenizer count)', ledger: '  - use: ledger\n' },
];

function config(port: number, upstream: string, dir: string, v: Variant): string {
  return `server: { port: ${port}, shutdown_grace_ms: 2000 }
storage: { database: "sqlite:${path.join(dir, 'ledger.db')}" }
logging: { level: warn }
providers:
  mock: { type: openai, base_url: "${upstream}", api_key: bench }
chain:
  - use: router
    with: { default: mock }
  - use: translator
${v.ledger}`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address() as net.AddressInfo; s.close(() => resolve(port)); });
  });
}

function cpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_US; // utime + stime, every thread
}

async function waitHealthy(url: string): Promise<void> {
  for (const until = Date.now() + 20_000; Date.now() < until;) {
    try { if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become healthy`);
}

function load(url: string, stream: boolean, durationS: number): Promise<{ requests: number; p50: number; non2xx: number }> {
  return new Promise((resolve, reject) => {
    autocannon({
      url: `${url}/v1/chat/completions`, method: 'POST', headers: { 'content-type': 'application/json' }, body: body(stream),
      connections: CONNECTIONS, pipelining: 1, duration: durationS, timeout: 10,
    }, (err, r) => { if (err) reject(err); else resolve({ requests: r.requests.total, p50: r.latency.p50, non2xx: r.non2xx }); });
  });
}

interface Sample { variant: string; mode: string; requests: number; cpuUsPerReq: number; p50: number; rows?: number }

const children: ChildProcess[] = [];

async function measure(v: Variant, upstream: string): Promise<Sample[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-ledger-'));
  const port = await freePort();
  writeFileSync(path.join(dir, 'sluice.yaml'), config(port, upstream, dir, v));
  const child = spawn(process.execPath, [path.join(root, 'bin/sluice.js'), 'start', '--config', path.join(dir, 'sluice.yaml')],
    { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  const out: Sample[] = [];
  try {
    await waitHealthy(`${url}/health`);
    await load(url, false, 2); // warm-up: JIT, pools, the tokenizer's encoding
    await load(url, true, 1);
    await new Promise((r) => setTimeout(r, 1500));
    for (const stream of [false, true]) {
      const before = cpuUs(child.pid!);
      const r = await load(url, stream, DURATION_S);
      // The ledger writes after the load: wait two flush intervals so its work is counted too.
      await new Promise((res) => setTimeout(res, 2500));
      const cpu = cpuUs(child.pid!) - before;
      if (r.non2xx) throw new Error(`${v.name}: ${r.non2xx} non-2xx answers`);
      out.push({ variant: v.name, mode: stream ? 'stream' : 'json', requests: r.requests, cpuUsPerReq: cpu / r.requests, p50: r.p50 });
    }
  } finally {
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

async function main(): Promise<void> {
  const mock = await startMockUpstream();
  const samples: Sample[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const v of VARIANTS) {
        const s = await measure(v, mock.url);
        for (const x of s) console.log(`${x.variant.padEnd(36)} ${x.mode.padEnd(6)} ${x.requests} req  ${x.cpuUsPerReq.toFixed(1)} µs CPU/req  p50 ${x.p50} ms`);
        samples.push(...s);
      }
    }
  } finally {
    await mock.close();
  }
  const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };
  const rows: string[] = [];
  for (const mode of ['json', 'stream']) {
    const base = median(samples.filter((s) => s.mode === mode && s.variant === VARIANTS[0]!.name).map((s) => s.cpuUsPerReq));
    const baseP50 = median(samples.filter((s) => s.mode === mode && s.variant === VARIANTS[0]!.name).map((s) => s.p50));
    for (const v of VARIANTS) {
      const mine = samples.filter((s) => s.mode === mode && s.variant === v.name);
      const cpu = median(mine.map((s) => s.cpuUsPerReq));
      const p50 = median(mine.map((s) => s.p50));
      rows.push(`| ${mode} | ${v.name} | ${median(mine.map((s) => s.requests / DURATION_S)).toFixed(0)} | ${cpu.toFixed(1)} | ${v === VARIANTS[0] ? '—' : `${(cpu - base) >= 0 ? '+' : ''}${(cpu - base).toFixed(1)}`} | ${p50} | ${v === VARIANTS[0] ? '—' : `${p50 - baseP50 >= 0 ? '+' : ''}${p50 - baseP50}`} |`);
    }
  }
  const report = [
    '# Ledger overhead',
    '',
    `- Date: ${new Date().toISOString()}; Node ${process.version}; ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}); load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}.`,
    `- \`node dist/bench/ledger.js --duration ${DURATION_S} --connections ${CONNECTIONS} --rounds ${ROUNDS}\`: each variant a real \`sluice start\` (NODE_ENV=production, log level warn, SQLite ledger in a temp dir), chain router → translator (passthrough to an openai provider at the bench mock, model gpt-4o-mini), autocannon at ${CONNECTIONS} connections for ${DURATION_S} s per mode after a warm-up; variants interleaved, ${ROUNDS} rounds, medians shown.`,
    '- CPU µs/request: the gateway process\'s CPU time (every thread, the tokenizer thread included) over the load plus 2.5 s after it (so the ledger\'s batched writes are counted), divided by the requests served. The mock and autocannon run in the bench process, not in the gateway.',
    '',
    '| mode | variant | req/s | CPU µs/req | Δ CPU µs/req | p50 ms | Δ p50 ms |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    'Raw samples:',
    '',
    ...samples.map((s) => `- ${s.mode} / ${s.variant}: ${s.requests} requests, ${s.cpuUsPerReq.toFixed(1)} µs CPU/req, p50 ${s.p50} ms`),
    '',
  ].join('\n');
  writeFileSync(args.out, report);
  console.log(`\nwritten to ${path.relative(process.cwd(), args.out)}`);
}

process.once('SIGINT', () => { for (const c of children) c.kill('SIGKILL'); process.exit(130); });
main().catch((err) => { console.error(err); for (const c of children) c.kill('SIGKILL'); process.exit(1); });
