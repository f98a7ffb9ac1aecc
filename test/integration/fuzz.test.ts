// Bounded fuzz (issue 8): two thousand seeded mutations of small, valid requests over every
// endpoint — truncations, type swaps, huge numbers, deep nesting, odd unicode and bytes, bad content
// types and encodings, bad paths and %-escapes, odd methods, malformed HTTP — against the real
// gateway in its own process (the loopback provider behind it). Every answer must be below 500
// (loopback has no genuine upstream failures), carry a safe x-request-id, be in the caller's
// envelope when it is an error, and be one request log line and one count in the metrics; /health
// must answer within 100 ms throughout. The seed is fixed: a failure replays exactly.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { familyFromPath, familyOfUnmatched, fixedRoutes, GEMINI_METHODS, matchEndpoint } from '../../core/http/endpoints.js';
import type { ApiFamily } from '../../core/protocols/types.js';
import { tempDir } from '../helpers/gateway.js';
import { prng, type Prng } from '../helpers/prng.js';
import { rawRequest } from '../helpers/raw-http.js';

// Fixed for `npm test`; SLUICE_FUZZ_SEED / SLUICE_FUZZ_CASES explore further (a failure prints its case).
const SEED = Number(process.env['SLUICE_FUZZ_SEED'] ?? 0x5eed_0008);
// 2000 cases reach 514 of the 527 endpoint-seed × mutation-kind pairs 3000 do (and every kind), in two thirds of the time.
const CASES = Number(process.env['SLUICE_FUZZ_CASES'] ?? 2000);
const CONCURRENCY = 4;
const HEALTH_BUDGET_MS = 100;
/** Loopback's generation bounds are another piece of work; stay well inside reasonable sizes. */
const MAX_BODY_BYTES = 8 * 1024;
const MAX_DEPTH = 128;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

// ---- seeds: one small, valid request per endpoint, in each protocol's own shape ----------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
interface Seed { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: Json }

const weatherSchema: Json = { type: 'object', properties: { city: { type: 'string', description: 'City name' } }, required: ['city'] };
const chat = (stream: boolean): Json => ({
  model: 'loopback', stream, max_tokens: 64, temperature: 0.2, ...(stream ? { stream_options: { include_usage: true } } : {}),
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: 'sunny, 21C' },
  ],
  tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather by city', parameters: weatherSchema } }],
  response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object', properties: { text: { type: 'string' } } } } },
});
const responses = (stream: boolean): Json => ({
  model: 'loopback', stream, instructions: 'Be brief.', max_output_tokens: 64, reasoning: { effort: 'low' },
  input: [
    { role: 'user', content: [{ type: 'input_text', text: 'Weather in Paris?' }] },
    { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
    { type: 'function_call_output', call_id: 'call_1', output: 'sunny' },
  ],
  tools: [{ type: 'function', name: 'get_weather', parameters: weatherSchema, strict: false }],
});
const messages = (stream: boolean): Json => ({
  model: 'loopback', max_tokens: 64, stream, system: [{ type: 'text', text: 'Be brief.' }],
  messages: [
    { role: 'user', content: 'Weather in Paris?' },
    { role: 'assistant', content: [{ type: 'thinking', thinking: 'Use the tool.', signature: 'c2ln' }, { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' }] },
  ],
  tools: [{ name: 'get_weather', description: 'Weather by city', input_schema: weatherSchema }],
});
const contents: Json = [
  { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
  { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'c2ln' }] },
  { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { result: 'sunny' } } }] },
];
const generate: Json = {
  contents, systemInstruction: { parts: [{ text: 'Be brief.' }] },
  tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'Weather by city', parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } } } }] }],
  generationConfig: { maxOutputTokens: 64, temperature: 0.2, thinkingConfig: { thinkingBudget: 128 } },
};
const JSON_HEADERS = { 'content-type': 'application/json' };
const ANTHROPIC = { ...JSON_HEADERS, 'anthropic-version': '2023-06-01', 'x-api-key': 'k' };
const GEMINI = { ...JSON_HEADERS, 'x-goog-api-key': 'k' };

