// /health latency while the loopback provider serves its largest allowed requests (issue 8, item 1).
//
// Loopback answers on the gateway's own event loop, so whatever it costs to build and serialise an
// answer is time in which no other request, /health included, is served. This measures that: the
// latency of /health probes on an idle gateway, then on the same gateway while a load generator
// keeps one scenario's requests in flight, back to back: one at a time (what a single request
// stalls), then `concurrency` at once (a probe may wait behind all of them).
//
// Three processes: this one (the /health prober, and the report), Sluice (`--role sluice`: the real
// gateway, loadConfigFile → createGateway → listen, the shipped default chain `router` → `translator`,
// every model to `local: { type: loopback }`), and the load generator (`--role load`), so neither
// client's work lands on the other's event loop. Sluice also reports its own event-loop delay
// (perf_hooks.monitorEventLoopDelay, 1 ms resolution) for each phase.
//
// Probes go one at a time (the next when the last answered, plus a 2 ms pause), on their own
// keep-alive connection. Each round runs the idle phase, then every scenario; figures are over all
// probes of all rounds (p50/p99/max) and the per-round maxima show the spread.
//
//   npm run bench:loopback
//   node dist/bench/loopback-health.js --rounds 3 --duration 5 --concurrency 1,4 --only embed-128x256
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import {
  MAX_ANSWER_CHARS, MAX_EMBEDDING_BATCH, MAX_EMBEDDING_DIMENSIONS, MAX_EMBEDDING_INPUTS, MAX_EMBEDDING_VALUES, MAX_TOOL_CALLS,
} from '../core/providers/loopback/bounds.js';

const self = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(self), '../..');

const { values: args } = parseArgs({
  options: {
    role: { type: 'string', default: 'bench' },
    config: { type: 'string' },
    port: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '4' },
    /** Requests of the scenario kept in flight; each level is its own phase. */
    concurrency: { type: 'string', default: '1,4' },
    only: { type: 'string' },
    /** Leave the translator out of the chain (to see what it costs on these answers). */
    'no-translator': { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(root, 'bench/results/loopback-health.md') },
  },
});

// ==================================================================== scenarios

interface Scenario {
  name: string;
  /** What the request is, for the report. */
  what: string;
  path: string;
  body: () => string;
  /** The status every answer must have. */
  status: number;
}

const tools = (n: number) => Array.from({ length: n }, (_, i) => ({ type: 'function', function: { name: `t${i}`, parameters: { type: 'object' } } }));

/** 64 parallel calls whose names and arguments fill the answer bound exactly. */
function toolCallsPrompt(): string {
  const perCall = Math.floor(MAX_ANSWER_CHARS / MAX_TOOL_CALLS) - 2; // the name `t0`…`t63` is ≤ 3 characters
  const args = (i: number) => JSON.stringify({ s: 'x'.repeat(perCall - 10 - String(i).length) });
  return '[[parallel]] ' + Array.from({ length: MAX_TOOL_CALLS }, (_, i) => `[[tool:t${i} ${args(i)}]]`).join(' ');
}

