// Shared helpers for the Chat codec tests: fixtures, stream plumbing, and the openai SDK as judge.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import { decodeSse, encodeSseEvent, type JsonObject, type StreamEvent, type Usage } from '../../../../core/index.js';
import type { EncodeContext } from '../../../../plugins/translator/codec.js';
import type { IrRequest, IrStreamEvent } from '../../../../plugins/translator/ir.js';
import { openaiChat } from '../../../../plugins/translator/protocols/chat/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');
export const FIXTURES = path.join(repoRoot, 'test/fixtures/translator/chat');

export function fixtureBytes(name: string): Buffer {
  return readFileSync(path.join(FIXTURES, name));
}
export function fixtureJson(name: string): JsonObject {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as JsonObject;
}

export async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Upstream SSE bytes (in the given chunks) → core's SSE decoder → the Chat stream decoder. */
export function decodeBytes(chunks: readonly Uint8Array[]): Promise<IrStreamEvent[]> {
  return collect(openaiChat.decodeStream(decodeSse(fromArray(chunks))));
}

export function usage(partial: Partial<Usage>): Usage {
  return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, estimated: false, ...partial };
}

export function emptyRequest(partial: Partial<IrRequest> = {}): IrRequest {
  return { model: 'gpt-4o-mini', system: [], messages: [], tools: [], stop: [], stream: false, dropped: [], ...partial };
}

export function context(partial: Partial<EncodeContext> = {}): EncodeContext {
  return {
    clientModel: 'gpt-4o-mini', request: emptyRequest(), requestId: 'req-0123456789abcdef', created: 1752700000,
    estimatedInputTokens: 42, includeUsage: true, ...partial,
  };
}

/** The SSE body egress would write for these events, `[DONE]` included (egress adds it in production). */
export function sseBody(events: readonly StreamEvent[]): string {
  return events.map(encodeSseEvent).join('') + 'data: [DONE]\n\n';
}

/** An openai client whose every request is answered with `body` (SSE or JSON), no network involved. */
function clientAnswering(body: string, contentType: string): OpenAI {
  return new OpenAI({
    apiKey: 'sk-test', baseURL: 'http://sluice.invalid/v1', maxRetries: 0,
    fetch: async () => new Response(body, { status: 200, headers: { 'content-type': contentType } }),
  });
}

/** What the official SDK's stream parser rebuilds from an SSE body, and the chunks it saw. */
export async function sdkFinalFromStream(sse: string): Promise<{ final: ChatCompletion; chunks: ChatCompletionChunk[] }> {
  const stream = clientAnswering(sse, 'text/event-stream').chat.completions.stream({
    model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream_options: { include_usage: true },
  });
  const chunks: ChatCompletionChunk[] = [];
  stream.on('chunk', (c) => { chunks.push(c); });
  return { final: await stream.finalChatCompletion(), chunks };
}

/** What the SDK returns for a non-streamed JSON body. */
export function sdkFromJson(body: JsonObject): Promise<ChatCompletion> {
  return clientAnswering(JSON.stringify(body), 'application/json').chat.completions.create({
    model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }],
  });
}