/** Seeds for the fixed paths, by endpoint id. */
function fixedSeed(id: string, method: 'GET' | 'POST', p: string): Seed[] {
  switch (id) {
    case 'openai.chat': return [{ method, path: p, headers: JSON_HEADERS, body: chat(false) }, { method, path: p, headers: JSON_HEADERS, body: chat(true) }];
    case 'openai.responses': return [{ method, path: p, headers: JSON_HEADERS, body: responses(false) }, { method, path: p, headers: JSON_HEADERS, body: responses(true) }];
    case 'openai.embeddings': return [{ method, path: p, headers: JSON_HEADERS, body: { model: 'loopback-embed', input: ['alpha', 'beta'], dimensions: 8, encoding_format: 'float' } }];
    case 'anthropic.messages': return [{ method, path: p, headers: ANTHROPIC, body: messages(false) }, { method, path: p, headers: ANTHROPIC, body: messages(true) }];
    case 'anthropic.count_tokens': return [{ method, path: p, headers: ANTHROPIC, body: { model: 'loopback', messages: [{ role: 'user', content: 'hello' }], system: 'Be brief.' } }];
    case 'openai.models': return [{ method, path: p, headers: {} }, { method, path: p, headers: { 'anthropic-version': '2023-06-01' } }, { method, path: p, headers: { 'x-goog-api-key': 'k' } }];
    case 'anthropic.models': return [{ method, path: p, headers: { 'anthropic-version': '2023-06-01' } }];
    case 'gemini.models': return [{ method, path: p, headers: { 'x-goog-api-key': 'k' } }];
    default: throw new Error(`no fuzz seed for endpoint ${id}: add one`);
  }
}

function allSeeds(): Seed[] {
  const seeds = fixedRoutes().flatMap((r) => fixedSeed(r.endpoint.id, r.method, r.path));
  for (const method of Object.keys(GEMINI_METHODS)) {
    const body: Json = method === 'embedContent' ? { content: { parts: [{ text: 'alpha' }] }, outputDimensionality: 8 }
      : method === 'batchEmbedContents' ? { requests: [{ model: 'models/loopback-embed', content: { parts: [{ text: 'a' }] } }, { model: 'models/loopback-embed', content: { parts: [{ text: 'b' }] } }] }
      : method === 'countTokens' ? { contents }
      : generate;
    const model = method.includes('mbed') ? 'loopback-embed' : 'loopback';
    for (const version of ['v1beta', 'v1']) {
      seeds.push({ method: 'POST', path: `/${version}/models/${model}:${method}${method === 'streamGenerateContent' ? '?alt=sse' : ''}`, headers: GEMINI, body });
    }
  }
  for (const [p, headers] of [['/v1/models/loopback', {}], ['/v1beta/models/loopback', { 'x-goog-api-key': 'k' }], ['/anthropic/v1/models/loopback', { 'anthropic-version': '2023-06-01' }], ['/v1beta/openai/models/loopback', {}]] as const) {
    seeds.push({ method: 'GET', path: p, headers });
  }
  return seeds;
}

// ---- mutations -------------------------------------------------------------------------------

interface Case {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  kinds: string[];
  /** Set when the only change is nesting deeper than the limit: the answer must be that 400. */
  tooDeep?: boolean;
}

