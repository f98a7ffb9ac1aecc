// Loopback in OpenAI Responses format: a JSON response object, or the SSE sequence OpenAI sends
// (created, in_progress, per-item added/delta/done events, completed with usage), every event
// numbered by `sequence_number` and named by its type.
import { asObject, asString } from '../../protocols/json.js';
import { responsesToolDeclarations } from '../../protocols/view/request-openai.js';
import type { JsonObject, JsonValue, StreamEvent } from '../../protocols/types.js';
import { jsonReply, nowSeconds, streamReply, type LoopbackHandler } from './reply.js';
import type { GatewayResponse, UpstreamRequest } from '../../exchange.js';
import { decide, forgedThought, stopReasonOf, wireCallId, type Answer, type ConversationView } from './script.js';
import { conversationOf, requestView, thoughtsOf } from './conversation.js';
import { jsonOutputOf } from './json-sample.js';
import { invalidSignature } from './signature.js';
import { fragments, streamPieces } from './text.js';

export const openaiResponses: LoopbackHandler = (request, id) => {
  const view = responsesView(request);
  const forged = forgedThought(view);
  if (forged) {
    const message = `The encrypted content for item ${forged.location} could not be verified.`;
    throw invalidSignature('openai', message, { error: { message, type: 'invalid_request_error', param: null, code: 'invalid_encrypted_content' } });
  }
  return renderResponses(decide(view), request, id);
};

/** A tool loopback may call, as the client knows it. */
interface OfferedTool { name: string; namespace?: string; custom: boolean }

/**
 * The function and freeform (`custom`, such as Codex's apply_patch: called with raw text, not JSON
 * arguments) tools offered, in `tools` or an `additional_tools` input item, by the name a marker
 * gives: a tool inside a `namespace` tool as `<namespace>__<tool>`, the name every other protocol
 * gets it under after translation, so one script calls it on every route.
 */
function offeredTools(body: JsonObject): Map<string, OfferedTool> {
  const tools = new Map<string, OfferedTool>();
  for (const { tool, namespace } of responsesToolDeclarations(body)) {
    const type = tool['type'];
    const name = asString(tool['name']);
    if ((type !== 'function' && type !== 'custom') || !name) continue;
    const key = namespace ? `${namespace}__${name}` : name;
    if (!tools.has(key)) tools.set(key, namespace ? { name, namespace, custom: type === 'custom' } : { name, custom: type === 'custom' });
  }
  return tools;
}

/** A scripted call's raw text for a freeform tool: the marker's `{"input": "…"}` string, else its JSON as it is. */
function customInput(args: string): string {
  try {
    const input = asObject(JSON.parse(args) as JsonValue)?.['input'];
    if (typeof input === 'string') return input;
  } catch { /* not JSON: the marker's text is the input */ }
  return args;
}

/** An answer as a Responses object or stream (`incomplete` when it stopped at the token limit). */
export function renderResponses(answer: Answer, request: UpstreamRequest, id: string): GatewayResponse {
  const shell = { body: request.body, model: request.model, id: `resp_${id}`, createdAt: nowSeconds(), incomplete: stopReasonOf(answer) === 'max_tokens' };
  const items = outputItems(answer, id, offeredTools(request.body));
  const status = shell.incomplete ? 'incomplete' : 'completed';
  return request.stream
    ? streamReply(request, responseEvents(answer, items, shell))
    : jsonReply(request, responseObject(shell, status, items, usage(answer)));
}

export function responsesView(request: UpstreamRequest): ConversationView {
  const view = requestView(request);
  const conversation = conversationOf(view, {
    promptParam: 'input', toolsOff: request.body['tool_choice'] === 'none', // the tools themselves: below
    jsonOutput: ((f) => jsonOutputOf(f, f?.['schema'], 'text.format'))(asObject(asObject(request.body['text'])?.['format'])),
    // Reasoning without encrypted content was not signed: nothing to verify.
    thoughts: thoughtsOf(view, (s) => s.value !== undefined, (s) => s.id ?? `input[${s.turn}]`),
  });
  // A marker may name a freeform tool (`[[tool:apply_patch {"input":"…"}]]`) or a namespaced one too.
  if (request.body['tool_choice'] !== 'none') conversation.tools = [...offeredTools(request.body).keys()];
  return conversation;
}

function usage(a: Answer): JsonObject {
  const output = a.outputTokens + a.reasoningTokens;
  return {
    input_tokens: a.inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: a.reasoningTokens },
    total_tokens: a.inputTokens + output,
  };
}

