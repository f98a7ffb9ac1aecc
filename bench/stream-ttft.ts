// Streaming: time to first token (TTFT) through Sluice, and Sluice's memory under 1,000 open streams.
// SPEC §8: "time to first token through a translating chain within 1 ms of the upstream's; memory
// stays flat under 1,000 concurrent streams".
//
// Three processes: this one (the client), a mock upstream and Sluice, each a child of this script
// (`--role mock`, `--role sluice`). The mock speaks OpenAI Chat SSE on /v1/chat/completions and
// Anthropic Messages SSE on /v1/messages; it writes the response head and the first content token
// at once, then one more token every `interval` ms. How many and how often is read from the model
// name (`…-t<tokens>-i<ms>`), which Sluice passes upstream unchanged.
// Sluice is the real gateway (loadConfigFile → createGateway → listen, as `sluice start` does) in a
// child started with --expose-gc; it answers `{cmd:'mem'}` IPC messages with process.memoryUsage().
//
// TTFT part: one request at a time (c=1), raw undici requests (no SDK) and one SSE reader for every
// target, so the client-side cost is alike; TTFT = request start → the first SSE event that carries
// content text (Chat `choices[0].delta.content`, Anthropic `text_delta`, Responses
// `response.output_text.delta`). Targets, interleaved in every round:
//   direct-chat         chat client → mock /v1/chat/completions
//   direct-anthropic    Anthropic client → mock /v1/messages
//   pass chat→chat      chat client → Sluice → openai provider (passthrough)
//   xlate anth→chat     Anthropic client /v1/messages → Sluice → openai provider (translated to Chat)
//   xlate resp→anth     Responses client /v1/responses → Sluice → anthropic provider (translated to Messages)
//   xlate chat→anth     chat client → Sluice → anthropic provider
// "added" compares each Sluice target with the direct target of its upstream's protocol.
//
// Memory part: 1,000 concurrent translated streams (Anthropic client → openai provider), each
// ~20 s long (a token every 200 ms); Sluice's RSS and heapUsed at 0, 250, 500 and 1,000 open streams
// and after all have finished (heap figures after a forced GC, so they are live memory).
//
//   npm run bench:streams
//   node dist/bench/stream-ttft.js --rounds 10 --per-round 30 --streams 1000
//   node dist/bench/stream-ttft.js --no-memory --sluice-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Agent } from 'undici';

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/bench
const root = path.resolve(here, '../..');
const self = fileURLToPath(import.meta.url);

