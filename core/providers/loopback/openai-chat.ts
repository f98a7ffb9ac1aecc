// Loopback answers in OpenAI Chat Completions format, JSON and SSE.
import type { JsonObject, JsonValue, StreamEvent } from '../../protocols/types.js';
import { asArray, asObject, asString, contentText } from '../../protocols/json.js';
import { estimateTokens, findToolMarker, replyTo, shortHash, streamPieces, toolResultReply } from './text.js';

export interface ScriptedAnswer {
  text: string;
  toolCall?: { id: string; name: string; arguments: string };
  promptTokens: number;
  completionTokens: number;
}

/** Decides what loopback says: a scripted tool call, a reply to a tool result, or an echo. */
export function answerChat(body: JsonObject): ScriptedAnswer {
  const messages = asArray(body['messages']).map(asObject).filter((m): m is JsonObject => m !== undefined);
  const promptText = messages.map((m) => contentText(m['content'])).join('\n');
  const promptTokens = estimateTokens(promptText);
  const last = messages[messages.length - 1];
  const tools = asArray(body['tools']).map((t) => asString(asObject(asObject(t)?.['function'])?.['name'])).filter((n): n is string => !!n);

  if (last && asString(last['role']) === 'tool') {
    const callId = asString(last['tool_call_id']) ?? '';
    const call = messages.flatMap((m) => asArray(m['tool_calls']).map(asObject)).find((c) => asString(c?.['id']) === callId);
    const name = asString(asObject(call?.['function'])?.['name']) ?? 'tool';
    const text = toolResultReply(name, contentText(last['content']));
    return { text, promptTokens, completionTokens: estimateTokens(text) };
  }
  const lastText = last ? contentText(last['content']) : '';
  const marker = findToolMarker(lastText);
  if (marker && tools.length) {
    const name = marker.name && tools.includes(marker.name) ? marker.name : tools[0]!;
    const id = `call_${shortHash(promptText + name, 24)}`;
    return { text: '', toolCall: { id, name, arguments: marker.arguments }, promptTokens, completionTokens: estimateTokens(name + marker.arguments) };
  }
  const text = replyTo(lastText);
  return { text, promptTokens, completionTokens: estimateTokens(text) };
}

function usage(a: ScriptedAnswer): JsonObject {
  return {
    prompt_tokens: a.promptTokens,
    completion_tokens: a.completionTokens,
    total_tokens: a.promptTokens + a.completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

export function chatCompletion(body: JsonObject, model: string, id: string): JsonObject {
  const a = answerChat(body);
  const message: JsonObject = { role: 'assistant', content: a.toolCall ? null : a.text, refusal: null, annotations: [] };
  if (a.toolCall) {
    message['tool_calls'] = [{ id: a.toolCall.id, type: 'function', function: { name: a.toolCall.name, arguments: a.toolCall.arguments } }];
  }
  return {
    id: `chatcmpl-${id}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: a.toolCall ? 'tool_calls' : 'stop' }],
    usage: usage(a),
    system_fingerprint: null,
  };
}

export async function* chatCompletionStream(body: JsonObject, model: string, id: string): AsyncGenerator<StreamEvent> {
  const a = answerChat(body);
  const base = { id: `chatcmpl-${id}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, system_fingerprint: null };
  const chunk = (delta: JsonObject, finish: string | null = null): StreamEvent => ({
    data: { ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] },
  });
  yield chunk({ role: 'assistant', content: a.toolCall ? null : '', refusal: null });
  if (a.toolCall) {
    const { id: callId, name, arguments: args } = a.toolCall;
    yield chunk({ tool_calls: [{ index: 0, id: callId, type: 'function', function: { name, arguments: '' } }] });
    // Arguments arrive in fragments, as real models send them.
    for (let i = 0; i < args.length; i += 8) yield chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(i, i + 8) } }] });
  } else {
    for (const piece of streamPieces(a.text)) yield chunk({ content: piece });
  }
  yield chunk({}, a.toolCall ? 'tool_calls' : 'stop');
  const options = asObject(body['stream_options']);
  if (options?.['include_usage'] === true) yield { data: { ...base, choices: [], usage: usage(a) } as JsonValue };
}
