// The Responses `response` object and its output items. The JSON response, the stream's
// response.created/in_progress and its terminal event all come from here, so an SDK that rebuilds
// a streamed answer gets exactly what the non-streaming call returns.
import type { JsonObject, JsonValue, Usage } from '../../../../core/index.js';
import type { EncodeContext } from '../../codec.js';
import type { IrStopReason } from '../../ir.js';
import { mintId } from '../../util.js';
import { freeformNames, incompleteReason, instructionsText, namespacedTools, toolChoiceToWire, toolToWire, usageToWire } from './wire.js';

export type ItemKind = 'rs' | 'msg' | 'fc' | 'ctc';

/** Item ids derive from the request id and the output index: stream and JSON agree on them. */
export function itemId(kind: ItemKind, ctx: EncodeContext, outputIndex: number): string {
  return mintId(kind, ctx.requestId, outputIndex);
}

export function reasoningItem(id: string, text: string, signature: string | undefined): JsonObject {
  const item: JsonObject = { id, type: 'reasoning', summary: text ? [{ type: 'summary_text', text }] : [] };
  if (signature !== undefined) item['encrypted_content'] = signature;
  return item;
}

/**
 * An output item's status: `incomplete` for the item the token limit (or a content filter) cut
 * short, as OpenAI marks it — a client that checks the item, not only the response, must not take
 * a truncated answer for a finished one.
 */
export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

export function messageItem(id: string, text: string, status: ItemStatus = 'completed'): JsonObject {
  return {
    id, type: 'message', status, role: 'assistant',
    content: status === 'in_progress' ? [] : [outputTextPart(text)],
  };
}

/** The status of an item that has ended: `incomplete` when it is the last one and the answer stopped short. */
export function endedStatus(stopReason: IrStopReason, last: boolean): 'completed' | 'incomplete' {
  return last && incompleteReason(stopReason) ? 'incomplete' : 'completed';
}

export function outputTextPart(text: string): JsonObject {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

/** A call's name as the client knows it: a tool of a namespace tool is named inside its namespace. */
export interface CallName { name: string; namespace?: string }

export function callName(irName: string, namespaced: Map<string, { name: string; tool: string }>): CallName {
  const ns = namespaced.get(irName);
  return ns ? { name: ns.tool, namespace: ns.name } : { name: irName };
}

export function functionCallItem(id: string, callId: string, name: CallName, args: string, status: ItemStatus = 'completed'): JsonObject {
  return { id, type: 'function_call', status, arguments: args, call_id: callId, ...name };
}

export function customCallItem(id: string, callId: string, name: CallName, input: string, status: ItemStatus = 'completed'): JsonObject {
  return { id, type: 'custom_tool_call', status, call_id: callId, ...name, input };
}

export interface ResponseState {
  /** undefined while the response is still streaming. */
  stopReason: IrStopReason | undefined;
  output: JsonValue[];
  usage: Usage | undefined;
}

export function responseObject(ctx: EncodeContext, state: ResponseState): JsonObject {
  const req = ctx.request;
  const freeform = freeformNames(req.tools);
  const reason = state.stopReason === undefined ? undefined : incompleteReason(state.stopReason);
  const status = state.stopReason === undefined ? 'in_progress' : reason ? 'incomplete' : 'completed';
  const format: JsonObject = req.responseFormat && req.responseFormat.type !== 'text'
    ? responseFormatToWire(req.responseFormat.type, req.responseFormat.name, req.responseFormat.schema, req.responseFormat.strict)
    : { type: 'text' };
  return {
    id: mintId('resp', ctx.requestId),
    object: 'response',
    created_at: ctx.created,
    status,
    error: null,
    incomplete_details: reason ? { reason } : null,
    instructions: instructionsText(req) ?? null,
    max_output_tokens: req.maxTokens ?? null,
    model: ctx.clientModel,
    output: state.output,
    parallel_tool_calls: req.parallelToolCalls ?? true,
    previous_response_id: null,
    reasoning: {
      effort: req.reasoning?.effort ?? null,
      // The IR keeps only whether a summary was wanted, not which kind.
      summary: req.reasoning?.includeThoughts ? 'auto' : null,
    },
    store: false,
    temperature: req.temperature ?? 1,
    top_p: req.topP ?? 1,
    text: { format },
    // The client's own form: a namespaced tool by the name it has inside its namespace.
    tool_choice: req.toolChoice === undefined ? 'auto' : toolChoiceToWire(req.toolChoice, freeform, namespacedTools(req.tools)),
    tools: req.tools.map(toolToWire),
    truncation: 'disabled',
    usage: state.usage ? usageToWire(state.usage) : null,
    metadata: {},
  };
}

function responseFormatToWire(type: 'json_object' | 'json_schema', name?: string, schema?: JsonObject, strict?: boolean): JsonObject {
  if (type === 'json_object') return { type };
  const out: JsonObject = { type, name: name ?? 'response', schema: schema ?? { type: 'object' } };
  if (strict !== undefined) out['strict'] = strict;
  return out;
}