const PLACEHOLDER = '\u0001raw\u0001';
const HUGE = ['1e308', '-1e308', '1e400', '-1e400', '9007199254740993', '123456789012345678901234567890', '-0', '0.1e-400', '4294967296', '-2147483649', '1.7976931348623157e309'];
const ODD_STRINGS = [
  '\\ud800', '\\udfff\\ud800', '\\u0000', '\\u202e\\u0627\\u0644', '\\u200b\\u200d', '\\ufeff', '\\uffff', '😀🏳️‍🌈', 'e\\u0301\\u0301\\u0301', '\\u2028\\u2029',
  '[[tool', '"]}', '\\\\', 'A'.repeat(600), '𝕳𝖊𝖑𝖑𝖔', '\\r\\n\\r\\ndata: [DONE]\\n\\n',
];
const SWAPS: Json[] = [null, 0, -1, 1.5, '', 'x', true, false, [], {}, [null], { '': null }, [[]], 'loopback'];
const CONTENT_TYPES = ['', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'APPLICATION/JSON', 'application/jsonx', 'application/vnd.api+json', 'application/json;;;', '*/*', 'application/json\t', 'text/event-stream'];
const ENCODINGS = ['gzip', 'deflate', 'br', 'identity', 'gzip, identity', 'x-unknown', 'IDENTITY'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND', 'FOO'];
const REQUEST_IDS = ['', 'a b', 'ÿÿ', 'x'.repeat(500), '../../etc/passwd', '<script>', 'a/b+c=', '\t'];

interface Node { parent: Json[] | { [k: string]: Json } | undefined; key: string | number | undefined; depth: number }

/** Every position in the tree (with how deep it sits), for picking a mutation point. */
function positions(root: Json): Node[] {
  const out: Node[] = [{ parent: undefined, key: undefined, depth: 0 }];
  const walk = (v: Json, depth: number) => {
    if (Array.isArray(v)) v.forEach((c, i) => { out.push({ parent: v, key: i, depth: depth + 1 }); walk(c, depth + 1); });
    else if (v && typeof v === 'object') for (const k of Object.keys(v)) { out.push({ parent: v, key: k, depth: depth + 1 }); walk(v[k]!, depth + 1); }
  };
  walk(root, 0);
  return out;
}

function setAt(root: Json, node: Node, value: Json): Json {
  if (!node.parent) return value;
  (node.parent as Record<string | number, Json>)[node.key!] = value;
  return root;
}

function deleteAt(node: Node): void {
  if (!node.parent) return;
  if (Array.isArray(node.parent)) node.parent.splice(node.key as number, 1);
  else delete node.parent[node.key as string];
}

/** Nesting depth of a container at `node`'s position: the depth of its parent chain plus one. */
function containerDepthAt(node: Node): number {
  return node.depth + 1;
}

function mutateBody(r: Prng, seed: Json, c: Case): string {
  let root = structuredClone(seed);
  let raw: string | undefined; // text substituted for the placeholder after serialisation
  const kind = r.pick(['typeSwap', 'typeSwap', 'hugeNumber', 'deepNest', 'unicode', 'unicode', 'dropField', 'truncate', 'garbage', 'topLevel', 'dupKey']);
  c.kinds.push(kind);
  const nodes = positions(root);
  const at = r.pick(nodes);
  switch (kind) {
    case 'typeSwap': root = setAt(root, at, structuredClone(r.pick(SWAPS))); break;
    case 'dropField': if (at.parent) deleteAt(at); break;
    case 'hugeNumber': raw = r.pick(HUGE); root = setAt(root, at, PLACEHOLDER); break;
    case 'unicode': raw = `"${r.pick(ODD_STRINGS)}"`; root = setAt(root, at, PLACEHOLDER); break;
    case 'deepNest': {
      const depth = r.pick([8, 60, 126, 127, 128, 129, 130, 300, 1000, 3000]);
      const array = r.chance(0.5);
      raw = array ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);
      root = setAt(root, at, PLACEHOLDER);
      const total = containerDepthAt(at) + depth - 1;
      if (total > MAX_DEPTH) c.tooDeep = true;
      break;
    }
    default: break;
  }
  let text = JSON.stringify(root);
  if (raw !== undefined) text = text.replace(JSON.stringify(PLACEHOLDER), raw);
  switch (kind) {
    case 'truncate': text = text.slice(0, r.int(text.length)); break;
    case 'garbage': text = r.pick(['\ufeff' + text, text + r.pick(['x', '}', ']]', '\u0000', ' {"a":1}', ',']), ' \n\t' + text + '\n', text.replace(/:/, '::')]); break;
    case 'topLevel': text = r.pick(['', 'null', '[]', '"str"', '42', '[{}]', 'true', '{', '}', ' ']); break;
    case 'dupKey': text = text.replace(/^\{/, r.pick(['{"model":1,', '{"stream":"yes",', '{"messages":null,', '{"contents":{},', '{"__proto__":{"x":1},', '{"constructor":{"prototype":{}},']));
      break;
    default: break;
  }
  return text;
}

function mutatePath(r: Prng, p: string, c: Case): string {
  const kind = r.pick(['trailingSlash', 'doubleSlash', 'percent', 'percent', 'case', 'unknownMethod', 'longModel', 'query', 'nul', 'unicode', 'emptyModel', 'prefix']);
  c.kinds.push(`path:${kind}`);
  const [pathname, query] = p.split('?') as [string, string | undefined];
  const q = query ? `?${query}` : '';
  switch (kind) {
    case 'trailingSlash': return `${pathname}/${q}`;
    case 'doubleSlash': return pathname.replace(/\//g, '//') + q;
    case 'percent': {
      const bad = r.pick(['%', '%zz', '%E0%A4%A', '%ff', '%C0%80', '%00', '%2F', '%3A', '%u0041', '%%']);
      const cut = 1 + r.int(pathname.length - 1);
      return pathname.slice(0, cut) + bad + pathname.slice(cut) + q;
    }
    case 'case': return pathname.toUpperCase() + q;
    case 'unknownMethod': return pathname.replace(/:[A-Za-z]+$/, ':fooBar').replace(/\/[a-z_]+$/, '/unknown') + q;
    case 'longModel': return pathname.replace(/loopback(-embed)?/, 'm'.repeat(3000)) + q;
    case 'query': return `${pathname}?${r.pick(['key=%zz', 'alt=sse&alt=json', '&'.repeat(300), 'a=%', 'key=', 'alt=' + 'x'.repeat(2000)])}`;
    case 'nul': return `${pathname}%00${q}`;
    case 'unicode': return pathname.replace(/loopback(-embed)?/, r.pick(['lööp', '😀', 'ｌｏｏｐ', '..', '.', 'a:b:c'])) + q;
    case 'emptyModel': return pathname.replace(/loopback(-embed)?/, '') + q;
    default: return r.pick(['/v2', '/anthropic', '/v1beta/openai', '/v1/v1', '/admin/..']) + pathname + q;
  }
}

function buildCase(r: Prng, seeds: Seed[], index: number): Case {
  const seed = r.pick(seeds);
  const c: Case = { method: seed.method, path: seed.path, headers: { ...seed.headers }, body: undefined, kinds: [] };
  let text: string | Buffer | undefined = seed.body === undefined ? undefined : JSON.stringify(seed.body);
  const mutations = 1 + r.int(2);
  for (let m = 0; m < mutations; m++) {
    const what = r.next();
    if (what < 0.55 && seed.body !== undefined) text = mutateBody(r, (c.kinds.includes('deepNest') ? undefined : stillJson(text)) ?? seed.body, c);
    else if (what < 0.63) { c.kinds.push('contentType'); const t = r.pick(CONTENT_TYPES); if (t) c.headers['content-type'] = t; else delete c.headers['content-type']; }
    else if (what < 0.68) { c.kinds.push('encoding'); c.headers['content-encoding'] = r.pick(ENCODINGS); }
    else if (what < 0.83) c.path = mutatePath(r, c.path, c);
    else if (what < 0.92) { c.kinds.push('method'); c.method = r.pick(METHODS); }
    else if (what < 0.96) { c.kinds.push('bytes'); text = oddBytes(r, text ?? '{}'); }
    else { c.kinds.push('requestId'); c.headers['x-request-id'] = r.pick(REQUEST_IDS); }
  }
  // Only a body whose sole change is nesting past the limit has a known answer.
  if (c.kinds.length !== 1 || c.kinds[0] !== 'deepNest') delete c.tooDeep;
  c.headers['x-request-id'] ??= `fuzz-${index}`;
  if (text !== undefined && c.method !== 'GET' && c.method !== 'HEAD') {
    const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    c.body = bytes.subarray(0, MAX_BODY_BYTES);
    if (bytes.length > MAX_BODY_BYTES) c.kinds.push('capped');
  }
  return c;
}

/** The body parsed again when an earlier mutation left it JSON, so mutations compound (not onto deep nesting: the tree helpers here recurse). */
function stillJson(text: string | Buffer | undefined): Json | undefined {
  if (typeof text !== 'string') return undefined;
  try { return JSON.parse(text) as Json; } catch { return undefined; }
}

/** Invalid UTF-8 spliced into the body as raw bytes: lone continuations, overlong forms, surrogates, cut sequences. */
function oddBytes(r: Prng, text: string | Buffer): Buffer {
  const body = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const at = r.int(body.length + 1);
  const bytes = Buffer.from(r.pick([[0xff, 0xfe], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]]));
  return Buffer.concat([body.subarray(0, at), bytes, body.subarray(at)]);
}

/** Raw HTTP that fetch cannot send. Each answer is checked like the others. */
const RAW_CASES: string[] = [
  'BAD METHOD / HTTP/1.1\r\nhost: localhost\r\n\r\n',
  'POST /v1/messages HTTP/1.1\r\nhost: localhost\r\ncontent-length: nope\r\n\r\n',
  'POST /v1/chat/completions HTTP/1.1\r\nhost: localhost\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n',
  'POST /v1beta/models/loopback:generateContent HTTP/1.1\r\nhost: localhost\r\ntransfer-encoding: chunked\r\ncontent-type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
  'GET /v1/models HTTP/1.1\r\nhost: localhost\r\nbad header line\r\n\r\n',
  'GET /v1/mo\u0000dels HTTP/1.1\r\nhost: localhost\r\n\r\n',
  'GET /v1/models HTTP/9.9\r\nhost: localhost\r\n\r\n',
  'POST http://x/v1/chat/completions HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}',
  'GET /v1/models HTTP/1.1\r\nhost: localhost\r\ncontent-length: 3\r\n\r\nabc',
  `GET /v1/models HTTP/1.1\r\nhost: localhost\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`,
  'POST /anthropic/v1/messages HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 4\r\n\r\n{"a"',
  'GET /v1/responses HTTP/1.1\r\nhost: localhost\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n',
  'POST /v1/chat/completions HTTP/1.0\r\ncontent-type: application/json\r\ncontent-length: 20\r\n\r\n{"model":"loopback"}',
];

// ---- checks ----------------------------------------------------------------------------------

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function expectedFamily(c: { method: string; path: string; headers: Record<string, string> }): ApiFamily {
  // Normalised as fetch sends it (dot segments resolved); prefixing the origin keeps `//v1beta…` a path.
  const url = new URL(`http://x${c.path}`);
  const pathname = url.pathname;
  const query = Object.fromEntries(url.searchParams);
  const headers = Object.fromEntries(Object.entries(c.headers).map(([k, v]) => [k.toLowerCase(), v]));
  // A method node's parser does not know is refused before the headers are read: the path's family.
  if (!http.METHODS.includes(c.method)) return familyFromPath(pathname);
  try {
    const match = matchEndpoint({ method: c.method, path: pathname, headers, query });
    if (match && 'endpoint' in match) return match.endpoint.family;
  } catch { /* a malformed %-escape: as for no match */ }
  // No endpoint: the path's family, else the SDK the headers give away (anthropic-version, x-goog-api-key).
  return familyOfUnmatched(pathname, headers);
}

/** A description of what is wrong with an error body in `family`'s envelope, or undefined. */
function envelopeProblem(family: ApiFamily, status: number, text: string): string | undefined {
  let body: unknown;
  try { body = JSON.parse(text); } catch { return `not JSON: ${text.slice(0, 120)}`; }
  const o = body as Record<string, unknown>;
  const e = o['error'] as Record<string, unknown> | undefined;
  if (!e || typeof e !== 'object') return `no error object: ${text.slice(0, 160)}`;
  const isStr = (v: unknown) => typeof v === 'string' && v.length > 0;
  switch (family) {
    case 'openai':
      return isStr(e['message']) && isStr(e['type']) && 'param' in e && 'code' in e ? undefined : `not an OpenAI error: ${text.slice(0, 160)}`;
    case 'anthropic':
      return o['type'] === 'error' && isStr(e['type']) && isStr(e['message']) ? undefined : `not an Anthropic error: ${text.slice(0, 160)}`;
    case 'gemini':
      return e['code'] === status && isStr(e['message']) && isStr(e['status']) ? undefined : `not a Gemini error: ${text.slice(0, 160)}`;
  }
}

// ---- the run ---------------------------------------------------------------------------------

interface Child { url: string; port: number; lines: string[]; process: ChildProcess }

async function startChild(): Promise<Child> {
  const dir = tempDir('sluice-fuzz-');
  const file = path.join(dir, 'sluice.yaml');
  writeFileSync(file, `server:
  shutdown_grace_ms: 200
  headers_timeout_ms: 2000
  body_timeout_ms: 2000
storage:
  database: "sqlite::memory:"
logging: { level: info }
providers:
  local: { type: loopback }
chain:
  - use: router
    with: { default: local }
  - use: translator
`);
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/sluice.js'), 'start', '--config', file, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start: ${stderr}`)), 15_000);
    child.once('exit', (code) => reject(new Error(`gateway exited (${code}): ${stderr}`)));
    // Read promptly and cheaply: the gateway writes its log lines synchronously to this pipe.
    child.stdout!.on('data', (d: Buffer) => {
      const parts = (partial + d.toString()).split('\n');
      partial = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (lines.length === 1 || line.includes('"listening"')) {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'listening' && entry.url) { clearTimeout(timer); resolve({ url: entry.url, port: Number(new URL(entry.url).port), lines, process: child }); }
        }
      }
    });
  });
}

