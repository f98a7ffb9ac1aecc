// Loopback in OpenAI Chat Completions format, JSON and SSE. Chat has no field for a reasoning
// signature, so reasoning goes out as `reasoning_content` and nothing comes back to verify.
import { asObject } from '../../protocols/json.js';
import type { JsonObject, JsonValue, StreamEvent } from '../../protocols/types.js';
import { jsonReply, nowSeconds, streamReply, type LoopbackHandler } from './reply.js';
import type { GatewayResponse, UpstreamRequest } from '../../exchange.js';
import { decide, stopReasonOf, wireCallId, type Answer, type ConversationView } from './script.js';
import { conversationOf, requestView } from './conversation.js';
import { jsonOutputOf } from './json-sample.js';
import { fragments, streamPieces } from './text.js';

export const openaiChat: LoopbackHandler = (request, id) => renderChat(decide(chatView(request)), request, id);

const CHAT_FINISH = { end_turn: 'stop', tool_use: 'tool_calls', max_tokens: 'length', refusal: 'content_filter', stop_sequence: 'stop' } as const;

/** An answer as a Chat Completions response or stream. */
export function renderChat(answer: Answer, request: UpstreamRequest, id: string): GatewayResponse {
  return request.stream
    ? streamReply(request, chatCompletionStream(answer, request.body, request.model, id))
    : jsonReply(request, chatCompletion(answer, request.model, id));
};

export function chatView(request: UpstreamRequest): ConversationView {
  const format = asObject(request.body['response_format']);
  return conversationOf(requestView(request), {
    promptParam: 'messages', linePerTurn: true, toolsOff: request.body['tool_choice'] === 'none',
    jsonOutput: jsonOutputOf(format, asObject(format?.['json_schema'])?.['schema'], 'response_format'),
  });
}

function usage(a: Answer): JsonObject {
  const completion = a.outputTokens + a.reasoningTokens;
  return {
    prompt_tokens: a.inputTokens,
    completion_tokens: completion,
    total_tokens: a.inputTokens + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: a.reasoningTokens, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function chatCompletion(a: Answer, model: string, id: string): JsonObject {
  const calls = a.toolCalls.length > 0;
  const message: JsonObject = { role: 'assistant', content: calls ? null : a.text, refusal: null, annotations: [] };
  if (a.reasoning) message['reasoning_content'] = a.reasoning.text;
  if (calls) {
    message['tool_calls'] = a.toolCalls.map((c) => ({ id: wireCallId(c, 'call_'), type: 'function', function: { name: c.name, arguments: c.arguments } }));
  }
  return {
    id: `chatcmpl-${id}`,
    object: 'chat.completion',
    created: nowSeconds(),
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: CHAT_FINISH[stopReasonOf(a)] }],
    usage: usage(a),
    system_fingerprint: null,
  };
}

async function* chatCompletionStream(a: Answer, body: JsonObject, model: string, id: string): AsyncGenerator<StreamEvent> {
  const calls = a.toolCalls.length > 0;
  const base = { id: `chatcmpl-${id}`, object: 'chat.completion.chunk', created: nowSeconds(), model, system_fingerprint: null };
  const chunk = (delta: JsonObject, finish: string | null = null): StreamEvent => ({
    data: { ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] },
  });
  yield chunk({ role: 'assistant', content: calls ? null : '', refusal: null });
  if (a.reasoning) for (const piece of streamPieces(a.reasoning.text)) yield chunk({ reasoning_content: piece });
  for (const [index, c] of a.toolCalls.entries()) {
    yield chunk({ tool_calls: [{ index, id: wireCallId(c, 'call_'), type: 'function', function: { name: c.name, arguments: '' } }] });
    // Arguments arrive in fragments, as real models send them.
    for (const piece of fragments(c.arguments)) yield chunk({ tool_calls: [{ index, function: { arguments: piece } }] });
  }
  if (!calls) for (const piece of streamPieces(a.text)) yield chunk({ content: piece });
  yield chunk({}, CHAT_FINISH[stopReasonOf(a)]);
  const options = asObject(body['stream_options']);
  if (options?.['include_usage'] === true) yield { data: { ...base, choices: [], usage: usage(a) } as JsonValue };
}
