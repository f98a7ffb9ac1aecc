// Loopback runs on the gateway's own event loop: what it generates must stay bounded and cost what
// its input costs. These are the fuzz-found inputs (a 10 KB embeddings body that made ~175 MB, a
// 28 KB json_schema body that made 78 MB, 512 KB of `[[tool` fragments that took seconds to scan,
// a deeply nested schema), each answered quickly — with a 400 naming the field where it asks for
// more than the bounds — while /health on the same gateway keeps answering.
import { expect } from 'chai';
import { GatewayError } from '../../core/errors.js';
import { parseProtocolName, type JsonObject, type ProtocolName } from '../../core/protocols/types.js';
import {
  MAX_ANSWER_CHARS, MAX_EMBEDDING_BATCH, MAX_EMBEDDING_DIMENSIONS, MAX_EMBEDDING_INPUTS, MAX_EMBEDDING_VALUES, MAX_SCHEMA_DEPTH, MAX_TOOL_CALLS,
} from '../../core/providers/loopback/bounds.js';
import { LoopbackProvider } from '../../core/providers/loopback/loopback.js';
import { findToolMarkers } from '../../core/providers/loopback/markers.js';
import { config, startGateway, type TestGateway } from '../helpers/gateway.js';

const loopback = new LoopbackProvider('local', []);
const ctx = { signal: new AbortController().signal, requestId: 'req-bounds', forwardHeaders: {} };

async function send(name: ProtocolName, body: object): Promise<JsonObject> {
  const res = await loopback.send({ protocol: parseProtocolName(name), body: body as JsonObject, stream: false, model: 'loopback' }, ctx);
  if (res.kind !== 'json') throw new Error('expected JSON');
  return res.body as JsonObject;
}

async function refusal(name: ProtocolName, body: object): Promise<GatewayError> {
  const err = await send(name, body).then(() => undefined, (e: unknown) => e);
  expect(err, 'expected a refusal').to.be.instanceOf(GatewayError);
  return err as GatewayError;
}

/**
 * The fastest of `runs` timings of `work`, in ms: a loaded machine can take the core from any one run
 * (seen: 252 ms for a 200 ms bound), while unbounded work is slow in every run.
 */
async function fastestMs(runs: number, work: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

const chatText = (body: JsonObject) => ((body['choices'] as JsonObject[])[0]!['message'] as { content: string }).content;
const tool = (name: string) => ({ type: 'function', function: { name, parameters: { type: 'object' } } });

/** A schema nested `depth` levels through `properties`, a string at the bottom. */
function nestedSchema(depth: number): JsonObject {
  let schema: JsonObject = { type: 'string' };
  for (let i = 0; i < depth; i++) schema = { type: 'object', properties: { a: schema }, required: ['a'] };
  return schema;
}

// --- The fuzz-found inputs, rebuilt to their reported sizes -------------------------------------

/** ~10 KB: 2000 short inputs at the largest dimensionality (was ~175 MB of vectors and 5–6 s). */
const EMBEDDINGS_10KB = { model: 'loopback-embed', input: new Array<string>(2000).fill('ab'), dimensions: 4096, encoding_format: 'float' };
/** ~28 KB: a long const under three levels of `minItems` arrays (was tens of MB of JSON). */
function schemaBody28KB(): JsonObject {
  let schema: JsonObject = { type: 'string', const: 'x'.repeat(27_000) };
  for (let i = 0; i < 3; i++) schema = { type: 'array', minItems: 3, items: schema };
  return { model: 'loopback', messages: [{ role: 'user', content: 'fill it' }], response_format: { type: 'json_schema', json_schema: { name: 'fuzz', schema } } };
}
/** 512 KB of `[[tool` fragments that never close (was quadratic: 5–8 s). */
const FRAGMENT = '[[tool:f {"a":';
const MARKERS_512KB = '[[parallel]] ' + FRAGMENT.repeat(Math.ceil((512 * 1024) / FRAGMENT.length));
/** A schema 1,000 levels deep, as JSON text (cheap to parse, far past the depth bound). */
const DEEP_SCHEMA_TEXT = '{"type":"object","properties":{"a":'.repeat(1000) + '{"type":"string"}' + '}}'.repeat(1000);

// --- Health probes -------------------------------------------------------------------------------

interface Probed { status: number; bytes: number; probes: number[]; concurrent: number }

/**
 * Sends `request` and, until it is answered, /health after /health. Every probe's latency counts:
 * a handler that blocks the event loop holds whichever probe is in flight, so the slowest probe
 * shows the longest stall. The big response is read as bytes, never parsed, so the test's own
 * client (in the same process) adds little work of its own.
 */
async function probeWhile(url: string, request: () => Promise<Response>): Promise<Probed> {
  let done = false;
  const big = request().then(async (r) => ({ status: r.status, bytes: (await r.arrayBuffer()).byteLength })).finally(() => { done = true; });
  const probes: number[] = [];
  let concurrent = 0;
  while (!done) {
    concurrent++; // sent while the request is still unanswered
    const start = performance.now();
    const res = await fetch(`${url}/health`);
    await res.arrayBuffer();
    expect(res.status).to.equal(200);
    probes.push(performance.now() - start);
  }
  return { ...(await big), probes, concurrent };
}

/** Longest /health wait a loopback request may cause (see servedResponsively). */
const STALL_MS = 250;

/** The slowest of `n` /health probes with nothing else in flight: what the machine's own load costs a probe now. */
async function idleProbesMs(url: string, n: number): Promise<number> {
  let slowest = 0;
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await (await fetch(`${url}/health`)).arrayBuffer();
    slowest = Math.max(slowest, performance.now() - start);
  }
  return slowest;
}

