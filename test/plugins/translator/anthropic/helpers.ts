// Shared test helpers for the Anthropic codec: fixtures, an encode context, stream plumbing and
// the official SDK as the judge of what Sluice streams to Anthropic clients.
import Anthropic from '@anthropic-ai/sdk';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { emptyUsage, type JsonObject, type StreamEvent, type Usage } from '../../../../core/index.js';
import { encodeSseEvent } from '../../../../core/protocols/sse.js';
import type { EncodeContext } from '../../../../plugins/translator/codec.js';
import type { IrPart, IrRequest, IrResponse, IrStopReason, IrStreamEvent } from '../../../../plugins/translator/ir.js';

// Compiled to dist/test/plugins/translator/anthropic: the fixtures stay in the source tree.
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../test/fixtures/translator/anthropic');

export function fixtureBytes(name: string): Buffer {
  return readFileSync(path.join(FIXTURES, name));
}
export function fixtureBody(name: string): JsonObject {
  return (JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as { body: JsonObject }).body;
}

export function irRequest(over: Partial<IrRequest> = {}): IrRequest {
  return { model: 'claude-sonnet-4-5', system: [], messages: [], tools: [], stop: [], stream: false, dropped: [], ...over };
}

export function ctx(over: Partial<EncodeContext> = {}): EncodeContext {
  return {
    clientModel: 'claude-client-model', request: irRequest(), requestId: 'req-0123456789abcdef', created: 1_760_000_000,
    estimatedInputTokens: 42, includeUsage: false, ...over,
  };
}

export function usage(over: Partial<Usage> = {}): Usage {
  return { ...emptyUsage(), ...over };
}

export async function* from<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const item of items) yield item;
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/**
 * The IrResponse a non-streaming call would give for the same IR stream: parts in the order they
 * started, consecutive text (and thinking) merged, tool arguments gathered per call.
 */
export function responseFromStream(events: IrStreamEvent[]): IrResponse {
  const parts: IrPart[] = [];
  const tools = new Map<number, Extract<IrPart, { type: 'tool_call' }>>();
  let stopReason: IrStopReason = 'end_turn';
  let stopSequence: string | undefined;
  let u = emptyUsage();
  let id = '';
  let model = '';
  for (const ev of events) {
    const last = parts.at(-1);
    switch (ev.type) {
      case 'start': id = ev.id ?? ''; model = ev.model ?? ''; break;
      case 'text_delta': if (last?.type === 'text') last.text += ev.text; else parts.push({ type: 'text', text: ev.text }); break;
      case 'thinking_delta': if (last?.type === 'thinking' && !last.signature) last.text += ev.text; else parts.push({ type: 'thinking', text: ev.text }); break;
      case 'thinking_signature': if (last?.type === 'thinking') last.signature = ev.signature; else parts.push({ type: 'thinking', text: '', signature: ev.signature }); break;
      case 'redacted_thinking': parts.push({ type: 'redacted_thinking', data: ev.data }); break;
      case 'tool_call_start': {
        if (tools.has(ev.index)) break;
        const call = { type: 'tool_call' as const, id: ev.id, name: ev.name, arguments: '' };
        tools.set(ev.index, call);
        parts.push(call);
        break;
      }
      case 'tool_call_delta': { const call = tools.get(ev.index); if (call) call.arguments += ev.arguments; break; }
      case 'usage': u = { ...u, ...Object.fromEntries(Object.entries(ev.usage).filter(([, v]) => v !== 0 && v !== false)) }; break;
      case 'finish': stopReason = ev.stopReason; stopSequence = ev.stopSequence; break;
    }
  }
  const response: IrResponse = { id, model, parts, stopReason, usage: u };
  if (stopSequence !== undefined) response.stopSequence = stopSequence;
  return response;
}

/** SSE bytes for events, as egress writes them. */
export function sseText(events: StreamEvent[]): string {
  return events.map(encodeSseEvent).join('');
}

/**
 * Replays `events` as an SSE body (in small chunks, as a network would) to the official SDK's
 * `messages.stream()` and returns what it rebuilt, plus every raw event it saw.
 */
export async function sdkReplay(events: StreamEvent[]): Promise<{ message: JsonObject; raw: JsonObject[] }> {
  const bytes = new TextEncoder().encode(sseText(events));
  const client = new Anthropic({
    apiKey: 'test-key',
    baseURL: 'http://anthropic.judge.invalid',
    maxRetries: 0,
    fetch: async () => new Response(new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 97) controller.enqueue(bytes.subarray(i, i + 97));
        controller.close();
      },
    }), { status: 200, headers: { 'content-type': 'text/event-stream', 'request-id': 'req_judge' } }),
  });
  const stream = client.messages.stream({ model: 'claude-client-model', max_tokens: 1024, messages: [{ role: 'user', content: 'hi' }] });
  const raw: JsonObject[] = [];
  stream.on('streamEvent', (ev) => { raw.push(JSON.parse(JSON.stringify(ev)) as JsonObject); });
  const final = await stream.finalMessage();
  // A plain JSON copy: drops the SDK's non-enumerable helpers and lazy getters.
  const message = JSON.parse(JSON.stringify(final)) as JsonObject;
  delete message['parsed_output'];
  return { message, raw };
}
