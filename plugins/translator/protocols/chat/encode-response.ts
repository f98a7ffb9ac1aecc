// IR → a Chat Completions response as the openai SDK types it.
import type { JsonObject } from '../../../../core/index.js';
import type { EncodeContext } from '../../codec.js';
import type { IrResponse } from '../../ir.js';
import { argumentsOrEmptyObject, mintId } from '../../util.js';
import { finishReasonFromIr } from './finish-reason.js';
import { customToolCall, freeformToolNames } from './freeform.js';
import { reasoningDetailsFromIr, toolCallSignatureField } from './provider-state.js';
import { usageFromIr } from './usage.js';

export function encodeChatResponse(res: IrResponse, ctx: EncodeContext): JsonObject {
  let text = '';
  let reasoning = '';
  const toolCalls: JsonObject[] = [];
  const freeform = freeformToolNames(ctx.request);
  for (const p of res.parts) {
    if (p.type === 'text') text += p.text;
    else if (p.type === 'thinking') reasoning += p.text;
    else if (p.type === 'tool_call' && freeform.has(p.name)) toolCalls.push(customToolCall(p.id, p.name, p.arguments));
    else if (p.type === 'tool_call') {
      const call: JsonObject = { id: p.id, type: 'function', function: { name: p.name, arguments: argumentsOrEmptyObject(p.arguments) } };
      if (p.signature !== undefined) call['extra_content'] = toolCallSignatureField(p.signature);
      toolCalls.push(call);
    }
  }
  const message: JsonObject = { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text };
  if (toolCalls.length > 0) message['tool_calls'] = toolCalls;
  if (reasoning !== '') message['reasoning_content'] = reasoning;
  // Signatures ride along so a client that sends this message back keeps them (see provider-state.ts).
  const details = reasoningDetailsFromIr(res.parts);
  if (details) message['reasoning_details'] = details;
  message['refusal'] = null;
  return {
    id: mintId('chatcmpl', ctx.requestId),
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.clientModel,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReasonFromIr(res.stopReason) }],
    usage: usageFromIr(res.usage),
  };
}