/** The finished output items, in order: reasoning, then tool calls or the message. */
function outputItems(a: Answer, id: string, offered: ReadonlyMap<string, OfferedTool>): JsonObject[] {
  const items: JsonObject[] = [];
  if (a.reasoning) {
    items.push({ id: `rs_${id}`, type: 'reasoning', summary: [{ type: 'summary_text', text: a.reasoning.text }], encrypted_content: a.reasoning.signature });
  }
  for (const c of a.toolCalls) {
    const tool = offered.get(c.name);
    // A namespaced tool's call names it inside its namespace, as OpenAI's does.
    const named: JsonObject = tool?.namespace ? { name: tool.name, namespace: tool.namespace } : { name: c.name };
    items.push(tool?.custom
      ? { id: `ctc_${c.id}`, type: 'custom_tool_call', status: 'completed', call_id: wireCallId(c, 'call_'), ...named, input: customInput(c.arguments) }
      : { id: `fc_${c.id}`, type: 'function_call', status: 'completed', arguments: c.arguments, call_id: wireCallId(c, 'call_'), ...named });
  }
  if (!a.toolCalls.length) {
    items.push({
      id: `msg_${id}`, type: 'message', status: 'completed', role: 'assistant',
      content: [{ type: 'output_text', text: a.text, annotations: [], logprobs: [] }],
    });
  }
  return items;
}

interface Shell { body: JsonObject; model: string; id: string; createdAt: number; incomplete?: boolean }

function responseObject(s: Shell, status: string, output: JsonValue[], usage: JsonObject | null): JsonObject {
  const b = s.body;
  const reasoning = asObject(b['reasoning']);
  return {
    id: s.id, object: 'response', created_at: s.createdAt, status, background: false, error: null,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: b['instructions'] ?? null, max_output_tokens: b['max_output_tokens'] ?? null, model: s.model, output,
    parallel_tool_calls: b['parallel_tool_calls'] ?? true, previous_response_id: b['previous_response_id'] ?? null,
    reasoning: { effort: reasoning?.['effort'] ?? null, summary: reasoning?.['summary'] ?? null },
    store: b['store'] ?? true, temperature: b['temperature'] ?? 1, text: b['text'] ?? { format: { type: 'text' } },
    tool_choice: b['tool_choice'] ?? 'auto', tools: b['tools'] ?? [], top_p: b['top_p'] ?? 1, truncation: b['truncation'] ?? 'disabled',
    usage, user: null, metadata: b['metadata'] ?? {},
  };
}

async function* responseEvents(a: Answer, items: JsonObject[], shell: Shell): AsyncGenerator<StreamEvent> {
  let sequence = 0;
  // `more`: what an item's events add to its place (`at`); spreading `at` into a copy that then gains a key costs a new V8 map per event (core's withFields says why).
  const ev = (type: string, fields: JsonObject, more?: JsonObject): StreamEvent => ({ event: type, data: { type, sequence_number: sequence++, ...fields, ...more } });
  yield ev('response.created', { response: responseObject(shell, 'in_progress', [], null) });
  yield ev('response.in_progress', { response: responseObject(shell, 'in_progress', [], null) });
  for (const [output_index, item] of items.entries()) {
    const item_id = asString(item['id'])!;
    switch (item['type']) {
      case 'reasoning': {
        const text = a.reasoning!.text;
        const at = { item_id, output_index, summary_index: 0 };
        yield ev('response.output_item.added', { output_index, item: { id: item_id, type: 'reasoning', summary: [] } });
        yield ev('response.reasoning_summary_part.added', at, { part: { type: 'summary_text', text: '' } });
        for (const delta of streamPieces(text)) yield ev('response.reasoning_summary_text.delta', at, { delta });
        yield ev('response.reasoning_summary_text.done', at, { text });
        yield ev('response.reasoning_summary_part.done', at, { part: { type: 'summary_text', text } });
        break;
      }
      case 'function_call': {
        const args = asString(item['arguments'])!;
        yield ev('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', arguments: '' } });
        for (const delta of fragments(args)) yield ev('response.function_call_arguments.delta', { item_id, output_index, delta });
        yield ev('response.function_call_arguments.done', { item_id, output_index, name: item['name']!, arguments: args });
        break;
      }
      case 'custom_tool_call': {
        const input = asString(item['input'])!;
        yield ev('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', input: '' } });
        for (const delta of fragments(input)) yield ev('response.custom_tool_call_input.delta', { item_id, output_index, delta });
        yield ev('response.custom_tool_call_input.done', { item_id, output_index, input });
        break;
      }
      case 'message': {
        const at = { item_id, output_index, content_index: 0 };
        yield ev('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', content: [] } });
        yield ev('response.content_part.added', at, { part: { type: 'output_text', text: '', annotations: [], logprobs: [] } });
        for (const delta of streamPieces(a.text)) yield ev('response.output_text.delta', at, { delta, logprobs: [] });
        yield ev('response.output_text.done', at, { text: a.text, logprobs: [] });
        yield ev('response.content_part.done', at, { part: { type: 'output_text', text: a.text, annotations: [], logprobs: [] } });
        break;
      }
    }
    yield ev('response.output_item.done', { output_index, item });
  }
  const terminal = shell.incomplete ? 'response.incomplete' : 'response.completed';
  yield ev(terminal, { response: responseObject(shell, shell.incomplete ? 'incomplete' : 'completed', items, usage(a)) });
}