/**
 * Cumulative on-CPU and run-queue-wait time (ms) of a process's main thread — Node's event loop —
 * from /proc/PID/schedstat ("on-CPU ns, run-queue wait ns, slices"). Linux only; elsewhere both
 * stay 0 and the wall-clock budget applies as it is.
 */
function eventLoopThreadClock(pid: number): () => { cpuMs: number; waitMs: number } {
  const file = `/proc/${pid}/schedstat`;
  const read = () => {
    const [cpu, wait] = readFileSync(file, 'utf8').split(' ');
    return { cpuMs: Number(cpu) / 1e6, waitMs: Number(wait) / 1e6 };
  };
  try { read(); } catch { return () => ({ cpuMs: 0, waitMs: 0 }); }
  return read;
}

/** The least an HTTP server can do, in its own process: the baseline for /health latency. */
function startControl(): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', "require('http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', function () { console.log(this.address().port) })"], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`control server exited (${code})`)));
    child.stdout!.once('data', (d: Buffer) => resolve({ url: `http://127.0.0.1:${d.toString().trim()}`, process: child }));
  });
}

interface Answer { id: string | null; status: number; family: ApiFamily; body: string; label: string; head: boolean }

describe('fuzz: seeded mutations over every endpoint', function () {
  // 2000 cases took 17 s beside CPU burners and 50 s beside a second suite: a deadline for a hang only.
  this.timeout(180_000);
  let gw: Child;
  let control: { url: string; process: ChildProcess };
  before(async () => { [gw, control] = await Promise.all([startChild(), startControl()]); });
  after(async () => {
    for (const child of [gw?.process, control?.process]) {
      if (!child || child.exitCode !== null) continue;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it(`answers ${CASES} mutated requests (seed ${SEED}) below 500, enveloped, identified, logged and counted, with /health under ${HEALTH_BUDGET_MS} ms`, async () => {
    const r = prng(SEED);
    const seeds = allSeeds();
    const cases = Array.from({ length: CASES }, (_, i) => buildCase(r, seeds, i));
    const problems: string[] = [];
    const answers: Answer[] = [];
    const started = performance.now();

    // /health on its own connection, polled for the whole run, against a budget for the time the
    // gateway itself keeps /health waiting. On a quiet machine that is the wall time, less what an
    // idle control process asked at the same moment also waited (this process's own turns). On a
    // contended one (the gateway's event-loop thread had to wait for a CPU during the poll, per
    // /proc/PID/schedstat) wall time mostly measures the machine, so what counts is the CPU the
    // gateway's event-loop thread burned meanwhile: a stall that is the gateway's (a generator, a
    // parse, a quadratic decoder) burns it; waiting for a turn does not.
    const gatewayThread = eventLoopThreadClock(gw.process.pid!);
    const healthPool = new Pool(gw.url, { connections: 1 });
    const controlPool = new Pool(control.url, { connections: 1 });
    const timed = async (pool: Pool, p: string) => {
      const t = performance.now();
      const res = await pool.request({ path: p, method: 'GET' });
      await res.body.text();
      return { ms: performance.now() - t, status: res.statusCode };
    };
    const health: { wall: number; own: number }[] = [];
    let fuzzing = true;
    const poller = (async () => {
      while (fuzzing) {
        const before = gatewayThread();
        const [h, k] = await Promise.all([timed(healthPool, '/health'), timed(controlPool, '/')]);
        const after = gatewayThread();
        const cpu = after.cpuMs - before.cpuMs;
        const contended = after.waitMs - before.waitMs > 5 || k.ms > 5;
        health.push({ wall: h.ms, own: contended ? cpu : Math.max(cpu, h.ms - k.ms) });
        if (h.status !== 200) problems.push(`/health answered ${h.status}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();

    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const i = next++;
        const c = cases[i]!;
        const label = `#${i} ${c.method} ${c.path.slice(0, 120)} [${c.kinds.join(',')}]`;
        try {
          const res = await fetch(gw.url + c.path, { method: c.method, headers: c.headers, body: c.body, signal: AbortSignal.timeout(30_000) }); // a hang, not a loaded machine's slow answer
          const body = await res.text();
          answers.push({ id: res.headers.get('x-request-id'), status: res.status, family: expectedFamily(c), body, label, head: c.method === 'HEAD' });
          if (c.tooDeep && (res.status !== 400 || !body.includes(`nested more than ${MAX_DEPTH} levels`))) problems.push(`${label}: nesting past the limit answered ${res.status} ${body.slice(0, 160)}`);
          const ctype = res.headers.get('content-type') ?? '';
          if (res.status < 300 && c.method !== 'HEAD' && ctype.startsWith('application/json')) {
            try { JSON.parse(body); } catch { problems.push(`${label}: 2xx body is not JSON: ${body.slice(0, 120)}`); }
          }
        } catch (err) {
          problems.push(`${label}: request failed: ${(err as Error).message} ${(err as { cause?: Error }).cause?.message ?? ''}`);
        }
      }
    };
    const raw = Promise.all(RAW_CASES.map(async (payload, i) => {
      const res = await rawRequest(gw.port, payload, { waitMs: 8000 });
      const requestLine = /^(\S+) (\S+)/.exec(payload);
      const c = { method: requestLine?.[1] ?? '', path: requestLine?.[2]?.replace(/^http:\/\/x/, '') ?? '/', headers: {} };
      const family = familyFromPath(c.path.split('?')[0]!);
      const label = `raw#${i} ${payload.slice(0, 60).replace(/\r\n/g, '⏎')}`;
      if (res.status === undefined) { problems.push(`${label}: no HTTP answer (${JSON.stringify(res.text.slice(0, 80))})`); return; }
      answers.push({ id: res.headers['x-request-id'] ?? null, status: res.status, family: res.status === 426 ? 'openai' : family, body: res.body, label, head: false });
    }));
    await Promise.all([...Array.from({ length: CONCURRENCY }, worker), raw]);
    const elapsed = performance.now() - started;
    fuzzing = false;
    await poller;
    await healthPool.close();
    await controlPool.close();

    for (const a of answers) {
      if (a.status >= 500) problems.push(`${a.label}: ${a.status} ${a.body.slice(0, 200)}`);
      if (a.id === null || !SAFE_ID.test(a.id)) problems.push(`${a.label}: x-request-id ${JSON.stringify(a.id)}`);
      if (a.status >= 400 && !a.head) {
        const problem = envelopeProblem(a.family, a.status, a.body);
        if (problem) problems.push(`${a.label}: ${a.status} ${problem}`);
      }
    }

    // One request log line per answer, and as many counts in the metrics.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const metrics = await (await fetch(gw.url + '/metrics')).text();
    const counted = metrics.split('\n').filter((l) => l.startsWith('sluice_requests_total{')).reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    const logged = new Map<string, number>();
    for (const line of gw.lines) {
      const entry = JSON.parse(line) as { msg: string; request_id?: string; level: string };
      if (entry.msg === 'request' && entry.request_id) logged.set(entry.request_id, (logged.get(entry.request_id) ?? 0) + 1);
      if (entry.level === 'error') problems.push(`error logged: ${line.slice(0, 300)}`);
    }
    for (const a of answers) if (a.id && logged.get(a.id) !== 1) problems.push(`${a.label}: ${logged.get(a.id) ?? 0} request log lines for ${a.id}`);
    if (counted !== answers.length) problems.push(`sluice_requests_total counts ${counted} requests, ${answers.length} were answered`);

    const slowest = Math.max(...health.map((h) => h.wall));
    const excess = Math.max(...health.map((h) => h.own));
    const statuses = new Map<number, number>();
    for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    console.log(`      fuzz: ${answers.length} answers in ${(elapsed / 1000).toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries(statuses))}; /health polled ${health.length}×, slowest ${slowest.toFixed(1)} ms, at most ${excess.toFixed(1)} ms of it the gateway's own`);
    expect(problems.slice(0, 40), `${problems.length} problems`).to.deep.equal([]);
    expect(health.length, 'the /health poller ran throughout').to.be.above(20);
    expect(excess, 'time the gateway itself kept /health waiting').to.be.below(HEALTH_BUDGET_MS);
  });

  it('every fixed endpoint and every Gemini method has a seed', () => {
    const seeds = allSeeds();
    for (const route of fixedRoutes()) expect(seeds.some((s) => s.path === route.path), route.path).to.equal(true);
    for (const method of Object.keys(GEMINI_METHODS)) expect(seeds.some((s) => s.path.includes(`:${method}`)), method).to.equal(true);
  });
});
