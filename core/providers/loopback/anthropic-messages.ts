// Loopback in Anthropic Messages format, JSON and SSE (message_start with the real input_tokens,
// ping, strictly sequential content blocks, message_delta with stop_reason and usage,
// message_stop), plus count_tokens.
import { asObject } from '../../protocols/json.js';
import type { JsonObject, JsonValue, StreamEvent } from '../../protocols/types.js';
import type { GatewayResponse, UpstreamRequest } from '../../exchange.js';
import { jsonReply, streamReply, type LoopbackHandler } from './reply.js';
import { decide, forgedThought, stopReasonOf, wireCallId, type Answer, type ConversationView, type OutputLimits } from './script.js';
import { conversationOf, requestView, thoughtsOf } from './conversation.js';
import { jsonOutputOf, type JsonOutput } from './json-sample.js';
import { invalidSignature } from './signature.js';
import { estimateTokens, fragments, streamPieces } from './text.js';

export const anthropicMessages: LoopbackHandler = (request, id) => {
  const view = messagesView(request);
  const forged = forgedThought(view);
  if (forged) {
    const message = `${forged.location}: Invalid \`signature\` in \`thinking\` block`;
    throw invalidSignature('anthropic', message, { type: 'error', error: { type: 'invalid_request_error', message } });
  }
  return renderMessages(decide(view), request, id);
};

/** An answer as an Anthropic Messages response or stream. */
export function renderMessages(answer: Answer, request: UpstreamRequest, id: string): GatewayResponse {
  return request.stream
    ? streamReply(request, messageEvents(answer, request.model, id))
    : jsonReply(request, message(answer, request.model, id));
}

export const anthropicCountTokens: LoopbackHandler = (request) =>
  jsonReply(request, { input_tokens: estimateTokens(messagesView(request).promptText) });

export function messagesView(request: UpstreamRequest): ConversationView {
  const view = requestView(request);
  return {
    ...conversationOf(view, {
      promptParam: 'messages',
      jsonOutput: jsonOutputOfMessages(request.body),
      // A thinking block without its signature is as invalid to Anthropic as a wrong one.
      thoughts: thoughtsOf(view, () => true, (s) => s.path.join('.')),
      toolsOff: asObject(request.body['tool_choice'])?.['type'] === 'none',
    }),
    limits: limitsOf(request.body),
  };
}

/** `max_tokens` and `stop_sequences`, honoured as Claude would (script.ts, limitText). */
function limitsOf(body: JsonObject): OutputLimits {
  const max = body['max_tokens'];
  const stop = body['stop_sequences'];
  return {
    ...(typeof max === 'number' ? { maxTokens: max } : {}),
    ...(Array.isArray(stop) ? { stop: stop.filter((s): s is string => typeof s === 'string') } : {}),
  };
}

/** Structured output is `output_config.format` (the older beta spelled it `output_format`). */
function jsonOutputOfMessages(body: JsonObject): JsonOutput | undefined {
  const current = asObject(asObject(body['output_config'])?.['format']);
  const format = current ?? asObject(body['output_format']);
  return jsonOutputOf(format, format?.['schema'], current ? 'output_config.format' : 'output_format');
}

function usage(a: Answer): JsonObject {
  const u: JsonObject = {
    input_tokens: a.inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0,
    output_tokens: a.outputTokens + a.reasoningTokens, service_tier: 'standard',
  };
  // Thinking is inside output_tokens; the details say how much of it was thinking.
  if (a.reasoningTokens) u['output_tokens_details'] = { thinking_tokens: a.reasoningTokens };
  return u;
}

function contentBlocks(a: Answer): JsonObject[] {
  const out: JsonObject[] = [];
  if (a.reasoning) out.push({ type: 'thinking', thinking: a.reasoning.text, signature: a.reasoning.signature });
  if (!a.toolCalls.length) out.push({ type: 'text', text: a.text });
  for (const c of a.toolCalls) out.push({ type: 'tool_use', id: wireCallId(c, 'toolu_'), name: c.name, input: JSON.parse(c.arguments) as JsonValue, caller: { type: 'direct' } });
  return out;
}

function message(a: Answer, model: string, id: string): JsonObject {
  return {
    id: `msg_${id}`, type: 'message', role: 'assistant', model, content: contentBlocks(a),
    stop_reason: stopReasonOf(a), stop_sequence: a.stopSequence ?? null, usage: usage(a),
  };
}

async function* messageEvents(a: Answer, model: string, id: string): AsyncGenerator<StreamEvent> {
  const ev = (type: string, fields: JsonObject = {}): StreamEvent => ({ event: type, data: { type, ...fields } });
  const start = { ...usage(a), output_tokens: 1 };
  yield ev('message_start', { message: { id: `msg_${id}`, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: start } });
  yield ev('ping');
  for (const [index, block] of contentBlocks(a).entries()) {
    switch (block['type']) {
      case 'thinking':
        yield ev('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } });
        for (const thinking of streamPieces(a.reasoning!.text)) yield ev('content_block_delta', { index, delta: { type: 'thinking_delta', thinking } });
        yield ev('content_block_delta', { index, delta: { type: 'signature_delta', signature: a.reasoning!.signature } });
        break;
      case 'text':
        yield ev('content_block_start', { index, content_block: { type: 'text', text: '' } });
        for (const text of streamPieces(a.text)) yield ev('content_block_delta', { index, delta: { type: 'text_delta', text } });
        break;
      case 'tool_use': {
        yield ev('content_block_start', { index, content_block: { ...block, input: {} } });
        const args = JSON.stringify(block['input']);
        for (const partial_json of fragments(args)) yield ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } });
        break;
      }
    }
    yield ev('content_block_stop', { index });
  }
  const { service_tier: _tier, ...final } = usage(a);
  yield ev('message_delta', { delta: { stop_reason: stopReasonOf(a), stop_sequence: a.stopSequence ?? null }, usage: final });
  yield ev('message_stop');
}
