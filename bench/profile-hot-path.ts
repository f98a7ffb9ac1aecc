// Where Sluice's CPU goes on the JSON hot path: runs `sluice start` (router → translator, default
// log level, NODE_ENV=production) under `node --cpu-prof`, drives it with the proxy-overhead
// request at a fixed concurrency, stops it with SIGTERM (the profile is written on exit) and
// summarises the profile: self time by function, inclusive time by function, and self time by area
// (Sluice core, plugins, each dependency, Node internals, GC).
//
//   npm run build && node dist/bench/profile-hot-path.js --duration 20 --connections 50
//
// Only the samples taken during the measured load count: start-up, a 3 s warm-up and shutdown are
// cut from the profile by time.
import autocannon from 'autocannon';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/bench
const root = path.resolve(here, '../..');

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '20' },
    connections: { type: 'string', default: '50' },
    top: { type: 'string', default: '30' },
    'no-pin': { type: 'boolean', default: false },
    /** Nice value for the bench, the mock and Sluice (negative needs root; see proxy-overhead.ts). */
    nice: { type: 'string', default: '0' },
    /** Profile the Sluice built in this directory (bin/sluice.js + dist/) instead of this one. */
    root: { type: 'string' },
    /** Profile the floor (bench/bare-proxy.ts) instead of Sluice: where a proxy's unavoidable µs go. */
    floor: { type: 'boolean', default: false },
    /** Keep the raw .cpuprofile (open it in Chrome DevTools → Performance, or speedscope). */
    keep: { type: 'string' },
    out: { type: 'string', default: path.join(root, 'bench/results/hot-path-profile.md') },
  },
});
const DURATION_S = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const TOP = Number(args.top);
const SLUICE_ROOT = args.root ? path.resolve(args.root) : root;

const REQUEST_BODY = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You are a helpful assistant. Answer in one sentence.' },
    { role: 'user', content: 'Explain what a load balancer does, for someone new to web infrastructure.' },
  ],
  temperature: 0.2,
  max_tokens: 64,
});

const pin = !args['no-pin'] && os.availableParallelism() >= 2 && spawnSync('taskset', ['-V']).status === 0;
const children: ChildProcess[] = [];
const NICE = Number(args.nice);
function spawnChild(nodeArgs: string[], cpu: string, stdout: number | 'pipe'): ChildProcess {
  let command = [process.execPath, ...nodeArgs];
  if (pin) command = ['taskset', '-c', cpu, ...command];
  if (NICE !== 0) command = ['nice', '-n', String(NICE), ...command];
  const [cmd, ...cmdArgs] = command as [string, ...string[]];
  const child = spawn(cmd, cmdArgs, { cwd: root, stdio: ['ignore', stdout, 'inherit'], env: { ...process.env, NODE_ENV: 'production' } });
  children.push(child);
  return child;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address() as net.AddressInfo; s.close(() => resolve(port)); });
  });
}

