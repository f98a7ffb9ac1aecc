// IR → Anthropic Messages JSON response (Anthropic as the client protocol).
import type { JsonObject } from '../../../../core/index.js';
import type { EncodeContext } from '../../codec.js';
import type { IrPart, IrResponse, IrStopReason } from '../../ir.js';
import { idWithSignature } from '../../tool-call-ids.js';
import { mintId, parseArguments } from '../../util.js';
import { encodeStopReason, encodeUsage } from './wire.js';

export function messageId(ctx: EncodeContext): string {
  return mintId('msg', ctx.requestId);
}

/** A turn that ends in tool calls is `tool_use` to Anthropic clients, whatever the upstream said. */
export function finalStopReason(reason: IrStopReason, hasToolCalls: boolean): string {
  return hasToolCalls && reason === 'end_turn' ? 'tool_use' : encodeStopReason(reason);
}

export function encodeResponse(response: IrResponse, ctx: EncodeContext): JsonObject {
  const content = answerOrder(response.parts).map(encodeBlock).filter((b): b is JsonObject => b !== undefined);
  return {
    id: messageId(ctx),
    type: 'message',
    role: 'assistant',
    model: ctx.clientModel,
    content,
    stop_reason: finalStopReason(response.stopReason, response.parts.some((p) => p.type === 'tool_call')),
    stop_sequence: response.stopSequence ?? null,
    stop_details: null,
    usage: encodeUsage(response.usage),
  };
}

/**
 * Anthropic rejects a turn with a thinking block after a text or tool_use block, so reasoning that
 * comes after the answer has begun (Gemini's signature on a final empty text part, a second
 * reasoning item after a call) is left out — as the stream encoder does.
 */
function answerOrder(parts: IrPart[]): IrPart[] {
  const first = parts.findIndex((p) => p.type === 'text' || p.type === 'tool_call');
  if (first === -1) return parts;
  const late = (p: IrPart) => p.type === 'thinking' || p.type === 'redacted_thinking';
  return parts.some((p, i) => i > first && late(p)) ? parts.filter((p, i) => i < first || !late(p)) : parts;
}

function encodeBlock(p: IrPart): JsonObject | undefined {
  switch (p.type) {
    case 'text': return { type: 'text', text: p.text };
    // Claude Code sends thinking back on the next turn; an empty signature marks reasoning from
    // another provider, which the Anthropic request encoder then leaves out.
    case 'thinking': return { type: 'thinking', thinking: p.text, signature: p.signature ?? '' };
    case 'redacted_thinking': return { type: 'redacted_thinking', data: p.data };
    // A Gemini function-call signature rides in the id, which Anthropic clients send back verbatim.
    case 'tool_call': return { type: 'tool_use', id: idWithSignature(p.id, p.signature), name: p.name, input: parseArguments(p.arguments) };
    default: return undefined; // images and tool results are never model output
  }
}
