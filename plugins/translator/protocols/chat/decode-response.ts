// A Chat Completions response → IR: reasoning first, then text (and refusal), then tool calls.
import { asArray, asObject, asString, emptyUsage, GatewayError, type JsonObject, type JsonValue } from '../../../../core/index.js';
import type { IrPart, IrResponse } from '../../ir.js';
import { finishReasonToIr } from './finish-reason.js';
import { reasoningDetailsToIr, toolCallSignature } from './provider-state.js';
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

function messageParts(message: JsonObject): IrPart[] {
  const parts: IrPart[] = [];
  const details = reasoningDetailsToIr(message['reasoning_details']);
  const reasoning = asString(message['reasoning_content']) ?? asString(message['reasoning']);
  if (details.length > 0) parts.push(...details);
  else if (reasoning) parts.push({ type: 'thinking', text: reasoning });

  const content = message['content'];
  if (typeof content === 'string') {
    if (content !== '') parts.push({ type: 'text', text: content });
  } else {
    // A few OpenAI-compatible servers answer with content parts.
    for (const item of asArray(content)) {
      const text = asString(asObject(item)?.['text']);
      if (text) parts.push({ type: 'text', text });
    }
  }
  const refusal = asString(message['refusal']);
  if (refusal) parts.push({ type: 'text', text: refusal });

  asArray(message['tool_calls']).forEach((item, i) => {
    const call = asObject(item);
    if (!call) return;
    const id = asString(call['id']) || `call_${i}`;
    const custom = asObject(call['custom']);
    const fn = asObject(call['function']);
    const name = asString(custom?.['name']) ?? asString(fn?.['name']) ?? '';
    const args = custom ? JSON.stringify({ input: asString(custom['input']) ?? '' }) : asString(fn?.['arguments']) ?? '';
    const signature = toolCallSignature(call);
    parts.push(signature ? { type: 'tool_call', id, name, arguments: args, signature } : { type: 'tool_call', id, name, arguments: args });
  });
  const legacy = asObject(message['function_call']);
  if (legacy) parts.push({ type: 'tool_call', id: 'call_legacy', name: asString(legacy['name']) ?? '', arguments: asString(legacy['arguments']) ?? '' });
  return parts;
}
