// A tiny OpenAI-compatible upstream for benchmarks (and tests): POST /v1/chat/completions answers
// a fixed, realistic chat.completion with usage, or the same completion as SSE chunks when the
// request says `stream: true`. Responses are pre-serialised so the mock costs as little as
// possible and every target in a benchmark is measured against the same upstream work.
//
// With `varyAnswers`, each answer is one of 1,024 (the fixed text and its number, in turn), so a
// ledger's independent count meets a new text every request, as with real traffic, rather than one
// it has just counted.
//
// Run standalone: `node dist/bench/mock-openai-upstream.js [port] [--vary-answers]` prints `{"url": …}` on stdout.
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CREATED = 1_732_000_000;
const MODEL = 'gpt-4o-mini-2024-07-18';
const CONTENT = 'Load balancing spreads incoming requests across several servers so that no single machine becomes a bottleneck.';

/** OpenAI's usage object for the fixed prompt (27 tokens) and an answer of `completionTokens`. */
const usageOf = (completionTokens: number) => ({
  prompt_tokens: 27,
  completion_tokens: completionTokens,
  total_tokens: 27 + completionTokens,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
});

/** The answers, pre-serialised: JSON, SSE, and SSE with a usage chunk. */
interface Answer { json: Buffer; sse: Buffer; sseWithUsage: Buffer }
const answerFor = (content: string, completionTokens: number): Answer => ({
  json: completion(content, completionTokens), sse: sseBody(content, completionTokens, false), sseWithUsage: sseBody(content, completionTokens, true),
});

const completion = (content: string, completionTokens: number) => Buffer.from(JSON.stringify({
  id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
  object: 'chat.completion',
  created: CREATED,
  model: MODEL,
  choices: [{
    index: 0,
    message: { role: 'assistant', content, refusal: null, annotations: [] },
    logprobs: null,
    finish_reason: 'stop',
  }],
  usage: usageOf(completionTokens),
  service_tier: 'default',
  system_fingerprint: 'fp_0ba0d124f1',
}));

/** The same answer as OpenAI streams it: role chunk, content chunks, finish chunk, usage chunk, [DONE]. */
function sseBody(content: string, completionTokens: number, includeUsage: boolean): Buffer {
  const base = { id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT', object: 'chat.completion.chunk', created: CREATED, model: MODEL, service_tier: 'default', system_fingerprint: 'fp_0ba0d124f1' };
  const chunk = (delta: object, finish: string | null) => ({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(includeUsage ? { usage: null } : {}) });
  const events: object[] = [chunk({ role: 'assistant', content: '', refusal: null }, null)];
  for (const word of content.split(/(?= )/)) events.push(chunk({ content: word }, null));
  events.push(chunk({}, 'stop'));
  if (includeUsage) {
    events.push({ ...base, choices: [], usage: usageOf(completionTokens) });
  }
  return Buffer.from(events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n');
}
const FIXED: Answer = answerFor(CONTENT, 21);
let varied: Answer[] | undefined;
/** 1,024 answers, built on first use: the fixed text and ` (answer N)`, 5 tokens more in o200k_base (6 for the last), billed as many more. */
const variedAnswers = () => (varied ??= Array.from({ length: 1024 }, (_, i) => answerFor(`${CONTENT} (answer ${i})`, 26)));

const NOT_FOUND = Buffer.from(JSON.stringify({ error: { message: 'Unknown request URL', type: 'invalid_request_error', param: null, code: 'unknown_url' } }));
const BAD_JSON = Buffer.from(JSON.stringify({ error: { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', param: null, code: null } }));

function send(res: http.ServerResponse, status: number, type: string, body: Buffer): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': body.length,
    'x-request-id': 'req_mock',
    'openai-processing-ms': '1',
  });
  res.end(body);
}

const handler = (varyAnswers: boolean) => {
  let n = 0;
  return (req: http.IncomingMessage, res: http.ServerResponse) => handle(req, res, varyAnswers ? variedAnswers()[n++ % 1024]! : FIXED);
};

function handle(req: http.IncomingMessage, res: http.ServerResponse, answer: Answer): void {
  if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
    req.resume();
    send(res, 404, 'application/json', NOT_FOUND);
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let body: { stream?: unknown; stream_options?: { include_usage?: unknown } };
    try {
      body = JSON.parse(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    } catch {
      send(res, 400, 'application/json', BAD_JSON);
      return;
    }
    if (body.stream === true) {
      send(res, 200, 'text/event-stream; charset=utf-8', body.stream_options?.include_usage === true ? answer.sseWithUsage : answer.sse);
      return;
    }
    send(res, 200, 'application/json', answer.json);
  });
}

export interface MockUpstream {
  /** Base URL to configure as a provider's base_url, e.g. http://127.0.0.1:PORT/v1 */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startMockUpstream(port = 0, opts: { varyAnswers?: boolean } = {}): Promise<MockUpstream> {
  const server = http.createServer(handler(opts.varyAnswers === true));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/v1`,
    port: bound,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

/**
 * The mock in a process of its own (this file, standalone): its work then shares no event loop with
 * the load generator's, so a latency the bench measures is the gateway's and not the queue of a
 * bench process that both answers as the upstream and sends the load.
 */
export async function startMockUpstreamProcess(opts: { varyAnswers?: boolean } = {}): Promise<MockUpstream> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '0', ...(opts.varyAnswers ? ['--vary-answers'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const end = buf.indexOf('\n');
      if (end >= 0) resolve(buf.slice(0, end));
    });
    child.once('exit', (code) => reject(new Error(`the mock upstream exited (code ${code}) before listening`)));
  });
  const { url, port } = JSON.parse(line) as { url: string; port: number };
  return {
    url, port,
    close: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) { resolve(); return; }
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

// Standalone (as a child process of the benchmark): print where it listens, stop on SIGTERM.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const mock = await startMockUpstream(Number(process.argv[2] ?? 0), { varyAnswers: process.argv.includes('--vary-answers') });
  process.stdout.write(JSON.stringify({ url: mock.url, port: mock.port }) + '\n');
  process.once('SIGTERM', () => { void mock.close().then(() => process.exit(0)); });
}