const { values: args } = parseArgs({
  options: {
    role: { type: 'string', default: 'bench' },
    config: { type: 'string' },
    rounds: { type: 'string', default: '10' },
    'per-round': { type: 'string', default: '30' },
    warmup: { type: 'string', default: '100' },
    /** Tokens after the first, and the interval between them, in the TTFT part. */
    tokens: { type: 'string', default: '10' },
    interval: { type: 'string', default: '2' },
    streams: { type: 'string', default: '1000' },
    'stream-tokens': { type: 'string', default: '100' },
    'stream-interval': { type: 'string', default: '200' },
    'no-memory': { type: 'boolean', default: false },
    'no-ttft': { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(root, 'bench/results/stream-ttft.md') },
    /** Extra Node flags for the Sluice child, space-separated, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
    'sluice-node-args': { type: 'string', default: '' },
  },
});

// ==================================================================== mock upstream (--role mock)

const CREATED = 1_732_000_000;
const WORDS = 'Load balancing spreads incoming requests across several servers so that no single machine becomes a bottleneck or a single point of failure'.split(' ');
const word = (i: number) => (i === 0 ? '' : ' ') + WORDS[i % WORDS.length];

function pacing(model: string): { tokens: number; interval: number } {
  const m = /-t(\d+)-i(\d+)$/.exec(model);
  return m ? { tokens: Number(m[1]), interval: Number(m[2]) } : { tokens: 10, interval: 2 };
}

/** Writes `first` now, then `next(i)` for i = 1..tokens every `interval` ms, then `end`. */
function paced(res: http.ServerResponse, first: string, tokens: number, interval: number, next: (i: number) => string, end: () => string): void {
  res.write(first);
  let i = 0;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    if (res.destroyed) return;
    i++;
    if (i > tokens) { res.end(end()); return; }
    res.write(next(i));
    timer = setTimeout(tick, interval);
  };
  timer = setTimeout(tick, interval);
  res.once('close', () => clearTimeout(timer));
}

const sse = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;
const sseNamed = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

function chatStream(res: http.ServerResponse, body: Record<string, unknown>, seq: number): void {
  const model = String(body['model']);
  const { tokens, interval } = pacing(model);
  const includeUsage = (body['stream_options'] as { include_usage?: unknown } | undefined)?.include_usage === true;
  const base = { id: `chatcmpl-mock${seq}`, object: 'chat.completion.chunk', created: CREATED, model, service_tier: 'default', system_fingerprint: 'fp_0ba0d124f1' };
  const chunk = (delta: object, finish: string | null) => sse({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(includeUsage ? { usage: null } : {}) });
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': `req_mock${seq}`, 'openai-processing-ms': '1' });
  paced(res, chunk({ role: 'assistant', content: '', refusal: null }, null) + chunk({ content: word(0) }, null), tokens, interval,
    (i) => chunk({ content: word(i) }, null),
    () => chunk({}, 'stop')
      + (includeUsage ? sse({ ...base, choices: [], usage: { prompt_tokens: 27, completion_tokens: tokens + 1, total_tokens: 28 + tokens, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } } }) : '')
      + 'data: [DONE]\n\n');
}

function anthropicStream(res: http.ServerResponse, body: Record<string, unknown>, seq: number): void {
  const model = String(body['model']);
  const { tokens, interval } = pacing(model);
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': `req_mock${seq}`, 'anthropic-organization-id': 'org-mock' });
  const head = sseNamed('message_start', { type: 'message_start', message: { id: `msg_mock${seq}`, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 27, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1, service_tier: 'standard' } } })
    + sseNamed('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })
    + sseNamed('ping', { type: 'ping' });
  const delta = (i: number) => sseNamed('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: word(i) } });
  paced(res, head + delta(0), tokens, interval, delta,
    () => sseNamed('content_block_stop', { type: 'content_block_stop', index: 0 })
      + sseNamed('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: tokens + 1 } })
      + sseNamed('message_stop', { type: 'message_stop' }));
}

async function runMock(): Promise<void> {
  let seq = 0;
  const counts: Record<string, number> = {};
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '';
      counts[url] = (counts[url] ?? 0) + 1;
      let body: Record<string, unknown>;
      try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { res.writeHead(400).end(); return; }
      if (req.method === 'POST' && url === '/v1/chat/completions' && body['stream'] === true) return chatStream(res, body, ++seq);
      if (req.method === 'POST' && url === '/v1/messages' && body['stream'] === true) return anthropicStream(res, body, ++seq);
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `mock: no ${req.method} ${url} (streams only)` } }));
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.send!({ port: (server.address() as AddressInfo).port });
  process.on('message', (m: { cmd?: string; id?: number }) => { if (m.cmd === 'counts') process.send!({ id: m.id, counts }); });
  process.on('disconnect', () => process.exit(0));
}

// ==================================================================== Sluice (--role sluice)

async function runSluice(): Promise<void> {
  const { loadConfigFile } = await import('../core/config/load.js');
  const { createGateway } = await import('../core/app.js');
  const { listen } = await import('../core/server.js');
  const gateway = await createGateway(await loadConfigFile(args.config!));
  const running = await listen(gateway, 0, '127.0.0.1');
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', (m: { cmd?: string; gc?: boolean; id?: number }) => {
    if (m.cmd !== 'mem') return;
    if (m.gc && gc) { gc(); gc(); }
    process.send!({ id: m.id, mem: process.memoryUsage(), handles: (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length });
  });
  process.send!({ port: running.port });
  process.on('disconnect', () => { void running.shutdown('bench done').finally(() => process.exit(0)); });
}

// ==================================================================== bench (client)

const children: ChildProcess[] = [];