async function waitHealthy(url: string): Promise<void> {
  for (const until = Date.now() + 20_000; Date.now() < until;) {
    try { if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become healthy`);
}

function run(url: string, connections: number, durationS: number): Promise<number> {
  return new Promise((resolve, reject) => {
    autocannon({
      url: url + '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body: REQUEST_BODY,
      connections, pipelining: 1, duration: durationS, timeout: 10,
    }, (err, result) => { if (err) reject(err); else resolve(result.requests.total); });
  });
}

// ---------------------------------------------------------------- the profile

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; hitCount?: number; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

/** `core/http/handler.ts` for Sluice's own files, `node_modules/koa/…` for dependencies. */
function place(url: string): string {
  if (!url) return '';
  const file = url.replace(/^file:\/\//, '');
  const inDist = file.indexOf('/dist/');
  if (inDist >= 0 && !file.includes('/node_modules/')) return file.slice(inDist + 6).replace(/\.js$/, '.ts');
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) return file.slice(nm + 1);
  return file;
}

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native / V8 builtins)';
  if (url.startsWith('node:')) return 'node internals';
  const p = place(url);
  if (p.startsWith('node_modules/')) {
    const parts = p.split('/');
    return `dep: ${parts[1]!.startsWith('@') ? `${parts[1]}/${parts[2]}` : parts[1]}`;
  }
  if (p.startsWith('core/')) return `sluice ${p.split('/').slice(0, 2).join('/')}`;
  if (p.startsWith('plugins/')) return `sluice ${p.split('/').slice(0, 2).join('/')}`;
  return p;
}

function key(f: CallFrame): string {
  const p = place(f.url);
  const name = f.functionName || '(anonymous)';
  return p ? `${p}:${name}${f.functionName ? '' : ` @${f.lineNumber + 1}`}` : name;
}

interface Summary { totalMs: number; busyMs: number; self: [string, number][]; inclusive: [string, number][]; areas: [string, number][] }

/** `window`: the part of the profile to count, in ms since the profile started. */
function summarise(profile: CpuProfile, window: { fromMs: number; toMs: number }): Summary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const areas = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  let atUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    atUs += profile.timeDeltas[i] ?? 0;
    if (atUs < window.fromMs * 1000 || atUs > window.toMs * 1000) continue;
    const dt = profile.timeDeltas[i + 1] ?? 0; // a sample's time is the gap to the next one
    const node = byId.get(profile.samples[i]!)!;
    totalUs += dt;
    const f = node.callFrame;
    if (f.functionName === '(idle)') { idleUs += dt; continue; }
    self.set(key(f), (self.get(key(f)) ?? 0) + dt);
    areas.set(area(f.url, f.functionName), (areas.get(area(f.url, f.functionName)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const k = key(byId.get(id)!.callFrame);
      if (k === '(root)' || seen.has(k)) continue; // recursion counts once
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    }
  }
  const sorted = (m: Map<string, number>) => [...m].map(([k, us]) => [k, us / 1000] as [string, number]).sort((a, b) => b[1] - a[1]);
  return { totalMs: totalUs / 1000, busyMs: (totalUs - idleUs) / 1000, self: sorted(self), inclusive: sorted(inclusive), areas: sorted(areas) };
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  if (pin) spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  if (NICE !== 0) spawnSync('renice', ['-n', String(NICE), '-p', String(process.pid)], { stdio: 'ignore' });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sluice-prof-'));
  try {
    const mock = spawnChild([path.join(here, 'mock-openai-upstream.js')], '0', 'pipe');
    const mockUrl = await new Promise<string>((resolve) => {
      let buf = '';
      mock.stdout!.on('data', (d: Buffer) => { buf += d.toString(); if (buf.includes('\n')) resolve((JSON.parse(buf.split('\n')[0]!) as { url: string }).url); });
    });
    const port = await freePort();
    const config = path.join(tmp, 'sluice.yaml');
    writeFileSync(config, [
      'server: { host: 127.0.0.1 }',
      `storage: { database: "sqlite:${path.join(tmp, 'sluice.db')}" }`,
      'providers:',
      `  mock: { type: openai, base_url: "${mockUrl}", api_key: sk-bench }`,
      'chain:',
      '  - use: router',
      '    with: { default: mock }',
      '  - use: translator',
      '',
    ].join('\n'));
    const profDir = path.join(tmp, 'prof');
    mkdirSync(profDir);
    const logFd = openSync(path.join(tmp, 'stdout.log'), 'w');
    const spawnedAt = performance.now();
    const target = args.floor
      ? [path.join(here, 'bare-proxy.js'), new URL(mockUrl).origin, String(port)]
      : [path.join(SLUICE_ROOT, 'bin/sluice.js'), 'start', '--config', config, '--port', String(port)];
    const sluice = spawnChild(['--cpu-prof', `--cpu-prof-dir=${profDir}`, ...target], '1', logFd);
    closeSync(logFd);
    const url = `http://127.0.0.1:${port}`;
    if (args.floor) await new Promise((r) => setTimeout(r, 1000)); // the floor has no /health
    else await waitHealthy(url + '/health');
    console.log(`warming up, then profiling sluice (pid ${sluice.pid}) under ${CONNECTIONS} connections for ${DURATION_S} s…`);
    await run(url, CONNECTIONS, 3);
    const fromMs = performance.now() - spawnedAt;
    const requests = await run(url, CONNECTIONS, DURATION_S);
    const toMs = performance.now() - spawnedAt;
    const exited = new Promise<void>((resolve) => sluice.once('exit', () => resolve()));
    sluice.kill('SIGTERM');
    await exited;
    mock.kill('SIGTERM');
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no .cpuprofile was written');
    const raw = readFileSync(path.join(profDir, file), 'utf8');
    if (args.keep) writeFileSync(args.keep, raw);
    // The profile starts a few ms after the spawn (node's bootstrap): close enough at 20 s.
    const s = summarise(JSON.parse(raw) as CpuProfile, { fromMs, toMs });
    const report = render(s, requests);
    console.log(report);
    writeFileSync(args.out, report);
    console.log(`written to ${path.relative(process.cwd(), args.out)}`);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  }
}

function render(s: Summary, requests: number): string {
  const pct = (ms: number) => `${((100 * ms) / s.busyMs).toFixed(1)}%`;
  const usPerReq = (ms: number) => ((ms * 1000) / requests).toFixed(1);
  const table = (rows: [string, number][], n: number) => [
    '| # | function (file:function) | ms | % of busy | µs/req |',
    '| ---: | --- | ---: | ---: | ---: |',
    ...rows.slice(0, n).map(([k, ms], i) => `| ${i + 1} | \`${k}\` | ${ms.toFixed(0)} | ${pct(ms)} | ${usPerReq(ms)} |`),
  ];
  return [
    '# Sluice JSON hot path: CPU profile',
    '',
    'Produced by `node dist/bench/profile-hot-path.js` (`bench/profile-hot-path.ts`); rewritten on every run.',
    '',
    `- Date: ${new Date().toISOString()}; Node ${process.version}; load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}.`,
    args.floor ? `- **The floor** (\`node --cpu-prof dist/bench/bare-proxy.js\`), not Sluice${pin ? ', pinned to CPU 1' : ''}; autocannon, ${CONNECTIONS} connections, ${DURATION_S} s: ${requests} requests.` : (`- \`node --cpu-prof bin/sluice.js start\`${SLUICE_ROOT === root ? '' : ` (the build in \`${SLUICE_ROOT}\`)`}, NODE_ENV=production, chain router → translator (passthrough to an openai provider at the bench mock), default log level (info, stdout to a file)` +
      `${pin ? ', pinned to CPU 1 (load generator and mock on CPU 0)' : ''}; ` +
      `autocannon, ${CONNECTIONS} connections, ${DURATION_S} s, the proxy-overhead request (255 B in, 701 B out): ${requests} requests.`),
    `- Profile of the measured ${DURATION_S} s only (start-up, warm-up and shutdown cut): ${s.totalMs.toFixed(0)} ms sampled, ${s.busyMs.toFixed(0)} ms not idle, ${((s.busyMs * 1000) / requests).toFixed(0)} µs per request ` +
      '(profiling adds some; the proxy-overhead bench has the unprofiled figure). ' +
      'Percentages are of the non-idle time. "self" = in the function itself; "inclusive" = the function and what it calls (recursion counted once). ' +
      'Files are the TypeScript sources (profiled as dist/…/*.js); `@N` is the line in the compiled file for anonymous functions.',
    '',
    '## Self time by area',
    '',
    '| area | ms | % of busy | µs/req |',
    '| --- | ---: | ---: | ---: |',
    ...s.areas.map(([k, ms]) => `| ${k} | ${ms.toFixed(0)} | ${pct(ms)} | ${usPerReq(ms)} |`),
    '',
    `## Top ${TOP} by self time`,
    '',
    ...table(s.self, TOP),
    '',
    `## Top ${TOP} Sluice and dependency functions by inclusive time`,
    '',
    ...table(s.inclusive.filter(([k]) => /^(core|plugins|node_modules)\//.test(k)), TOP),
    '',
  ].join('\n');
}

process.once('SIGINT', () => { for (const c of children) c.kill('SIGKILL'); process.exit(130); });
main().catch((err) => { console.error(err); for (const c of children) c.kill('SIGKILL'); process.exit(1); });
