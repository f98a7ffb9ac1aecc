// A Chat Completions response → IR: reasoning first, then text (and refusal), then tool calls.
import { asArray, asObject, asString, emptyUsage, GatewayError, type JsonObject, type JsonValue } from '../../../../core/index.js';
import type { IrPart, IrResponse } from '../../ir.js';
import { finishReasonToIr } from './finish-reason.js';
import { assistantParts, MessageReader } from './message-reader.js';
import { upstreamError } from './upstream-error.js';
import { usageToIr } from './usage.js';

export function decodeChatResponse(body: JsonValue): IrResponse {
  const b = asObject(body);
  if (!b) throw new GatewayError('SLUICE_E_UPSTREAM_ERROR', 'upstream sent a non-object chat completion');
  if (b['error'] !== undefined && b['error'] !== null) throw upstreamError(b);
  const choice = asObject(asArray(b['choices'])[0]);
  const message = asObject(choice?.['message']);
  if (!message) throw new GatewayError('SLUICE_E_UPSTREAM_ERROR', 'upstream chat completion has no choices[0].message');

  const parts = messageParts(message);
  const toolCalls = parts.some((p) => p.type === 'tool_call');
  return {
    id: asString(b['id']) ?? '',
    model: asString(b['model']) ?? '',
    parts,
    stopReason: finishReasonToIr(asString(choice?.['finish_reason']), toolCalls),
    usage: usageToIr(b) ?? emptyUsage(),
  };
}

/** The answer's message is read as the request decoder reads an assistant message, leniently. */
function messageParts(message: JsonObject): IrPart[] {
  const reader = new MessageReader(ignore, new Map(), [], true);
  reader.read(message, 0, 'assistant');
  return assistantParts(reader);
}

/** What an answer carries that the IR cannot is not reported: `dropped` is a request's list. */
function ignore(): void {}