const SCENARIOS: Scenario[] = [
  {
    name: 'embed-128x256', path: '/v1/embeddings', status: 200,
    what: `OpenAI embeddings, ${MAX_EMBEDDING_VALUES / 256} inputs × 256 dimensions (the value bound), float`,
    body: () => JSON.stringify({ model: 'loopback-embed', input: Array.from({ length: MAX_EMBEDDING_VALUES / 256 }, (_, i) => `document ${i} `.repeat(20)), encoding_format: 'float' }),
  },
  {
    name: 'embed-2048x16', path: '/v1/embeddings', status: 200,
    what: `OpenAI embeddings, ${MAX_EMBEDDING_INPUTS} inputs (the input bound) × ${MAX_EMBEDDING_VALUES / MAX_EMBEDDING_INPUTS} dimensions, float`,
    body: () => JSON.stringify({ model: 'loopback-embed', input: Array.from({ length: MAX_EMBEDDING_INPUTS }, (_, i) => `text ${i}`), dimensions: MAX_EMBEDDING_VALUES / MAX_EMBEDDING_INPUTS, encoding_format: 'float' }),
  },
  {
    name: 'embed-8x4096', path: '/v1/embeddings', status: 200,
    what: `OpenAI embeddings, ${MAX_EMBEDDING_VALUES / MAX_EMBEDDING_DIMENSIONS} inputs × ${MAX_EMBEDDING_DIMENSIONS} dimensions (the dimension bound), float`,
    body: () => JSON.stringify({ model: 'loopback-embed', input: Array.from({ length: MAX_EMBEDDING_VALUES / MAX_EMBEDDING_DIMENSIONS }, (_, i) => `text ${i}`), dimensions: MAX_EMBEDDING_DIMENSIONS, encoding_format: 'float' }),
  },
  {
    name: 'gemini-batch', path: '/v1beta/models/text-embedding-004:batchEmbedContents', status: 200,
    what: `Gemini batchEmbedContents, ${MAX_EMBEDDING_BATCH} requests (the batch bound) × ${Math.floor(MAX_EMBEDDING_VALUES / MAX_EMBEDDING_BATCH)} dimensions`,
    body: () => JSON.stringify({ requests: Array.from({ length: MAX_EMBEDDING_BATCH }, (_, i) => ({ model: 'models/text-embedding-004', content: { parts: [{ text: `text ${i}` }] }, outputDimensionality: Math.floor(MAX_EMBEDDING_VALUES / MAX_EMBEDDING_BATCH) })) }),
  },
  {
    name: 'schema-64k', path: '/v1/chat/completions', status: 200,
    what: `Chat json_schema whose smallest answer is ${6 * Math.floor((MAX_ANSWER_CHARS - 1) / 6) + 1} characters (10,922 booleans; the answer bound)`,
    body: () => JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'fill' }], response_format: { type: 'json_schema', json_schema: { name: 'big', schema: { type: 'array', minItems: Math.floor((MAX_ANSWER_CHARS - 1) / 6), items: { type: 'boolean' } } } } }),
  },
  {
    name: 'tools-64-stream', path: '/v1/chat/completions', status: 200,
    what: `Chat stream, [[parallel]] ${MAX_TOOL_CALLS} tool calls filling the answer bound, arguments in 8-character fragments`,
    body: () => JSON.stringify({ model: 'loopback', stream: true, messages: [{ role: 'user', content: toolCallsPrompt() }], tools: tools(MAX_TOOL_CALLS) }),
  },
  {
    name: 'markers-512k', path: '/v1/chat/completions', status: 200,
    what: '512 KB prompt of unclosed `[[tool:f {"a":` fragments (fuzz input; was 5–8 s)',
    body: () => JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: '[[parallel]] ' + '[[tool:f {"a":'.repeat(Math.ceil(512 * 1024 / 14)) }], tools: tools(1) }),
  },
  {
    name: 'fuzz-embed-10k', path: '/v1/embeddings', status: 400,
    what: '10 KB embeddings body, 2000 inputs × 4096 dimensions (fuzz input; was ~175 MB, 5–6 s): refused',
    body: () => JSON.stringify({ model: 'loopback-embed', input: new Array<string>(2000).fill('ab'), dimensions: 4096 }),
  },
  {
    name: 'fuzz-schema-28k', path: '/v1/chat/completions', status: 400,
    what: '28 KB json_schema body, a 27 KB const under 3 levels of minItems 3 (fuzz input; was tens of MB): refused',
    body: () => {
      let schema: object = { type: 'string', const: 'x'.repeat(27_000) };
      for (let i = 0; i < 3; i++) schema = { type: 'array', minItems: 3, items: schema };
      return JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_schema', json_schema: { name: 'f', schema } } });
    },
  },
  {
    name: 'prompt-9.5mb', path: '/v1/chat/completions', status: 200,
    what: '9.5 MB prompt (under the default 10 MB body_limit) with one tool call: cost here is mostly parsing the body',
    body: () => JSON.stringify({ model: 'loopback', messages: [{ role: 'user', content: 'lorem ipsum '.repeat(Math.floor(9.5 * 1024 * 1024 / 12)) + '[[tool:t0 {"ok":true}]]' }], tools: tools(1) }),
  },
];