function start(role: string, extra: string[], execArgv: string[] = []): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(self, ['--role', role, ...extra], { cwd: root, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, NODE_ENV: 'production' } });
  children.push(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${role} did not start in time`)), 20_000);
    child.once('exit', (code) => reject(new Error(`${role} exited (${code}) before reporting its port`)));
    child.once('message', (m: { port: number }) => { clearTimeout(timer); resolve({ child, port: m.port }); });
  });
}

let askId = 0;
/** One IPC question; the answer echoes its id, so concurrent questions (polls, samples) never get each other's answers. */
function ask<T>(child: ChildProcess, msg: object): Promise<T> {
  const id = ++askId;
  return new Promise((resolve) => {
    const on = (m: Record<string, unknown>) => { if (m['id'] === id) { child.off('message', on); resolve(m as T); } };
    child.on('message', on);
    child.send({ ...msg, id });
  });
}

type Client = 'chat' | 'anthropic' | 'responses';

/** Pulls the content text out of one SSE event of the client's protocol ('' when it carries none); throws on an error event. */
function contentOf(client: Client, event: string | undefined, data: string): string {
  if (data === '[DONE]') return '';
  const j = JSON.parse(data) as { type?: string; delta?: unknown; error?: unknown; choices?: { delta?: { content?: string | null } }[] };
  const type = event ?? j.type;
  if (type === 'error' || type === 'response.failed' || (client === 'chat' && j.error != null)) throw new Error(`in-stream error: ${data.slice(0, 300)}`);
  if (client === 'chat') return j.choices?.[0]?.delta?.content ?? '';
  if (client === 'anthropic') {
    const d = j.delta as { type?: string; text?: string } | undefined;
    return type === 'content_block_delta' && d?.type === 'text_delta' ? d.text ?? '' : '';
  }
  return type === 'response.output_text.delta' && typeof j.delta === 'string' ? j.delta : '';
}

interface StreamResult { ttft: number; total: number; text: string; events: number }

const BODIES: Record<Client, (model: string) => string> = {
  chat: (model) => JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'Explain what a load balancer does.' }], max_tokens: 256 }),
  anthropic: (model) => JSON.stringify({ model, stream: true, max_tokens: 256, messages: [{ role: 'user', content: 'Explain what a load balancer does.' }] }),
  responses: (model) => JSON.stringify({ model, stream: true, input: 'Explain what a load balancer does.', max_output_tokens: 256 }),
};
const PATHS: Record<Client, string> = { chat: '/v1/chat/completions', anthropic: '/v1/messages', responses: '/v1/responses' };
const HEADERS: Record<Client, Record<string, string>> = {
  chat: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
  anthropic: { 'content-type': 'application/json', 'x-api-key': 'sk-bench', 'anthropic-version': '2023-06-01' },
  responses: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
};

/** One streamed request, read to its end; `onFirst` runs when the first content token arrives. */
async function stream(agent: Agent, origin: string, client: Client, model: string, onFirst?: () => void): Promise<StreamResult> {
  const body = BODIES[client](model);
  const t0 = performance.now();
  const res = await agent.request({ origin, path: PATHS[client], method: 'POST', headers: HEADERS[client], body });
  if (res.statusCode !== 200) throw new Error(`${origin}${PATHS[client]} (${model}): HTTP ${res.statusCode} ${(await res.body.text()).slice(0, 300)}`);
  let ttft = NaN;
  let text = '';
  let events = 0;
  let buf = '';
  res.body.setEncoding('utf8');
  for await (const chunk of res.body as AsyncIterable<string>) {
    buf += chunk;
    let sep: number;
    while ((sep = buf.indexOf('\n\n')) >= 0) {
      const raw = buf.slice(0, sep);
      buf = buf.slice(sep + 2);
      let event: string | undefined;
      let data = '';
      for (const line of raw.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data += line.slice(5).trimStart();
      }
      if (!data) continue;
      events++;
      const t = contentOf(client, event, data);
      if (t && Number.isNaN(ttft)) { ttft = performance.now() - t0; onFirst?.(); }
      text += t;
    }
  }
  return { ttft, total: performance.now() - t0, text, events };
}

const expectedText = (tokens: number) => Array.from({ length: tokens + 1 }, (_, i) => word(i)).join('');

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const pct = (s: number[], p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
const fmt = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
const mb = (b: number) => (b / 1048576).toFixed(1);

interface Target { name: string; origin: 'mock' | 'sluice'; client: Client; model: string; upstream: 'chat' | 'anthropic'; kind: string }

async function main(): Promise<void> {
  const ROUNDS = Number(args.rounds), PER = Number(args['per-round']), WARM = Number(args.warmup);
  const TOK = Number(args.tokens), IVL = Number(args.interval);
  const N = Number(args.streams), STOK = Number(args['stream-tokens']), SIVL = Number(args['stream-interval']);
  setTimeout(() => { console.error('benchmark exceeded its budget (15 min)'); stop(); process.exit(1); }, 15 * 60_000).unref();

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sluice-stream-bench-'));
  const mock = await start('mock', []);
  const mockOrigin = `http://127.0.0.1:${mock.port}`;
  const configFile = path.join(tmp, 'sluice.yaml');
  const conns = Math.max(1024, N + 24);
  writeFileSync(configFile, [
    '# written by bench/stream-ttft.ts',
    'server: { host: 127.0.0.1, shutdown_grace_ms: 500 }',
    `storage: { database: "sqlite:${path.join(tmp, 'sluice.db')}" }`,
    'logging: { level: warn }',
    'providers:',
    `  oa: { type: openai, base_url: "${mockOrigin}/v1", api_key: sk-bench, connections: ${conns} }`,
    `  an: { type: anthropic, base_url: "${mockOrigin}", api_key: sk-bench, connections: ${conns} }`,
    'chain:',
    '  - use: router',
    '    with:',
    '      default: oa',
    '      routes:',
    '        - { match: "oa-*", provider: oa }',
    '        - { match: "an-*", provider: an }',
    '  - use: translator',
    '',
  ].join('\n'));
  const sluice = await start('sluice', ['--config', configFile], ['--expose-gc', ...args['sluice-node-args'].split(' ').filter(Boolean)]);
  const sluiceOrigin = `http://127.0.0.1:${sluice.port}`;
  const origins = { mock: mockOrigin, sluice: sluiceOrigin };
  const agent = new Agent({ keepAliveTimeout: 60_000, keepAliveMaxTimeout: 60_000, connections: N + 100, headersTimeout: 60_000, bodyTimeout: 60_000 });

  const m = (p: string, t: number, i: number) => `${p}-t${t}-i${i}`;
  const TARGETS: Target[] = [
    { name: 'direct-chat', origin: 'mock', client: 'chat', model: m('oa-ttft', TOK, IVL), upstream: 'chat', kind: 'direct' },
    { name: 'direct-anthropic', origin: 'mock', client: 'anthropic', model: m('an-ttft', TOK, IVL), upstream: 'anthropic', kind: 'direct' },
    { name: 'pass chat→chat', origin: 'sluice', client: 'chat', model: m('oa-ttft', TOK, IVL), upstream: 'chat', kind: 'passthrough' },
    { name: 'xlate anth→chat', origin: 'sluice', client: 'anthropic', model: m('oa-ttft', TOK, IVL), upstream: 'chat', kind: 'translated' },
    { name: 'xlate resp→anth', origin: 'sluice', client: 'responses', model: m('an-ttft', TOK, IVL), upstream: 'anthropic', kind: 'translated' },
    { name: 'xlate chat→anth', origin: 'sluice', client: 'chat', model: m('an-ttft', TOK, IVL), upstream: 'anthropic', kind: 'translated' },
  ];

  const lines: string[] = [];
  const say = (s = '') => { console.log(s); lines.push(s); };
  const samples = new Map<string, number[]>(TARGETS.map((t) => [t.name, []]));
  let ttftSection: string[] = [];

  try {
    // Every target must answer the whole text in its client's protocol before anything is timed.
    for (const t of TARGETS) {
      const r = await stream(agent, origins[t.origin], t.client, t.model);
      if (r.text !== expectedText(TOK)) throw new Error(`${t.name}: unexpected text ${JSON.stringify(r.text)}`);
    }
    const before = (await ask<{ counts: Record<string, number> }>(mock.child, { cmd: 'counts' })).counts;

    if (!args['no-ttft']) {
      console.log(`warm-up: ${WARM} streams per target`);
      for (const t of TARGETS) for (let i = 0; i < WARM; i++) await stream(agent, origins[t.origin], t.client, t.model);
      for (let round = 1; round <= ROUNDS; round++) {
        const line: string[] = [];
        for (const t of TARGETS) {
          const xs = samples.get(t.name)!;
          const mine: number[] = [];
          for (let i = 0; i < PER; i++) {
            const r = await stream(agent, origins[t.origin], t.client, t.model);
            if (r.text !== expectedText(TOK)) throw new Error(`${t.name}: unexpected text`);
            mine.push(r.ttft);
          }
          xs.push(...mine);
          line.push(`${t.name} ${fmt(pct(sorted(mine), 50))}`);
        }
        console.log(`round ${round}/${ROUNDS} p50 ms: ${line.join(' | ')}`);
      }
      const after = (await ask<{ counts: Record<string, number> }>(mock.child, { cmd: 'counts' })).counts;
      const per = WARM + ROUNDS * PER;
      const upstreamCalls = (p: string) => (after[p] ?? 0) - (before[p] ?? 0);
      // chat upstream: direct-chat, passthrough, anth→chat; anthropic upstream: direct-anthropic, resp→anth, chat→anth.
      if (upstreamCalls('/v1/chat/completions') !== 3 * per || upstreamCalls('/v1/messages') !== 3 * per) {
        throw new Error(`upstream saw ${JSON.stringify(after)}; expected ${3 * per} on each path`);
      }

      const directOf = (u: Target['upstream']) => sorted(samples.get(u === 'chat' ? 'direct-chat' : 'direct-anthropic')!);
      const rows = TARGETS.map((t) => {
        const s = sorted(samples.get(t.name)!);
        const d = directOf(t.upstream);
        const upstreamName = t.upstream === 'chat' ? 'OpenAI Chat' : 'Anthropic Messages';
        const added50 = pct(s, 50) - pct(d, 50), added90 = pct(s, 90) - pct(d, 90);
        return { t, s, row: [t.name, t.kind, t.client === 'chat' ? 'OpenAI Chat' : t.client === 'anthropic' ? 'Anthropic Messages' : 'OpenAI Responses', upstreamName,
          String(s.length), fmt(pct(s, 50)), fmt(pct(s, 90)), fmt(pct(s, 99)), t.kind === 'direct' ? '' : fmt(added50), t.kind === 'direct' ? '' : fmt(added90)], added50 };
      });
      const head = ['target', 'path', 'client protocol', 'upstream protocol', 'n', 'p50 TTFT ms', 'p90 TTFT ms', 'p99 TTFT ms', 'p50 added ms', 'p90 added ms'];
      const worst = rows.filter((r) => r.t.kind === 'translated').reduce((a, r) => Math.max(a, r.added50), -Infinity);
      ttftSection = [
        '## Time to first token (c=1)',
        '',
        `- ${ROUNDS} rounds × ${PER} sequential streams per target, interleaved (every round runs every target in turn), after ${WARM} warm-up streams per target; every stream is read to its end before the next starts, and its text checked.`,
        `- Mock upstream: head + first content token in one write, then ${TOK} more tokens ${IVL} ms apart. Client: undici Agent (keep-alive), raw SSE parsing, the same reader for every target.`,
        '- TTFT = request start → arrival of the first SSE event with content text. "added" = this target minus the direct target of the same upstream protocol (direct-chat or direct-anthropic), per percentile.',
        '',
        `| ${head.join(' | ')} |`,
        `| --- | --- | --- | --- | ${head.slice(4).map(() => '---:').join(' | ')} |`,
        ...rows.map((r) => `| ${r.row.join(' | ')} |`),
        '',
        `Target (SPEC §8): TTFT through a translating chain within 1 ms of the upstream's — worst translated p50 added: ${fmt(worst)} ms → ${worst < 1 ? 'met' : 'MISSED'}.`,
        '',
      ];
      console.log('\n' + ttftSection.join('\n'));
    }

    // ------------------------------------------------------------------ memory
    let memSection: string[] = [];
    if (!args['no-memory']) {
      type Mem = { mem: NodeJS.MemoryUsage; handles: number };
      const mem = (gc: boolean) => ask<Mem>(sluice.child, { cmd: 'mem', gc });
      const model = m('oa-mem', STOK, SIVL);
      const expected = expectedText(STOK);
      let open = 0, done = 0, failed = 0, wrong = 0;
      const ttfts: number[] = [];
      const errors: string[] = [];
      const peak = { rss: 0, heap: 0 };
      const poll = setInterval(() => {
        void mem(false).then((r) => { peak.rss = Math.max(peak.rss, r.mem.rss); peak.heap = Math.max(peak.heap, r.mem.heapUsed); });
      }, 250);
      const rowsMem: { label: string; open: number; raw: Mem; gcd: Mem; t: number }[] = [];
      const t0 = performance.now();
      const sample = async (label: string) => {
        const raw = await mem(false);
        const gcd = await mem(true);
        rowsMem.push({ label, open, raw, gcd, t: (performance.now() - t0) / 1000 });
        console.log(`  ${label.padEnd(22)} open ${String(open).padStart(4)}  rss ${mb(raw.mem.rss)} MB  heapUsed ${mb(raw.mem.heapUsed)} MB (after GC ${mb(gcd.mem.heapUsed)} MB)  handles ${gcd.handles}`);
      };
      // A few streams first so the memory-phase code paths are warm, then settle and take the baseline.
      // Its own client agent (undici's default 4 s keep-alive), closed once the streams are done, so the
      // last sample compares with the baseline without 1,000 idle client connections still open.
      const memAgent = new Agent({ connections: N + 100, headersTimeout: 60_000, bodyTimeout: 60_000 });
      await Promise.all(Array.from({ length: 20 }, () => stream(memAgent, sluiceOrigin, 'anthropic', m('oa-mem', 5, 20))));
      await new Promise((r) => setTimeout(r, 500));
      console.log(`\nmemory: ${N} concurrent Anthropic-client streams → openai upstream, ${STOK + 1} tokens ${SIVL} ms apart (~${((STOK * SIVL) / 1000).toFixed(0)} s each)`);
      await sample('baseline');
      const all: Promise<void>[] = [];
      const openBatch = async (n: number) => {
        const firsts: Promise<void>[] = [];
        for (let i = 0; i < n; i++) {
          let first!: () => void;
          firsts.push(new Promise<void>((r) => { first = r; }));
          const begun = performance.now();
          let counted = false;
          all.push(stream(memAgent, sluiceOrigin, 'anthropic', model, () => { counted = true; open++; ttfts.push(performance.now() - begun); first(); }).then(
            (r) => { open--; done++; if (r.text !== expected) wrong++; },
            (err: Error) => { if (counted) open--; failed++; if (errors.length < 3) errors.push(err.message); first(); },
          ));
        }
        await Promise.all(firsts);
      };
      const stages = [Math.round(N / 4), Math.round(N / 2), N];
      let opened = 0;
      for (const target of stages) {
        await openBatch(target - opened);
        opened = target;
        await sample(`${target} opened`);
      }
      const openedAt = (performance.now() - t0) / 1000;
      await Promise.all(all);
      clearInterval(poll);
      await sample('all finished');
      await memAgent.close();
      await new Promise((r) => setTimeout(r, 5000));
      await sample('idle: client conns closed + 5 s');
      // A second wave of the same streams, all at once: if the idle heap after it is no higher than
      // after the first, what the first left behind is one-time growth (pools, maps), not a per-stream leak.
      const wave2Agent = new Agent({ connections: N + 100, headersTimeout: 60_000, bodyTimeout: 60_000 });
      let wave2Failed = 0;
      await Promise.all(Array.from({ length: N }, () => stream(wave2Agent, sluiceOrigin, 'anthropic', model).then((r) => { if (r.text !== expected) wave2Failed++; }, () => { wave2Failed++; })));
      await wave2Agent.close();
      await new Promise((r) => setTimeout(r, 5000));
      await sample('idle after a 2nd wave of ' + N);

      const base = rowsMem[0]!;
      const full = rowsMem.find((r) => r.label === `${N} opened`)!;
      const end = rowsMem[rowsMem.length - 2]!;
      const end2 = rowsMem[rowsMem.length - 1]!;
      const waveGrowth = end2.gcd.mem.heapUsed - end.gcd.mem.heapUsed;
      const perStreamHeap = (full.gcd.mem.heapUsed - base.gcd.mem.heapUsed) / Math.max(1, full.open);
      const perStreamRss = (full.raw.mem.rss - base.raw.mem.rss) / Math.max(1, full.open);
      const heapBack = end.gcd.mem.heapUsed - base.gcd.mem.heapUsed;
      const perStreamAfter = heapBack / N;
      const rssBack = end.raw.mem.rss - base.raw.mem.rss;
      const st = sorted(ttfts);
      const kb = (b: number) => (b / 1024).toFixed(1);
      memSection = [
        '## Memory under concurrent streams',
        '',
        `- ${N} concurrent translated streams (Anthropic client /v1/messages → Sluice → openai provider, Chat SSE upstream), each ${STOK + 1} tokens ${SIVL} ms apart (~${((STOK * SIVL) / 1000).toFixed(0)} s). Opened in batches of ${stages.map((s, i) => s - (stages[i - 1] ?? 0)).join(', ')} (each batch fired at once; a batch counts as open when each of its streams has delivered its first token); all ${N} were open ${openedAt.toFixed(1)} s after the baseline.`,
        `- Sluice runs in its own process (\`--expose-gc\`, NODE_ENV=production, logging warn, provider pool \`connections: ${conns}\`) and reports process.memoryUsage() over IPC. "raw" is as found; "after GC" follows two forced full GCs, so it is live heap. Peak while polling every 250 ms (raw): RSS ${mb(peak.rss)} MB, heapUsed ${mb(peak.heap)} MB.`,
        `- Client: one undici Agent, one keep-alive connection per stream. Streams completed ${done}/${N}, text wrong ${wrong}, failed ${failed}${errors.length ? ` (${errors.join('; ')})` : ''}. TTFT while opening: p50 ${fmt(pct(st, 50), 1)} ms, p90 ${fmt(pct(st, 90), 1)} ms, max ${fmt(st[st.length - 1]!, 1)} ms.`,
        '',
        '| point | s since baseline | open streams | RSS MB | heapUsed MB (raw) | heapUsed MB (after GC) | external MB | active handles |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        ...rowsMem.map((r) => `| ${r.label} | ${r.t.toFixed(1)} | ${r.open} | ${mb(r.raw.mem.rss)} | ${mb(r.raw.mem.heapUsed)} | ${mb(r.gcd.mem.heapUsed)} | ${mb(r.gcd.mem.external + r.gcd.mem.arrayBuffers)} | ${r.gcd.handles} |`),
        '',
        `Per open stream at ${full.open}: ${kb(perStreamHeap)} KB live heap, ${kb(perStreamRss)} KB RSS (differences from the baseline ÷ open streams). ` +
          `Idle after all finished (client connections closed): live heap ${heapBack >= 0 ? '+' : ''}${mb(heapBack)} MB vs baseline (${kb(perStreamAfter)} KB per stream served), RSS ${rssBack >= 0 ? '+' : ''}${mb(rssBack)} MB (V8 and malloc keep freed pages mapped, so RSS falls slowly; the heap figure is the leak check). ` +
          `After a second wave of ${N} identical streams (${wave2Failed} failed): live heap ${waveGrowth >= 0 ? '+' : ''}${mb(waveGrowth)} MB vs after the first — ${Math.abs(waveGrowth) < 0.25 * Math.max(heapBack, 1048576) || waveGrowth < 1048576 ? 'no further growth: what stays after the first wave is one-time (pool and map capacity, compiled code), not a per-stream leak' : 'it grew again: a per-stream leak'}.`,
        '',
      ];
      console.log('\n' + memSection.join('\n'));
    }

    const md = [
      '# Streaming: time to first token and memory',
      '',
      'Produced by `npm run bench:streams` (`bench/stream-ttft.ts`); rewritten on every run.',
      '',
      `- Date: ${new Date().toISOString()}`,
      `- Node: ${process.version}; machine: ${os.availableParallelism()} CPUs, ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${os.platform()} ${os.release()}; load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
      '- Processes: the client (this script), the mock upstream and Sluice, each its own Node process on loopback, unpinned. Sluice = loadConfigFile → createGateway → listen (as `sluice start`), chain `router` (routes `oa-*` → openai provider, `an-*` → anthropic provider, both at the mock) → `translator`.',
      '',
      ...ttftSection,
      ...memSection,
    ].join('\n');
    mkdirSync(path.dirname(args.out), { recursive: true });
    writeFileSync(args.out, md);
    console.log(`results written to ${path.relative(process.cwd(), args.out) || args.out}`);
  } finally {
    await agent.close().catch(() => undefined);
    stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

function stop(): void {
  for (const c of children) { if (c.connected) c.disconnect(); setTimeout(() => c.kill('SIGKILL'), 2000).unref(); }
}

if (args.role === 'mock') await runMock();
else if (args.role === 'sluice') await runSluice();
else {
  process.once('SIGINT', () => { stop(); process.exit(130); });
  main().catch((err) => { console.error(err); stop(); process.exit(1); });
}
