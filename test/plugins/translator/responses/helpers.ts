// Shared helpers for the Responses codec tests: fixtures, an encode context, stream plumbing and
// the openai SDK as the judge of what a Responses client rebuilds from our stream.
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { decodeSse, encodeSseEvent, type JsonObject, type JsonValue, type StreamEvent } from '../../../../core/index.js';
import type { EncodeContext } from '../../../../plugins/translator/codec.js';
import type { IrPart, IrRequest, IrResponse, IrStreamEvent } from '../../../../plugins/translator/ir.js';

// dist/test/plugins/translator/responses → repository root: fixtures are not compiled.
const FIXTURES = new URL('../../../../../test/fixtures/translator/responses/', import.meta.url);

export function fixtureText(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

/** The recorded request body of a client fixture. */
export function fixtureBody(name: string): JsonObject {
  return (JSON.parse(fixtureText(name)) as { body: JsonObject }).body;
}

export function irRequest(over: Partial<IrRequest> = {}): IrRequest {
  return { model: 'gpt-5.5', system: [], messages: [], tools: [], stop: [], stream: false, dropped: [], ...over };
}

export function context(request: IrRequest = irRequest()): EncodeContext {
  return {
    clientModel: 'codex-model', request, requestId: 'req-01J9ZK3Q7X', created: 1795340629, estimatedInputTokens: 42, includeUsage: false,
  };
}

export async function* iterate<T>(items: T[]): AsyncIterable<T> {
  for (const item of items) yield item;
}

export async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

/** SSE bytes delivered in the given chunks, through core's decoder. */
export function sseEvents(chunks: Uint8Array[]): AsyncIterable<StreamEvent> {
  return decodeSse(iterate(chunks));
}

export function toSse(events: StreamEvent[]): string {
  return events.map(encodeSseEvent).join('');
}

/** What a Responses client gets from `responses.stream()` reading this SSE text (in small chunks). */
export async function sdkReplay(sse: string): Promise<{ final: JsonObject; events: JsonObject[] }> {
  const bytes = new TextEncoder().encode(sse);
  const client = new OpenAI({
    apiKey: 'sk-test', baseURL: 'http://sluice.test/v1', maxRetries: 0,
    fetch: async () => new Response(new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 97) controller.enqueue(bytes.subarray(i, i + 97));
        controller.close();
      },
    }), { status: 200, headers: { 'content-type': 'text/event-stream' } }),
  });
  const stream = client.responses.stream({ model: 'codex-model', input: 'hi' });
  const events: JsonObject[] = [];
  stream.on('event', (e) => { events.push(JSON.parse(JSON.stringify(e)) as JsonObject); });
  const final = await stream.finalResponse();
  return { final: JSON.parse(JSON.stringify(final)) as JsonObject, events };
}

/** Keys the SDK adds on its own while finalizing (`output_text`, `output_parsed`, `parsed*`). */
const SDK_EXTRAS = new Set(['output_text', 'output_parsed', 'parsed_arguments', 'parsed']);

export function withoutSdkExtras(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(withoutSdkExtras);
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) if (!SDK_EXTRAS.has(k)) out[k] = withoutSdkExtras(v);
  return out;
}

/** The IR response an IR stream amounts to (what a non-streaming call would have decoded). */
export function foldStream(events: IrStreamEvent[]): IrResponse {
  const res: IrResponse = { id: '', model: '', parts: [], stopReason: 'end_turn', usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, estimated: false } };
  const calls = new Map<number, IrPart & { type: 'tool_call' }>();
  const last = (): IrPart | undefined => res.parts[res.parts.length - 1];
  for (const ev of events) {
    const tail = last();
    switch (ev.type) {
      case 'text_delta':
        if (tail?.type === 'text') tail.text += ev.text; else res.parts.push({ type: 'text', text: ev.text });
        break;
      case 'thinking_delta':
        if (tail?.type === 'thinking' && tail.signature === undefined) tail.text += ev.text; else res.parts.push({ type: 'thinking', text: ev.text });
        break;
      case 'thinking_signature':
        if (tail?.type === 'thinking' && tail.signature === undefined) tail.signature = ev.signature;
        else res.parts.push({ type: 'thinking', text: '', signature: ev.signature });
        break;
      case 'redacted_thinking': res.parts.push({ type: 'redacted_thinking', data: ev.data }); break;
      case 'tool_call_start': {
        if (calls.has(ev.index)) break; // a repeated start names the same call
        const call = { type: 'tool_call' as const, id: ev.id, name: ev.name, arguments: '' };
        calls.set(ev.index, call);
        res.parts.push(call);
        break;
      }
      case 'tool_call_delta': { const c = calls.get(ev.index); if (c) c.arguments += ev.arguments; break; }
      case 'usage': res.usage = ev.usage; break;
      case 'finish': res.stopReason = ev.stopReason; break;
      case 'start': break;
    }
  }
  return res;
}

export function asJson(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}
