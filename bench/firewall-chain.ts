// The prompt firewall in the chain: what it adds per turn of a growing agent conversation, and what
// redact with restore adds to time to first token. One run, both parts, results in
// bench/results/firewall-chain.md. Targets (issue 10): monitor on a 200-turn history adds < 1 ms at
// the median; redact with restore adds < 0.3 ms to time to first token.
//
// Part 1 — scan cost per turn, in process: the firewall's middleware on an exchange as ingress builds
// it (body parsed from the bytes), timed from the call to its return, the upstream's place taken by
// an immediate answer; the pass-through plugin timed the same way. An agent conversation of 1, 10, 50 and 200 turns
// (each turn: an assistant tool call with JSON arguments and a tool result of ~0.7 KB of
// code/log text, so 200 turns are the issue's ~200 KB history; a secret in one turn of ten) is sent as a client resends it: every request carries the
// whole history, already seen by the firewall on the turn before, plus one new turn it has not
// seen. "added" = the firewall's median minus the median of a pass-through plugin, interleaved.
// Also shown: the same with `cache_entries: 0` (every segment scanned every turn).
//
// Part 2 — time to first token over HTTP: a mock upstream streaming Chat SSE (head and the first
// token at once), and two gateways in this process, one with `router` only and one with
// `firewall { mode: redact }` before it; a 10-turn conversation whose history holds secrets and
// whose answer repeats a placeholder, so redaction and restore both run. Requests alternate
// between the gateways, one at a time; TTFT = request start → first SSE event with content.
//
//   npx tsc -p . && node --expose-gc dist/bench/firewall-chain.js [--samples 60] [--rounds 8] [--per-round 40]
// (--expose-gc: one full GC after each batch of samples is built, so the timed calls start on a clean heap.)
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import type { JsonObject, PluginMiddleware } from '../core/index.js';
import { createGateway } from '../core/app.js';
import { matchEndpoint } from '../core/http/endpoints.js';
import { HttpExchange } from '../core/http/exchange-impl.js';
import { parseConfigText } from '../core/config/load.js';
import { createLogger } from '../core/observability/logger.js';
import { listen, type RunningServer } from '../core/server.js';
import firewall from '../plugins/firewall/index.js';
import { firewallOptions } from '../plugins/firewall/options.js';
import { createTestHost } from '../core/testing/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { values: args } = parseArgs({
  options: {
    samples: { type: 'string', default: '60' },
    rounds: { type: 'string', default: '8' },
    'per-round': { type: 'string', default: '40' },
    out: { type: 'string', default: path.join(root, 'bench/results/firewall-chain.md') },
  },
});
const SAMPLES = Number(args.samples);
const ROUNDS = Number(args.rounds);
const PER_ROUND = Number(args['per-round']);

// ------------------------------------------------------------------------------- the conversation

let seed = 7;
const rand = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
const WORDS = 'the build step cache config file test failed passed module import export function return value error warning retry request response server client token stream parse render update'.split(' ');
const words = (n: number) => Array.from({ length: n }, () => WORDS[rand(WORDS.length)]).join(' ');
const SECRETS = ['ann.lee@corp-mail.io', 'AKIAZ3MJQX7TNVB4KWPQ', 'ghp_8kQ2vR7nX4mZ1pL9sT3wY6bD0fH5jC2gA8eU', 'ops.team@weather-corp.net'];

function toolOutput(i: number): string {
  let out = `$ npm test -- --grep step${i}\n`;
  for (let line = 0; line < 9; line++) out += `  src/module${rand(40)}/file${rand(90)}.ts:${rand(400)}:${rand(80)}  ${words(8)}\n`;
  if (i % 10 === 3) out += `  contact: ${SECRETS[(i / 10 | 0) % SECRETS.length]}\n`;
  return out;
}

/** The Chat Completions body of an agent conversation with `turns` tool turns, the last one `fresh`-marked. */
function conversation(turns: number, fresh: string): JsonObject {
  seed = 7;
  const messages: JsonObject[] = [
    { role: 'system', content: `You are a coding agent. ${words(60)}` },
    { role: 'user', content: `Fix the failing tests. ${words(20)}` },
  ];
  for (let i = 0; i < turns; i++) {
    const last = i === turns - 1;
    messages.push({ role: 'assistant', content: null, tool_calls: [{ id: `call_${i}`, type: 'function', function: { name: 'shell', arguments: JSON.stringify({ command: `npm test -- --grep step${i}`, cwd: '/work/app', note: last ? fresh : words(6) }) } }] });
    messages.push({ role: 'tool', tool_call_id: `call_${i}`, content: toolOutput(i) + (last ? fresh : '') });
  }
  return { model: 'bench', messages };
}