const post = (url: string, body: unknown) => () =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('loopback bounds: the fuzz-found inputs through the real gateway', function () {
  // Without the bounds one of these requests took 5–11 s; with them each takes milliseconds.
  this.timeout(60_000);
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway(config());
    for (let i = 0; i < 5; i++) await (await fetch(`${gw.url}/health`)).arrayBuffer();
  });
  after(() => gw.close());

  /**
   * The request is sent a few times first (the first answer is checked; the path gets warm, as the
   * first runs of any code pay for compiling it), then again while /health is probed, every probe
   * timed. A stall that loopback causes is there on every run; a busy machine's scheduling delay
   * comes and goes. So the run is repeated (up to three times) until one has every probe under
   * STALL_MS: a handler that blocks for longer fails all three. Unbounded, these inputs stalled the
   * loop for 5–11 s; 250 ms still tells that apart on a machine at load 12, where 100 ms did not.
   * At load 14 the machine alone made probes wait longer (seen: 252, 398, 445 ms), so each run also
   * times as many probes with nothing in flight, and a run passes under 3× that too: a stall of
   * seconds still fails, whatever the load.
   */
  async function servedResponsively(path: string, body: unknown): Promise<{ status: number; text: string; bytes: number }> {
    const first = await post(`${gw.url}${path}`, body)();
    const text = await first.text();
    for (let i = 0; i < 3; i++) await (await post(`${gw.url}${path}`, body)()).arrayBuffer();
    const runs: { slowest: number; idle: number; bound: number }[] = [];
    let bytes = 0;
    for (let run = 0; run < 3 && !runs.some((r) => r.slowest < r.bound); run++) {
      const p = await probeWhile(gw.url, post(`${gw.url}${path}`, body));
      expect(p.status).to.equal(first.status);
      expect(p.concurrent, 'probes sent while the request was served').to.be.greaterThan(0);
      const idle = await idleProbesMs(gw.url, p.probes.length);
      runs.push({ slowest: Math.max(...p.probes), idle, bound: Math.max(STALL_MS, 3 * idle) });
      bytes = p.bytes;
    }
    const said = runs.map((r) => `${r.slowest.toFixed(0)} ms (bound ${r.bound.toFixed(0)}: idle probes ${r.idle.toFixed(0)} ms)`).join(', ');
    expect(runs.some((r) => r.slowest < r.bound), `slowest /health in each run: ${said}`).to.equal(true);
    return { status: first.status, text, bytes };
  }

  it('refuses the 10 KB embeddings body (2000 inputs × 4096 dimensions) with a 400 in the OpenAI envelope', async () => {
    expect(JSON.stringify(EMBEDDINGS_10KB).length).to.be.within(9_000, 11_000);
    const r = await servedResponsively('/v1/embeddings', EMBEDDINGS_10KB);
    expect(r.status).to.equal(400);
    const error = (JSON.parse(r.text) as { error: Record<string, string> }).error;
    expect(error).to.include({ type: 'invalid_request_error', param: 'input', code: 'SLUICE_E_INVALID_REQUEST' });
    expect(error['message']).to.include(String(MAX_EMBEDDING_VALUES));
  });

  it('serves the largest embeddings it allows (2048 inputs at the value bound) while /health keeps answering', async () => {
    const dimensions = MAX_EMBEDDING_VALUES / MAX_EMBEDDING_INPUTS;
    const body = { model: 'loopback-embed', input: Array.from({ length: MAX_EMBEDDING_INPUTS }, (_, i) => `text ${i}`), dimensions };
    const r = await servedResponsively('/v1/embeddings', body);
    expect(r.status).to.equal(200);
    const data = (JSON.parse(r.text) as { data: { embedding: number[] }[] }).data;
    expect(data.reduce((n, d) => n + d.embedding.length, 0)).to.equal(MAX_EMBEDDING_VALUES);
    // At most ~25 characters a value: the size follows the value bound.
    expect(r.bytes).to.be.below(MAX_EMBEDDING_VALUES * 25 + MAX_EMBEDDING_INPUTS * 50);
  });

  it('refuses the 28 KB json_schema body with a 400 naming response_format', async () => {
    const body = schemaBody28KB();
    expect(JSON.stringify(body).length).to.be.within(26_000, 30_000);
    const r = await servedResponsively('/v1/chat/completions', body);
    expect(r.status).to.equal(400);
    expect(r.bytes).to.be.below(1000);
    const error = (JSON.parse(r.text) as { error: Record<string, string> }).error;
    expect(error['param']).to.equal('response_format');
    expect(error['message']).to.include(String(MAX_ANSWER_CHARS));
  });

  it('scans a 512 KB prompt of unclosed [[tool fragments quickly, answering in text', async () => {
    expect(MARKERS_512KB.length).to.be.above(512 * 1024);
    const r = await servedResponsively('/v1/chat/completions', { model: 'loopback', messages: [{ role: 'user', content: MARKERS_512KB }], tools: [tool('f')] });
    expect(r.status).to.equal(200);
    expect(r.bytes).to.be.below(2000); // an echo clipped to 200 characters, not the prompt
    expect(chatText(JSON.parse(r.text) as JsonObject)).to.match(/^Loopback reply\. You said: \[\[parallel\]\]/);
  });

  it('refuses a schema nested 1,000 levels deep with a 400 in the Anthropic envelope', async () => {
    const text = `{"model":"loopback","max_tokens":10,"messages":[{"role":"user","content":"x"}],"output_config":{"format":{"type":"json_schema","schema":${DEEP_SCHEMA_TEXT}}}}`;
    const r = await servedResponsively('/v1/messages', text);
    expect(r.status).to.equal(400);
    expect(JSON.parse(r.text)).to.deep.include({ type: 'error' });
  });
});

