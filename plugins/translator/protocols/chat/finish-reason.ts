// Chat `finish_reason` ⇄ IR stop reasons. Chat cannot say which stop sequence matched, and has
// no `pause` or `refusal` reason: those collapse onto the nearest Chat value.
import type { IrStopReason } from '../../ir.js';

export type ChatFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export function finishReasonToIr(reason: string | undefined, sawToolCalls: boolean): IrStopReason {
  switch (reason) {
    case 'length': return 'max_tokens';
    case 'tool_calls': case 'function_call': return 'tool_use';
    case 'content_filter': return 'content_filter';
    // Some OpenAI-compatible servers (Gemini's compat layer among them) say `stop` after tool calls.
    default: return sawToolCalls ? 'tool_use' : 'end_turn';
  }
}

export function finishReasonFromIr(reason: IrStopReason): ChatFinishReason {
  switch (reason) {
    case 'max_tokens': return 'length';
    case 'tool_use': return 'tool_calls';
    case 'content_filter': case 'refusal': return 'content_filter';
    case 'end_turn': case 'stop_sequence': case 'pause': return 'stop';
  }
}
