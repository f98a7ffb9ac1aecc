// Gemini finishReason ⇄ IR stop reasons.
import type { IrStopReason } from '../../ir.js';

const CONTENT_FILTER = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'IMAGE_RECITATION']);

/**
 * `hasToolCalls` turns STOP into tool_use: Gemini says STOP whether or not it called a function.
 * MALFORMED_FUNCTION_CALL, OTHER, LANGUAGE… end the turn: there is nothing better to tell a client.
 */
export function stopReasonFromGemini(finishReason: string | undefined, hasToolCalls: boolean): IrStopReason {
  if (finishReason === 'MAX_TOKENS') return 'max_tokens';
  if (finishReason !== undefined && CONTENT_FILTER.has(finishReason)) return 'content_filter';
  return hasToolCalls && (finishReason === undefined || finishReason === 'STOP') ? 'tool_use' : 'end_turn';
}

/** Gemini has no tool_use, stop_sequence or pause reason: all of them are a normal STOP. */
export function stopReasonToGemini(reason: IrStopReason): string {
  switch (reason) {
    case 'max_tokens': return 'MAX_TOKENS';
    case 'content_filter': case 'refusal': return 'SAFETY';
    default: return 'STOP';
  }
}