describe('loopback bounds: embeddings', () => {
  it('refuses more inputs than OpenAI allows, more dimensions than it embeds, more values than it builds', async () => {
    const tooMany = await refusal('openai.embeddings', { input: new Array<string>(MAX_EMBEDDING_INPUTS + 1).fill('a') });
    expect(tooMany).to.include({ code: 'SLUICE_E_INVALID_REQUEST', status: 400, param: 'input' });
    const tooWide = await refusal('openai.embeddings', { input: 'a', dimensions: MAX_EMBEDDING_DIMENSIONS + 1 });
    expect(tooWide.param).to.equal('dimensions');
    const tooBig = await refusal('openai.embeddings', { input: new Array<string>(MAX_EMBEDDING_VALUES / 256 + 1).fill('a') });
    expect(tooBig.param).to.equal('input');
    const widest = await send('openai.embeddings', { input: 'a', dimensions: MAX_EMBEDDING_DIMENSIONS });
    const vector = ((widest['data'] as JsonObject[])[0]!['embedding'] as number[]);
    expect(vector).to.have.length(MAX_EMBEDDING_DIMENSIONS);
    expect(Math.hypot(...vector)).to.be.closeTo(1, 1e-9);
  });

  it('serves exactly the value bound, float and base64', async () => {
    const input = new Array<string>(MAX_EMBEDDING_VALUES / 256).fill('same');
    const float = await send('openai.embeddings', { input });
    expect((float['data'] as JsonObject[]).reduce((n, d) => n + (d['embedding'] as number[]).length, 0)).to.equal(MAX_EMBEDDING_VALUES);
    const base64 = await send('openai.embeddings', { input, encoding_format: 'base64' });
    expect(Buffer.from((base64['data'] as JsonObject[])[0]!['embedding'] as string, 'base64').length).to.equal(256 * 4);
  });

  it('refuses Gemini batches over 100 requests, or over the value bound, naming the field', async () => {
    const request = (dims?: number) => ({ model: 'models/text-embedding-004', content: { parts: [{ text: 'a' }] }, ...(dims ? { outputDimensionality: dims } : {}) });
    const tooMany = await refusal('gemini.embed', { requests: new Array(MAX_EMBEDDING_BATCH + 1).fill(request()) });
    expect(tooMany.param).to.equal('requests');
    const tooBig = await refusal('gemini.embed', { requests: new Array(MAX_EMBEDDING_BATCH).fill(request(MAX_EMBEDDING_DIMENSIONS)) });
    expect(tooBig.param).to.equal('requests');
    const tooWide = await refusal('gemini.embed', { requests: [request(), request(MAX_EMBEDDING_DIMENSIONS + 1)] });
    expect(tooWide.param).to.equal('requests[1].outputDimensionality');
    const full = await send('gemini.embed', { requests: new Array(MAX_EMBEDDING_BATCH).fill(request(MAX_EMBEDDING_VALUES / 128)) });
    expect(full['embeddings']).to.have.length(MAX_EMBEDDING_BATCH);
    // 768 values each by default: the value bound allows a batch of 42 of them.
    const defaults = Math.floor(MAX_EMBEDDING_VALUES / 768);
    expect((await send('gemini.embed', { requests: new Array(defaults).fill(request()) }))['embeddings']).to.have.length(defaults);
    expect((await refusal('gemini.embed', { requests: new Array(defaults + 1).fill(request()) })).param).to.equal('requests');
  });

  it('costs the text plus the vector: a 1 MB text at 4096 dimensions embeds quickly', async () => {
    const text = 'x'.repeat(1 << 20);
    // One hash of the text per 8 values took ~0.5 s here; one pass is a few ms.
    expect(await fastestMs(5, () => send('openai.embeddings', { input: text, dimensions: MAX_EMBEDDING_DIMENSIONS }))).to.be.below(200);
  });
});