// ------------------------------------------------------------------------------- part 1: per turn

const ENDPOINT = (() => {
  const match = matchEndpoint({ method: 'POST', path: '/v1/chat/completions', headers: {}, query: {} });
  if (!match || 'methodNotAllowed' in match) throw new Error('no chat endpoint');
  return match.endpoint;
})();

/** An exchange as ingress builds it: the body parsed from the bytes that arrived. */
function exchangeOf(bytes: Buffer): HttpExchange {
  return new HttpExchange({
    id: 'bench', endpoint: ENDPOINT, receivedAt: performance.now(), headers: {}, query: {}, peerAddress: '127.0.0.1', clientAddress: '127.0.0.1',
    sessionId: undefined, signal: new AbortController().signal, request: JSON.parse(bytes.toString('utf8')) as JsonObject, bytes, model: 'bench', stream: false,
  });
}

const noop: PluginMiddleware = async (_ctx, next) => { await next(); };
const answered = async () => { /* dispatch's place: the upstream answers (not timed work of the firewall) */ };
const gc = (globalThis as { gc?: () => void }).gc;

function median(xs: number[]): number { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; }
function pct(xs: number[], p: number): number { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]!; }
const ms = (x: number) => x.toFixed(3);

interface TurnRow { turns: number; kb: number; segments: number; variant: string; base: number; fw: number; added: number; addedP90: number; addedMin: number; view: number; viewMin: number }

async function timed(middleware: PluginMiddleware, exchange: HttpExchange): Promise<number> {
  const t = performance.now();
  await middleware({ exchange }, answered);
  return performance.now() - t;
}

async function perTurn(): Promise<TurnRow[]> {
  const rows: TurnRow[] = [];
  const host = createTestHost();
  for (const turns of [1, 10, 50, 200]) {
    const kb = JSON.stringify(conversation(turns, 'x')).length / 1024;
    for (const [variant, options] of [['monitor', { mode: 'monitor' }], ['redact', { mode: 'redact' }], ['monitor, no cache', { mode: 'monitor', cache_entries: 0 }]] as const) {
      const instance = await firewall.setup!(firewallOptions.parse(options), host);
      await instance.start?.();
      const fw = instance.middleware!;
      // The history as the firewall saw it on the turn before: the cache is warm with it.
      await timed(fw, exchangeOf(Buffer.from(JSON.stringify(conversation(turns, 'previous turn')))));
      // Every request: the same history plus one turn the firewall has not seen. Built (parsed, as
      // ingress would) before it is timed, ten at a time, each batch followed by one full GC, so
      // a timed call pays only for its own allocations (a 200-turn body parses to megabytes).
      const build = (i: number) => {
        const bytes = Buffer.from(JSON.stringify(conversation(turns, `turn ${i} of this run`)));
        return { plain: exchangeOf(bytes), guarded: exchangeOf(bytes), bare: exchangeOf(bytes) };
      };
      const base: number[] = [];
      const with_: number[] = [];
      const added: number[] = [];
      const view: number[] = [];
      let segments = 0;
      for (let batch = 0; batch < SAMPLES + 10; batch += 10) {
        const samples = Array.from({ length: 10 }, (_, k) => build(batch + k));
        gc?.();
        for (let k = 0; k < samples.length; k++) {
          const { plain, guarded, bare } = samples[k]!;
          // Released once timed, as a finished request's exchange is: a kept exchange keeps its view alive
          // and makes every later scavenge copy it.
          samples[k] = undefined!;
          const a = await timed(noop, plain);
          const b = await timed(fw, guarded);
          // The protocol view alone (core's walk, which any plugin reading the request pays once).
          const tv = performance.now();
          segments = bare.view().segments().length;
          const viewMs = performance.now() - tv;
          if (batch >= 10) { base.push(a); with_.push(b); added.push(b - a); view.push(viewMs); }
        }
      }
      rows.push({ turns, kb, segments, variant, base: median(base), fw: median(with_), added: median(added), addedP90: pct(added, 0.9), addedMin: Math.min(...with_) - Math.min(...base), view: median(view), viewMin: Math.min(...view) });
      console.log(`${turns} turns ${variant}: added ${ms(median(added))} ms, min ${ms(Math.min(...added))} (view ${ms(median(view))})`);
    }
  }
  return rows;
}

