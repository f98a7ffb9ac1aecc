// Shared helpers for the Gemini codec tests: fixtures, an encode context, stream plumbing, a
// reference IR aggregator, and @google/genai as the judge of what we send Gemini clients.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeSse, emptyUsage, mergeUsage, type JsonObject, type StreamEvent, type Usage } from '../../../../core/index.js';
import type { EncodeContext } from '../../../../plugins/translator/codec.js';
import type { IrPart, IrRequest, IrResponse, IrStreamEvent } from '../../../../plugins/translator/ir.js';

// Compiled to dist/test/plugins/translator/gemini: the fixtures stay in the source tree.
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../test/fixtures/translator/gemini');

export function fixtureJson(name: string): JsonObject {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as JsonObject;
}
export function fixtureBytes(name: string): Buffer {
  return fs.readFileSync(path.join(FIXTURES, name));
}

export function emptyRequest(over: Partial<IrRequest> = {}): IrRequest {
  return { model: 'gemini-2.5-flash', system: [], messages: [], tools: [], stop: [], stream: false, dropped: [], ...over };
}

export function context(over: Partial<EncodeContext> = {}): EncodeContext {
  return {
    clientModel: 'gemini-client-model', request: emptyRequest(), requestId: 'req-0123456789abcdef', created: 1_790_000_000,
    estimatedInputTokens: 42, includeUsage: false, ...over,
  };
}

export function usage(over: Partial<Usage>): Usage {
  return { ...emptyUsage(), ...over };
}

export async function* fromArray<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Parsed SSE events from byte chunks, through core's decoder (as dispatch does). */
export function sseEvents(chunks: Buffer[]): AsyncIterable<StreamEvent> {
  return decodeSse(fromArray(chunks.map((c) => new Uint8Array(c))));
}

/** What any correct client would rebuild from an IR stream: the reference for encodeResponse comparisons. */
export function aggregate(events: IrStreamEvent[]): IrResponse {
  const res: IrResponse = { id: '', model: '', parts: [], stopReason: 'end_turn', usage: emptyUsage() };
  let u: Usage | undefined;
  const calls = new Map<number, Extract<IrPart, { type: 'tool_call' }>>();
  for (const ev of events) {
    const last = res.parts[res.parts.length - 1];
    switch (ev.type) {
      case 'start': res.id = ev.id ?? ''; res.model = ev.model ?? ''; break;
      case 'text_delta':
        if (last?.type === 'text') last.text += ev.text; else res.parts.push({ type: 'text', text: ev.text });
        break;
      case 'thinking_delta':
        if (last?.type === 'thinking' && last.signature === undefined) last.text += ev.text; else res.parts.push({ type: 'thinking', text: ev.text });
        break;
      case 'thinking_signature':
        if (last?.type === 'thinking' && last.signature === undefined) last.signature = ev.signature;
        else res.parts.push({ type: 'thinking', text: '', signature: ev.signature });
        break;
      case 'redacted_thinking': res.parts.push({ type: 'redacted_thinking', data: ev.data }); break;
      case 'tool_call_start': {
        if (calls.has(ev.index)) break;
        const call: Extract<IrPart, { type: 'tool_call' }> = { type: 'tool_call', id: ev.id, name: ev.name, arguments: '' };
        if (ev.signature !== undefined) call.signature = ev.signature;
        calls.set(ev.index, call);
        res.parts.push(call);
        break;
      }
      case 'tool_call_delta': { const c = calls.get(ev.index); if (c) c.arguments += ev.arguments; break; }
      case 'usage': u = mergeUsage(u, ev.usage); break;
      case 'finish': res.stopReason = ev.stopReason; break;
    }
  }
  res.usage = u ?? emptyUsage();
  return res;
}

/** Serves canned bodies on a loopback port; records each request path and body. */
export async function withServer<T>(
  respond: (path: string) => { contentType: string; body: string },
  fn: (baseUrl: string, seen: { path: string; body: string }[]) => Promise<T>,
): Promise<T> {
  const seen: { path: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => { body += c; });
    req.on('end', () => {
      seen.push({ path: req.url ?? '', body });
      const out = respond(req.url ?? '');
      res.writeHead(200, { 'content-type': out.contentType });
      res.end(out.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The slice of @google/genai the tests use (it is loaded by name so the build never depends on it). */
export interface GenAiResponse {
  text: string | undefined;
  functionCalls: { id?: string; name?: string; args?: Record<string, unknown> }[] | undefined;
  responseId?: string;
  modelVersion?: string;
  candidates?: { finishReason?: string; content?: { role?: string; parts?: Record<string, unknown>[] } }[];
  usageMetadata?: Record<string, unknown>;
}
interface GenAiClient {
  models: {
    generateContent(p: { model: string; contents: string }): Promise<GenAiResponse>;
    generateContentStream(p: { model: string; contents: string }): Promise<AsyncIterable<GenAiResponse>>;
    embedContent(p: { model: string; contents: string[] }): Promise<{ embeddings?: { values?: number[] }[] }>;
  };
}
interface GenAiModule { GoogleGenAI: new (opts: { apiKey: string; httpOptions: { baseUrl: string } }) => GenAiClient }

let genai: GenAiModule | null | undefined;
/** @google/genai, or null when it is not installed (the SDK-judge tests then skip, saying why). */
export async function loadGenAi(): Promise<GenAiModule | null> {
  if (genai !== undefined) return genai;
  const name = '@google/genai';
  try { genai = (await import(name)) as GenAiModule; } catch { genai = null; }
  return genai;
}

export function genAiClient(mod: GenAiModule, baseUrl: string): GenAiClient {
  return new mod.GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl } });
}

/** Runs `fn` without console.warn: genai's `.text` getter warns whenever a response also holds calls. */
export function quietly<T>(fn: () => T): T {
  const warn = console.warn;
  console.warn = () => {};
  try { return fn(); } finally { console.warn = warn; }
}