describe('loopback bounds: structured output', () => {
  const chat = (schema: object) => ({ messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_schema', json_schema: { name: 's', schema } } });

  it(`samples up to ${MAX_SCHEMA_DEPTH} levels deep and refuses deeper schemas with a 400`, async () => {
    const deepest = JSON.parse(chatText(await send('openai.chat', chat(nestedSchema(MAX_SCHEMA_DEPTH))))) as JsonObject;
    let v: unknown = deepest;
    for (let i = 0; i < MAX_SCHEMA_DEPTH; i++) v = (v as JsonObject)['a'];
    expect(v).to.equal('loopback');
    const err = await refusal('openai.chat', chat(nestedSchema(MAX_SCHEMA_DEPTH + 1)));
    expect(err).to.include({ status: 400, code: 'SLUICE_E_INVALID_REQUEST', param: 'response_format' });
  });

  it(`answers up to exactly ${MAX_ANSWER_CHARS} characters of JSON, and refuses one more`, async () => {
    // {"a":"xx…"} is the string plus 8 characters.
    const fits = { type: 'object', properties: { a: { const: 'x'.repeat(MAX_ANSWER_CHARS - 8) } } };
    expect(chatText(await send('openai.chat', chat(fits)))).to.have.length(MAX_ANSWER_CHARS);
    const over = { type: 'object', properties: { a: { const: 'x'.repeat(MAX_ANSWER_CHARS - 7) } } };
    expect((await refusal('openai.chat', chat(over))).param).to.equal('response_format');
  });

  it('honours minItems, but checks the size before building (minItems: 1e9 is a 400, not an allocation)', async () => {
    const five = { type: 'array', minItems: 5, items: { type: 'integer', minimum: 2 } };
    expect(JSON.parse(chatText(await send('openai.chat', chat(five))))).to.deep.equal([2, 2, 2, 2, 2]);
    const huge = { type: 'array', minItems: 1e9, items: { type: 'boolean' } };
    expect(await fastestMs(5, async () => expect((await refusal('openai.chat', chat(huge))).status).to.equal(400))).to.be.below(50);
  });

  it('names each protocol\'s own field', async () => {
    const deep = nestedSchema(MAX_SCHEMA_DEPTH + 1);
    const responses = await refusal('openai.responses', { input: 'x', text: { format: { type: 'json_schema', name: 's', schema: deep } } });
    expect(responses.param).to.equal('text.format');
    const anthropic = await refusal('anthropic.messages', { max_tokens: 100, messages: [{ role: 'user', content: 'x' }], output_format: { type: 'json_schema', schema: deep } });
    expect(anthropic.param).to.equal('output_format');
    const gemini = await refusal('gemini.generate', { contents: [{ role: 'user', parts: [{ text: 'x' }] }], generationConfig: { responseMimeType: 'application/json', responseSchema: deep } });
    expect(gemini.message).to.include('generationConfig.responseSchema');
  });

  it('keeps a property named __proto__ as an ordinary key', async () => {
    const schema = JSON.parse('{"type":"object","properties":{"__proto__":{"type":"integer"},"b":{"type":"boolean"}},"required":["__proto__","b"]}') as JsonObject;
    expect(chatText(await send('openai.chat', chat(schema)))).to.equal('{"__proto__":0,"b":false}');
  });
});

describe('loopback bounds: scripted tool calls', () => {
  const tools = [tool('f'), tool('g')];

  it(`makes at most ${MAX_TOOL_CALLS} parallel calls; later markers stay text`, async () => {
    const prompt = '[[parallel]] ' + '[[tool:f {"n":1}]] '.repeat(MAX_TOOL_CALLS + 10);
    const body = await send('openai.chat', { messages: [{ role: 'user', content: prompt }], tools });
    const calls = ((body['choices'] as JsonObject[])[0]!['message'] as { tool_calls: { id: string }[] }).tool_calls;
    expect(calls).to.have.length(MAX_TOOL_CALLS);
    expect(new Set(calls.map((c) => c.id)).size).to.equal(MAX_TOOL_CALLS);
  });

  it('refuses calls whose names and arguments exceed the answer bound, naming the prompt field', async () => {
    const big = JSON.stringify({ s: 'x'.repeat(MAX_ANSWER_CHARS) });
    const chat = await refusal('openai.chat', { messages: [{ role: 'user', content: `[[tool:f ${big}]]` }], tools });
    expect(chat).to.include({ status: 400, param: 'messages' });
    const responses = await refusal('openai.responses', { input: `[[tool:f ${big}]]`, tools: [{ type: 'function', name: 'f' }] });
    expect(responses.param).to.equal('input');
    // The offered tool's name is repeated in every call: it counts too.
    const longName = 'n'.repeat(MAX_ANSWER_CHARS / 16);
    const names = await refusal('openai.chat', { messages: [{ role: 'user', content: '[[parallel]]' + '[[tool]]'.repeat(20) }], tools: [tool(longName)] });
    expect(names.param).to.equal('messages');
  });

  it('lets the event loop turn while it streams: a 64-call stream is not one synchronous run', async () => {
    const prompt = '[[parallel]] ' + Array.from({ length: MAX_TOOL_CALLS }, (_, i) => `[[tool:f ${JSON.stringify({ i, s: 'x'.repeat(900) })}]]`).join(' ');
    const res = await loopback.send({ protocol: parseProtocolName('openai.chat'), body: { messages: [{ role: 'user', content: prompt }], tools } as JsonObject, stream: true, model: 'loopback' }, ctx);
    if (res.kind !== 'stream') throw new Error('expected a stream');
    // Counts turns of the event loop (setImmediate runs once per turn) while the stream is read.
    let turns = 0;
    let reading = true;
    const tick = () => { if (reading) { turns++; setImmediate(tick); } };
    setImmediate(tick);
    let events = 0;
    for await (const _ of res.events) events++;
    reading = false;
    // 8-character fragments: thousands of events, all ready at once.
    expect(events).to.be.greaterThan(7000);
    // Every event loop turn lets other requests in; without pacing there were none until the end.
    expect(turns).to.be.at.least(Math.floor(events / 64));
  });

  it('derives the same ids for the same prompt, different ones for another prompt', async () => {
    const ids = async (text: string) => (((await send('openai.chat', { messages: [{ role: 'user', content: text }], tools }))['choices'] as JsonObject[])[0]!['message'] as { tool_calls: { id: string }[] }).tool_calls.map((c) => c.id);
    const prompt = '[[parallel]] [[tool:f]] [[tool:g]]';
    expect(await ids(prompt)).to.deep.equal(await ids(prompt));
    expect((await ids(prompt))[0]).to.not.equal((await ids(prompt + ' '))[0]);
  });

  it('reads a Gemini function response nested 100,000 levels deep without overflowing the stack', async () => {
    let response: JsonObject = { leaf: 'deep result' };
    for (let i = 0; i < 100_000; i++) response = { r: response };
    const body = await send('gemini.generate', {
      contents: [
        { role: 'user', parts: [{ text: 'go' }] },
        { role: 'model', parts: [{ functionCall: { name: 'f', args: {} } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'f', response } }] },
      ],
    });
    expect(JSON.stringify(body)).to.include('Tool f returned: deep result');
  });
});

describe('loopback bounds: marker scanning', () => {
  // The pattern the scanner replaces, kept here as the reference for what a marker is.
  const REFERENCE = /\[\[tool(?::([A-Za-z0-9_.-]+))?(?:\s+(\{[\s\S]*?\}))?\]\]/g;
  function reference(text: string): { name: string | undefined; arguments: string }[] {
    return [...text.matchAll(REFERENCE)].map((m) => {
      let args = '{}';
      if (m[2]) { try { args = JSON.stringify(JSON.parse(m[2])); } catch { args = JSON.stringify({ input: m[2] }); } }
      return { name: m[1], arguments: args };
    });
  }

  it('finds exactly what the old pattern found, on 5,000 seeded random prompts', () => {
    const pieces = ['[[tool', '[[tool', '[[tool:', '[[', ':', 'f', 'a.b-c', ' ', ' ', '\n', '\u00a0', '\u2028', '{', '}', ']]', ']]', '}]]', ']', '"x":1', '{"a":[1]}', 'x', '[[think]]'];
    let seed = 42;
    const random = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
    let markers = 0;
    for (let n = 0; n < 5000; n++) {
      let text = '';
      const length = 1 + Math.floor(random() * 30);
      for (let i = 0; i < length; i++) text += pieces[Math.floor(random() * pieces.length)];
      const expected = reference(text);
      markers += expected.length;
      expect(findToolMarkers(text), JSON.stringify(text)).to.deep.equal(expected);
      if (expected.length) expect(findToolMarkers(text, 1)).to.deep.equal(expected.slice(0, 1));
    }
    expect(markers, 'the random prompts must contain markers').to.be.greaterThan(500);
  });

  it('stays linear: 16× the prompt costs about 16× the time, not 256×', () => {
    // The fastest of several runs: a busy machine adds delay to some runs, never removes work.
    const time = (kb: number) => {
      // No `}]]` anywhere: the old pattern rescanned to the end from every `[[tool {`.
      const text = '[[tool {'.repeat((kb * 1024) / 8) + '[[tool:f]]';
      let best = Infinity;
      for (let i = 0; i < 7; i++) {
        const start = performance.now();
        expect(findToolMarkers(text)).to.have.length(1);
        best = Math.min(best, performance.now() - start);
      }
      return best;
    };
    time(64); // warm up
    // Sizes large enough that timer and GC noise on a loaded machine stay small beside the work; the
    // best of three trials, since another process can take the core for a whole trial, while a
    // quadratic scan is 16× in every one.
    // 16× the prompt: linear is ≈16×, the old pattern ≈256× (512 KB took seconds). Both sizes are
    // past the CPU caches, so the ratio is the scan's alone; 64 leaves a loaded machine 4× of noise
    // (seen: 3.4× at load 18 with 256 KB against 1 MB) and still tells the two apart.
    let small = 0;
    let large = Infinity;
    for (let trial = 0; trial < 3 && !(large / small < 64); trial++) {
      small = Math.max(time(128), 0.5);
      large = time(2048);
    }
    expect(large / small, `128 KB: ${small.toFixed(2)} ms, 2 MB: ${large.toFixed(2)} ms`).to.be.below(64);
    expect(large).to.be.below(400);
  });
});