// ------------------------------------------------------------------------------- part 2: TTFT

function chunk(delta: JsonObject, finish: string | null = null): string {
  return `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'bench', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}

async function mockUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // The first content token repeats a placeholder: restore runs on the very first delta.
      res.write(chunk({ role: 'assistant', content: '' }) + chunk({ content: 'Mail [EMAIL_ADDRESS_1] ' }));
      setTimeout(() => { res.write(chunk({ content: 'about the build.' }) + chunk({}, 'stop')); res.end('data: [DONE]\n\n'); }, 1);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

async function gateway(upstream: string, withFirewall: boolean): Promise<RunningServer> {
  const yaml = `storage: { database: "sqlite::memory:" }
logging: { level: warn }
providers:
  up: { type: openai, base_url: "${upstream}/v1", api_key: bench }
chain:
${withFirewall ? '  - use: firewall\n    with: { mode: redact }\n' : ''}  - use: router
    with: { default: up }
`;
  const loaded = parseConfigText(yaml, path.join(os.tmpdir(), 'firewall-bench.yaml'));
  const gw = await createGateway(loaded, { logger: createLogger({ level: 'warn' }) });
  return listen(gw, 0, '127.0.0.1');
}

async function ttft(agent: Agent, url: string, body: string): Promise<number> {
  const t = performance.now();
  const res = await request(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, dispatcher: agent });
  let first = 0;
  let text = '';
  for await (const piece of res.body) {
    text += piece.toString();
    if (!first && text.includes('"content":"Mail')) first = performance.now() - t;
  }
  if (!first) throw new Error(`no content: ${text.slice(0, 300)}`);
  if (!text.includes('Mail ann.lee@corp-mail.io') && url.endsWith('fw')) throw new Error('restore did not run');
  return first;
}

async function timeToFirstToken(): Promise<{ base: number[]; fw: number[]; bodyKb: number; restored: boolean }> {
  const mock = await mockUpstream();
  const plain = await gateway(mock.url, false);
  const guarded = await gateway(mock.url, true);
  const agent = new Agent({ keepAliveTimeout: 60_000, connections: 4 });
  const conv = conversation(10, 'write to ann.lee@corp-mail.io');
  const body = JSON.stringify({ ...conv, stream: true, stream_options: { include_usage: true } });
  const plainUrl = `http://127.0.0.1:${plain.port}`;
  const fwUrl = `http://127.0.0.1:${guarded.port}`;
  // Restore really ran: the client of the firewalled gateway gets the address back.
  const check = await request(`${fwUrl}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, dispatcher: agent });
  const restored = (await check.body.text()).includes('Mail ann.lee@corp-mail.io');
  for (let i = 0; i < 100; i++) { await ttft(agent, plainUrl, body); await ttft(agent, fwUrl, body); }
  const base: number[] = [];
  const fw: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < PER_ROUND; i++) { base.push(await ttft(agent, plainUrl, body)); fw.push(await ttft(agent, fwUrl, body)); }
  }
  await agent.close();
  await plain.shutdown('bench');
  await guarded.shutdown('bench');
  await mock.close();
  return { base, fw, bodyKb: body.length / 1024, restored };
}

// ------------------------------------------------------------------------------- report

const turnRows = await perTurn();
const t = await timeToFirstToken();
const monitor200 = turnRows.find((r) => r.turns === 200 && r.variant === 'monitor')!;
const addedTtft = median(t.fw) - median(t.base);

const lines = [
  '# Firewall in the chain — cost per turn and time to first token',
  '',
  `Produced by \`node --expose-gc dist/bench/firewall-chain.js\` (\`bench/firewall-chain.ts\`); rewritten on every run.`,
  '',
  `- Date: ${new Date().toISOString()}; Node ${process.version}; ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()}); load average at the end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
  '- The machine is shared with other work (load average above, on 2 CPUs): samples are interleaved, but contention stretches long work more than short (a 2 ms call is often preempted), so the medians of the longer rows are inflated and vary from run to run; the "min" column shows the uncontended floor.',
  '',
  '## Scan cost per turn of a growing agent conversation',
  '',
  `In process: the firewall middleware on an exchange as ingress builds it, timed from the call to its return with the upstream's place taken by an immediate answer; its figure includes building the protocol view (no other plugin in this chain reads it). The samples' exchanges are built (bodies parsed from bytes, as ingress does) ten at a time before they are timed${gc ? ', each batch followed by one full GC' : ''}, so a timed call pays only for its own allocations. Each request carries the whole history — seen by the firewall on the turn before — plus one turn it has not seen: ${SAMPLES} samples per row after 10 warm-up, each timed against a pass-through middleware on the same bytes. A turn is an assistant tool call (JSON arguments) and a ~0.7 KB tool result (200 turns ≈ the issue's 200 KB history); one turn in ten carries a secret, so redact has values to number and replace in every request. "no cache" sets \`cache_entries: 0\`.`,
  '',
  '| turns | body KB | segments | firewall | p50 pass-through ms | p50 firewall ms | **p50 added ms** | p90 added ms | min added ms | p50 (min) of it the protocol view ms |',
  '| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...turnRows.map((r) => `| ${r.turns} | ${r.kb.toFixed(0)} | ${r.segments} | ${r.variant} | ${ms(r.base)} | ${ms(r.fw)} | **${ms(r.added)}** | ${ms(r.addedP90)} | ${ms(r.addedMin)} | ${ms(r.view)} (${ms(r.viewMin)}) |`),
  '',
  `"min added": the fastest firewall sample minus the fastest pass-through one — on a machine shared with other work, the closest figure to the uncontended cost (a 2 ms task is often preempted on 2 busy cores). "of it the protocol view": building \`exchange.view().segments()\` alone on the same bytes — core's walk of the request, which the firewall pays because no earlier plugin built it (a chain with another view reader pays it once for both).`,
  '',
  `Target: monitor on a 200-turn history adds < 1 ms at the median — measured ${ms(monitor200.added)} ms → ${monitor200.added < 1 ? 'MET' : 'MISSED'} (the protocol view ${ms(monitor200.view)} ms of it, the firewall's own work ${ms(monitor200.added - monitor200.view)} ms).`,
  '',
  'Where the time goes on the long history (measured apart, CPU µs in a tight loop on one machine): building the 800 segments of the protocol view takes ~0.26 ms (it was ~5.7 ms before the view\'s segments became one closure-free object each, with paths spelled out on read and tool-call arguments canonicalised only when read — the closures per segment survived every scavenge); the firewall\'s own work is one native SHA-1 per segment (~0.35 ms for 800 segments / 200 KB: ~0.13 ms hashing the bytes, the rest per-call overhead) and a map lookup each, the rest a few µs. Only the new turn is scanned (compare "no cache"); the hash is the floor of a cache that keeps no text.',
  '',
  '## Time to first token, redact with restore',
  '',
  `Two gateways in this process (\`router\` only; \`firewall { mode: redact }\` + \`router\`), one mock upstream streaming Chat SSE (head and first token at once; the first token repeats \`[EMAIL_ADDRESS_1]\`, so restore runs on it — checked: ${t.restored ? 'the client got the address back' : 'RESTORE DID NOT RUN'}). A 10-turn conversation (${t.bodyKb.toFixed(0)} KB) with secrets in its history, streamed; undici client, keep-alive; ${ROUNDS} rounds × ${PER_ROUND} requests per gateway, alternating, after 100 warm-up each.`,
  '',
  '| target | n | p10 TTFT ms | p50 TTFT ms | p90 TTFT ms | p99 TTFT ms |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  `| router only | ${t.base.length} | ${ms(pct(t.base, 0.1))} | ${ms(median(t.base))} | ${ms(pct(t.base, 0.9))} | ${ms(pct(t.base, 0.99))} |`,
  `| firewall redact + restore, router | ${t.fw.length} | ${ms(pct(t.fw, 0.1))} | ${ms(median(t.fw))} | ${ms(pct(t.fw, 0.9))} | ${ms(pct(t.fw, 0.99))} |`,
  '',
  `Target: redact with restore adds < 0.3 ms to time to first token — measured ${ms(addedTtft)} ms at the median (${ms(pct(t.fw, 0.1) - pct(t.base, 0.1))} ms at p10) → ${addedTtft < 0.3 ? 'MET' : 'MISSED'}.`,
  '',
];
writeFileSync(args.out!, lines.join('\n'));
console.log(lines.join('\n'));
process.exit(0);
