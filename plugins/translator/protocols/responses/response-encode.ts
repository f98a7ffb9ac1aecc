// IR → Responses JSON response, for Responses clients (Codex CLI, the openai SDK).
import { isObject, type JsonObject, type JsonValue } from '../../../../core/index.js';
import type { EncodeContext } from '../../codec.js';
import type { IrResponse } from '../../ir.js';
import { idWithSignature } from '../../tool-call-ids.js';
import { argumentsOrEmptyObject } from '../../util.js';
import { callName, customCallItem, endedStatus, functionCallItem, itemId, messageItem, reasoningItem, responseObject } from './response-object.js';
import { customInput, freeformNames, namespacedTools, REDACTED_PREFIX } from './wire.js';

export function encodeResponsesResponse(response: IrResponse, ctx: EncodeContext): JsonObject {
  const freeform = freeformNames(ctx.request.tools);
  const namespaced = namespacedTools(ctx.request.tools);
  const output: JsonValue[] = [];
  // Runs of text become one message item and reasoning without a signature yet continues into the
  // next thinking part — the same grouping the stream encoder makes from deltas.
  let text: string | undefined;
  let thinking: { text: string; signature?: string } | undefined;
  const flush = (): void => {
    if (text !== undefined) output.push(messageItem(itemId('msg', ctx, output.length), text));
    if (thinking !== undefined) output.push(reasoningItem(itemId('rs', ctx, output.length), thinking.text, thinking.signature));
    text = undefined;
    thinking = undefined;
  };
  for (const p of response.parts) {
    switch (p.type) {
      case 'text':
        if (thinking !== undefined) flush();
        text = (text ?? '') + p.text;
        break;
      case 'thinking':
        if (text !== undefined || thinking?.signature !== undefined) flush();
        thinking = { text: (thinking?.text ?? '') + p.text };
        if (p.signature !== undefined) thinking.signature = p.signature;
        break;
      case 'redacted_thinking':
        flush();
        output.push(reasoningItem(itemId('rs', ctx, output.length), '', REDACTED_PREFIX + p.data));
        break;
      case 'tool_call': {
        flush();
        const i = output.length;
        // A Gemini function-call signature rides in call_id, which clients send back verbatim.
        const callId = idWithSignature(p.id, p.signature);
        output.push(freeform.has(p.name)
          ? customCallItem(itemId('ctc', ctx, i), callId, callName(p.name, namespaced), customInput(p.arguments))
          : functionCallItem(itemId('fc', ctx, i), callId, callName(p.name, namespaced), argumentsOrEmptyObject(p.arguments)));
        break;
      }
      default:
        break; // images and tool results never appear in a model's answer
    }
  }
  flush();
  // The last item is the one a token limit cut: it is incomplete, as in the stream (stream-encode.ts).
  const last = output[output.length - 1];
  if (isObject(last) && last['status'] === 'completed' && endedStatus(response.stopReason, true) === 'incomplete') last['status'] = 'incomplete';
  return responseObject(ctx, { stopReason: response.stopReason, output, usage: response.usage });
}
