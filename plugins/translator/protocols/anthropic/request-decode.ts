// Anthropic Messages request body → IR. Messages and the system prompt are read through core's
// readers (the view's); everything the IR cannot hold is named in `dropped`: the keys
// request-shape.ts does not declare, and what is dropped for its value.
import {
  asArray, asNumber, asObject, asString, readMessagesSystem, readMessagesTurn, type JsonObject, type JsonValue,
} from '../../../../core/index.js';
import type { IrEffort, IrMessage, IrReasoning, IrRequest, IrText, IrTool, IrToolChoice } from '../../ir.js';
import { droppedFields } from '../../dropped-fields.js';
import { invalid } from '../../util.js';
import { BlockReader } from './block-reader.js';
import { effortInForce } from './message-effort.js';
import { ANTHROPIC_REQUEST_SHAPE } from './request-shape.js';

const EFFORTS: readonly IrEffort[] = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'];
const isEffort = (v: string | undefined): v is IrEffort => EFFORTS.some((e) => e === v);

export function decodeRequest(body: JsonObject, model: string, stream: boolean, listDrops = true): IrRequest {
  const dropped = new Set<string>();

  if (!Array.isArray(body['messages'])) throw invalid('messages: expected an array of messages', 'messages');
  const request: IrRequest = {
    model,
    system: decodeSystem(body['system'], body),
    messages: decodeMessages(body['messages']),
    tools: decodeTools(body['tools']),
    stop: asArray(body['stop_sequences']).filter((s): s is string => typeof s === 'string'),
    stream,
    dropped: [],
  };
  const maxTokens = asNumber(body['max_tokens']);
  if (maxTokens !== undefined) request.maxTokens = maxTokens;
  const temperature = asNumber(body['temperature']);
  if (temperature !== undefined) request.temperature = temperature;
  const topP = asNumber(body['top_p']);
  if (topP !== undefined) request.topP = topP;
  const topK = asNumber(body['top_k']);
  if (topK !== undefined) request.topK = topK;

  decodeToolChoice(body['tool_choice'], request);
  const outputConfig = asObject(body['output_config']);
  // A mid-conversation system message may change the effort (message-effort.ts).
  const reasoning = decodeReasoning(asObject(body['thinking']), effortInForce(body['messages'], asString(outputConfig?.['effort'])), dropped);
  if (reasoning) request.reasoning = reasoning;
  // `output_config.format` is the GA shape; `output_format` the structured-outputs beta one.
  const format = asObject(outputConfig?.['format']) ?? asObject(body['output_format']);
  if (format) {
    const schema = asObject(format['schema']);
    if (asString(format['type']) === 'json_schema' && schema) request.responseFormat = { type: 'json_schema', schema };
    else dropped.add(outputConfig?.['format'] !== undefined ? 'output_config.format' : 'output_format');
  }

  const metadata = asObject(body['metadata']);
  if (metadata) {
    const user = asString(metadata['user_id']);
    if (user !== undefined) request.user = user;
  }
  request.dropped = listDrops ? droppedFields(body, ANTHROPIC_REQUEST_SHAPE, dropped) : [...dropped];
  return request;
}

function decodeSystem(system: JsonValue | undefined, body: JsonObject): IrText[] {
  if (system === undefined || system === null) return [];
  if (typeof system !== 'string' && !Array.isArray(system)) throw invalid('system: expected a string or an array of text blocks', 'system');
  const reader = new BlockReader(new Map());
  readMessagesSystem(body, reader);
  return reader.parts as IrText[];
}

function decodeMessages(messages: JsonValue[]): IrMessage[] {
  // Tool results name their function where the IR can (Gemini needs it): remember each call's name.
  const reader = new BlockReader(new Map());
  const out: IrMessage[] = [];
  messages.forEach((raw, i) => {
    const m = asObject(raw);
    const role = asString(m?.['role']);
    if (!m || (role !== 'user' && role !== 'assistant' && role !== 'system')) {
      throw invalid(`messages.${i}.role: expected "user", "assistant" or "system"`, `messages.${i}.role`);
    }
    const content = m['content'];
    if (typeof content !== 'string' && !Array.isArray(content)) {
      throw invalid(`messages.${i}.content: expected a string or an array of content blocks`, `messages.${i}.content`);
    }
    reader.parts = [];
    readMessagesTurn(m, i, reader);
    // A system message with no text only changed the effort (read apart, message-effort.ts).
    if (role !== 'system' || reader.parts.length > 0) out.push({ role, parts: reader.parts });
  });
  return out;
}

function decodeTools(tools: JsonValue | undefined): IrTool[] {
  const out: IrTool[] = [];
  for (const raw of asArray(tools)) {
    const t = asObject(raw);
    if (!t) continue;
    const type = asString(t['type']);
    // Typed tools other than `custom` are Anthropic server tools (web_search_20250305, bash_…):
    // they run inside Anthropic and have no function equivalent elsewhere.
    if (type !== undefined && type !== 'custom') continue;
    const tool: IrTool = { name: asString(t['name']) ?? '', parameters: asObject(t['input_schema']) ?? { type: 'object', properties: {} } };
    const description = asString(t['description']);
    if (description !== undefined) tool.description = description;
    if (typeof t['strict'] === 'boolean') tool.strict = t['strict'];
    const cache = asObject(t['cache_control']);
    if (cache) tool.cache = cache;
    out.push(tool);
  }
  return out;
}

function decodeToolChoice(raw: JsonValue | undefined, request: IrRequest): void {
  const choice = asObject(raw);
  if (!choice) return;
  let toolChoice: IrToolChoice | undefined;
  switch (asString(choice['type'])) {
    case 'auto': toolChoice = 'auto'; break;
    case 'any': toolChoice = 'required'; break;
    case 'none': toolChoice = 'none'; break;
    case 'tool': toolChoice = { name: asString(choice['name']) ?? '' }; break;
  }
  if (toolChoice !== undefined) request.toolChoice = toolChoice;
  const disable = choice['disable_parallel_tool_use'];
  if (typeof disable === 'boolean') request.parallelToolCalls = !disable;
}

function decodeReasoning(thinking: JsonObject | undefined, effort: string | undefined, dropped: Set<string>): IrReasoning | undefined {
  if (!thinking && effort === undefined) return undefined;
  const type = asString(thinking?.['type']);
  const reasoning: IrReasoning = { enabled: type !== 'disabled' };
  const budget = asNumber(thinking?.['budget_tokens']);
  if (type === 'enabled' && budget !== undefined) reasoning.budgetTokens = budget;
  // `between_tools` (think only between tool calls) has no equivalent: it becomes plain thinking.
  if (type === 'between_tools') dropped.add('thinking.type=between_tools');
  const display = asString(thinking?.['display']);
  if (display === 'omitted') reasoning.includeThoughts = false;
  else if (display === 'summarized') reasoning.includeThoughts = true;
  if (isEffort(effort)) reasoning.effort = effort;
  return reasoning;
}