// ==================================================================== Sluice (--role sluice)

async function runSluice(): Promise<void> {
  const { loadConfigFile } = await import('../core/config/load.js');
  const { createGateway } = await import('../core/app.js');
  const { listen } = await import('../core/server.js');
  const gateway = await createGateway(await loadConfigFile(args.config!));
  const running = await listen(gateway, 0, '127.0.0.1');
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  process.on('message', (m: { cmd?: string; id?: number }) => {
    if (m.cmd === 'reset') { delay.reset(); process.send!({ id: m.id }); }
    if (m.cmd === 'delay') process.send!({ id: m.id, p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 });
  });
  process.send!({ port: running.port });
  process.on('disconnect', () => { void running.shutdown('bench done').finally(() => process.exit(0)); });
}

// ==================================================================== load generator (--role load)

interface LoadReport { requests: number; errors: number; latencies: number[]; bytes: number; badStatus: string | undefined }

async function runLoad(): Promise<void> {
  const pool = new Pool(`http://127.0.0.1:${args.port}`, { connections: 64, pipelining: 1 });
  let stopping: (() => void) | undefined;
  process.on('message', (m: { cmd?: string; scenario?: string; concurrency?: number; id?: number }) => {
    if (m.cmd === 'start') {
      const scenario = SCENARIOS.find((s) => s.name === m.scenario)!;
      const body = scenario.body();
      const report: LoadReport = { requests: 0, errors: 0, latencies: [], bytes: 0, badStatus: undefined };
      let running = true;
      const loops = Array.from({ length: m.concurrency ?? 1 }, async () => {
        while (running) {
          const start = performance.now();
          try {
            const res = await pool.request({ method: 'POST', path: scenario.path, headers: { 'content-type': 'application/json' }, body });
            let bytes = 0;
            for await (const chunk of res.body) bytes += (chunk as Buffer).length;
            if (res.statusCode !== scenario.status) report.badStatus ??= `HTTP ${res.statusCode}`;
            report.latencies.push(performance.now() - start);
            report.bytes = bytes;
            report.requests++;
          } catch (err) {
            report.errors++;
            report.badStatus ??= String(err);
          }
        }
      });
      process.send!({ id: m.id });
      stopping = () => { running = false; void Promise.all(loops).then(() => process.send!({ report })); };
    }
    if (m.cmd === 'stop') stopping?.();
  });
  process.send!({ port: 0 });
  process.on('disconnect', () => { void pool.close().finally(() => process.exit(0)); });
}

// ==================================================================== bench

const children: ChildProcess[] = [];

