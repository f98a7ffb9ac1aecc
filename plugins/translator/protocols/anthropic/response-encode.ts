// IR → Anthropic Messages JSON response (Anthropic as the client protocol).
import type { JsonObject } from '../../../../core/index.js';
import type { EncodeContext } from '../../codec.js';
import type { IrPart, IrResponse, IrStopReason } from '../../ir.js';
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
  const content = response.parts.map(encodeBlock).filter((b): b is JsonObject => b !== undefined);
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

function encodeBlock(p: IrPart): JsonObject | undefined {
  switch (p.type) {
    case 'text': return { type: 'text', text: p.text };
    // Claude Code sends thinking back on the next turn; an empty signature marks reasoning from
    // another provider, which the Anthropic request encoder then leaves out.
    case 'thinking': return { type: 'thinking', thinking: p.text, signature: p.signature ?? '' };
    case 'redacted_thinking': return { type: 'redacted_thinking', data: p.data };
    case 'tool_call': return { type: 'tool_use', id: p.id, name: p.name, input: parseArguments(p.arguments) };
    default: return undefined; // images and tool results are never model output
  }
}