function start(role: string, extra: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(self, ['--role', role, ...extra], { cwd: root, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, NODE_ENV: 'production' } });
  children.push(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${role} did not start in time`)), 20_000);
    child.once('exit', (code) => reject(new Error(`${role} exited (${code}) before reporting in`)));
    child.once('message', (m: { port: number }) => { clearTimeout(timer); resolve({ child, port: m.port }); });
  });
}

let askId = 0;
function ask<T>(child: ChildProcess, msg: object): Promise<T> {
  const id = ++askId;
  return new Promise((resolve) => {
    const on = (m: Record<string, unknown>) => { if (m['id'] === id) { child.off('message', on); resolve(m as T); } };
    child.on('message', on);
    child.send({ ...msg, id });
  });
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

/** /health, one probe at a time, for `seconds`; returns each probe's latency. */
async function probe(pool: Pool, seconds: number): Promise<number[]> {
  const out: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t = performance.now();
    const res = await pool.request({ method: 'GET', path: '/health' });
    await res.body.arrayBuffer();
    if (res.statusCode !== 200) throw new Error(`/health answered ${res.statusCode}`);
    out.push(performance.now() - t);
    await sleep(2);
  }
  return out;
}

interface PhaseFigures { probes: number[]; roundMax: number[]; elP99: number[]; elMax: number[]; load: LoadReport[] }

async function runBench(): Promise<void> {
  const rounds = Math.max(1, Number(args.rounds));
  const duration = Number(args.duration);
  const levels = args.concurrency.split(',').map(Number);
  const scenarios = args.only ? SCENARIOS.filter((s) => args.only!.split(',').includes(s.name)) : SCENARIOS;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-loopback-'));
  const config = path.join(tmp, 'sluice.yaml');
  writeFileSync(config, [
    'server: { host: 127.0.0.1, port: 0 }',
    'storage: { database: "sqlite::memory:" }',
    'logging: { level: warn }',
    'providers:',
    '  local: { type: loopback }',
    'chain:',
    '  - use: router',
    '    with: { routes: [], default: local }',
    ...(args['no-translator'] ? [] : ['  - use: translator']),
    '',
  ].join('\n'));
  try {
    const sluice = await start('sluice', ['--config', config]);
    const load = await start('load', ['--port', String(sluice.port)]);
    const pool = new Pool(`http://127.0.0.1:${sluice.port}`, { connections: 1 });
    const figures = new Map<string, PhaseFigures>();
    const phase = (name: string) => figures.get(name) ?? (figures.set(name, { probes: [], roundMax: [], elP99: [], elMax: [], load: [] }), figures.get(name)!);
    const phases = [{ s: undefined, c: 0 }, ...scenarios.flatMap((s) => levels.map((c) => ({ s, c })))];

    await probe(pool, 1); // warm the probe path
    for (let round = 0; round < rounds; round++) {
      for (const { s, c } of phases) {
        const name = s ? `${s.name} ×${c}` : 'idle';
        if (s) {
          await ask(load.child, { cmd: 'start', scenario: s.name, concurrency: c });
          await sleep(500); // let the load reach steady state (and the code get compiled) before measuring
        }
        await ask(sluice.child, { cmd: 'reset' });
        const probes = await probe(pool, duration);
        const delay = await ask<{ p99: number; max: number }>(sluice.child, { cmd: 'delay' });
        const f = phase(name);
        f.probes.push(...probes);
        f.roundMax.push(Math.max(...probes));
        f.elP99.push(delay.p99);
        f.elMax.push(delay.max);
        if (s) {
          const report = await new Promise<LoadReport>((resolve) => {
            const on = (m: { report?: LoadReport }) => { if (m.report) { load.child.off('message', on); resolve(m.report); } };
            load.child.on('message', on);
            load.child.send({ cmd: 'stop' });
          });
          if (report.badStatus) throw new Error(`${name}: ${report.badStatus}`);
          f.load.push(report);
        }
        const sorted = [...probes].sort((a, b) => a - b);
        console.log(`round ${round + 1} ${name.padEnd(20)} /health p50 ${ms(percentile(sorted, 50))} p99 ${ms(percentile(sorted, 99))} max ${ms(sorted.at(-1)!)} ms; event-loop delay max ${ms(delay.max)} ms`);
      }
    }
    await pool.close();

    const idle = figures.get('idle')!;
    const rows: string[] = [];
    for (const [name, f] of figures) {
      const sorted = [...f.probes].sort((a, b) => a - b);
      const s = SCENARIOS.find((x) => x.name === name.split(' ')[0]);
      const requests = f.load.reduce((n, r) => n + r.requests, 0);
      const latencies = f.load.flatMap((r) => r.latencies).sort((a, b) => a - b);
      const bytes = f.load.at(-1)?.bytes;
      rows.push(`| ${name} | ${s ? `${s.status}` : ''} | ${bytes === undefined ? '' : bytes.toLocaleString('en')} | ${s ? (requests / (rounds * duration)).toFixed(1) : ''} | ${s ? ms(percentile(latencies, 50)) : ''} | ${sorted.length} | ${ms(percentile(sorted, 50))} | ${ms(percentile(sorted, 99))} | ${ms(sorted.at(-1)!)} | ${f.roundMax.map(ms).join(' / ')} | ${ms(Math.max(...f.elP99))} | ${ms(Math.max(...f.elMax))} |`);
    }
    const md = [
      '# Loopback: /health while it serves its largest allowed requests',
      '',
      'Produced by `npm run bench:loopback` (`bench/loopback-health.ts`); rewritten on every run.',
      '',
      `- Date: ${new Date().toISOString()}`,
      `- Node: ${process.version}; machine: ${os.availableParallelism()} CPUs, ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${os.platform()} ${os.release()}; load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine shows up as noise)`,
      '- Processes: the /health prober (this script), Sluice and the load generator, each its own Node process on loopback, unpinned. Sluice = loadConfigFile → createGateway → listen (as `sluice start`), the shipped default chain `router` (default `local`) → `translator`, provider `local: { type: loopback }`, `logging.level: warn`, NODE_ENV=production.',
      `- ${rounds} round(s); in each, /health is probed ${duration} s on the idle gateway, then ${duration} s per scenario and concurrency while the load generator keeps that many (×${levels.join(', ×')}) of the scenario's requests in flight (each sent when the last answered; 0.5 s of load before probing starts). Probes go one at a time, 2 ms apart, on one keep-alive connection.`,
      '- /health figures are over every probe of every round; "max per round" shows the spread. Event-loop delay is Sluice\'s own (monitorEventLoopDelay, 1 ms resolution), worst round.',
      '',
      '| phase | status | answer bytes | requests/s | request p50 ms | probes | /health p50 ms | p99 ms | max ms | max per round ms | event-loop delay p99 ms | event-loop delay max ms |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows,
      '',
      'Scenarios:',
      '',
      ...scenarios.map((s) => `- **${s.name}**: ${s.what}.`),
      '',
      'Reading the figures:',
      '',
      `- Host noise: on the idle gateway in this run, /health reached ${ms(Math.max(...idle.probes))} ms and Sluice's event-loop delay ${ms(Math.max(...idle.elMax))} ms with no request in flight; maxima of that order in the other rows are the machine, not loopback. p50 and p99 are the steadier figures.`,
      '- ×1 rows: a probe waits at most for the one request being served, so "request p50" (the whole round trip, transport included) bounds what one request holds the event loop. ×4 rows: a probe can queue behind all four requests; a single-threaded server pays the sum.',
      '- Before the bounds (the issue\'s fuzzing run): the 10 KB embeddings body produced ~175 MB and blocked every request for 5–6 s, the 28 KB json_schema body 78 MB and 7–11 s, 512 KB of `[[tool` fragments 5–8 s. Here those are the fuzz-* rows (refused with a 400 in about a millisecond) and markers-512k.',
      '- prompt-9.5mb is the largest body the default `body_limit` admits. Most of its cost is ingress reading and parsing 9.5 MB (Buffer.concat, UTF-8 decoding, JSON.parse); loopback\'s own part is linear (one SHA-256 of the prompt for the call ids, one scan for markers), about a tenth of it in a CPU profile.',
      '',
    ].join('\n');
    mkdirSync(path.dirname(args.out), { recursive: true });
    writeFileSync(args.out, md);
    console.log(`results written to ${path.relative(process.cwd(), args.out) || args.out}`);
  } finally {
    for (const c of children) { if (c.connected) c.disconnect(); setTimeout(() => c.kill('SIGKILL'), 2000).unref(); }
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (args.role === 'sluice') await runSluice();
else if (args.role === 'load') await runLoad();
else await runBench();
