// A Chat Completions request body → IR. Leading system/developer messages become the IR system
// prompt; later ones stay in place. Every field the IR cannot hold is named in `dropped`: the keys
// request-shape.ts does not declare, and what is dropped for its value.
import { asArray, asNumber, asObject, asString, isObject, type JsonObject, type JsonValue } from '../../../../core/index.js';
import type {
  IrEffort, IrImage, IrMessage, IrPart, IrReasoning, IrRequest, IrResponseFormat, IrText, IrTool, IrToolChoice,
} from '../../ir.js';
import { droppedFields } from '../../dropped-fields.js';
import { invalid } from '../../util.js';
import { assistantParts, MessageReader } from './message-reader.js';
import { CHAT_REQUEST_SHAPE } from './request-shape.js';

const EFFORTS: readonly IrEffort[] = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'];

/** Freeform (custom) tools look like a one-string-argument function to protocols without them. */
export const FREEFORM_PARAMETERS: JsonObject = {
  type: 'object', properties: { input: { type: 'string' } }, required: ['input'], additionalProperties: false,
};

export function decodeChatRequest(body: JsonObject, model: string, stream: boolean, listDrops = true): IrRequest {
  const dropped = new Set<string>();
  const drop = (name: string): void => { dropped.add(name); };

  const n = body['n'];
  if (n !== undefined && n !== null && n !== 1) throw invalid('n > 1 cannot be translated', 'n');

  if (!Array.isArray(body['messages'])) throw invalid('messages must be an array', 'messages');
  const { system, messages } = decodeMessages(body['messages'], drop);

  const req: IrRequest = {
    model, system, messages, tools: decodeTools(body), stop: decodeStop(body['stop']), stream, dropped: [],
  };
  const toolChoice = decodeToolChoice(body['tool_choice'] ?? body['function_call']);
  if (toolChoice !== undefined) req.toolChoice = toolChoice;
  const parallel = body['parallel_tool_calls'];
  if (typeof parallel === 'boolean') req.parallelToolCalls = parallel;
  const maxTokens = asNumber(body['max_completion_tokens']) ?? asNumber(body['max_tokens']);
  if (maxTokens !== undefined) req.maxTokens = maxTokens;
  const temperature = asNumber(body['temperature']);
  if (temperature !== undefined) req.temperature = temperature;
  const topP = asNumber(body['top_p']);
  if (topP !== undefined) req.topP = topP;
  const verbosity = asString(body['verbosity']);
  if (verbosity !== undefined) req.verbosity = verbosity;
  const seed = asNumber(body['seed']);
  if (seed !== undefined) req.seed = seed;
  const presence = asNumber(body['presence_penalty']);
  if (presence !== undefined) req.presencePenalty = presence;
  const frequency = asNumber(body['frequency_penalty']);
  if (frequency !== undefined) req.frequencyPenalty = frequency;
  const reasoning = decodeReasoningEffort(body['reasoning_effort']);
  if (reasoning) req.reasoning = reasoning;
  const format = decodeResponseFormat(body['response_format']);
  if (format) req.responseFormat = format;
  // `safety_identifier` is OpenAI's successor to `user`; both name the end user.
  const user = asString(body['user']) ?? asString(body['safety_identifier']);
  if (user !== undefined) req.user = user;
  req.dropped = listDrops ? droppedFields(body, CHAT_REQUEST_SHAPE, dropped) : [...dropped];
  return req;
}

function decodeMessages(list: JsonValue[], drop: (name: string) => void): { system: IrText[]; messages: IrMessage[] } {
  const system: IrText[] = [];
  const messages: IrMessage[] = [];
  const reader = new MessageReader(drop, new Map(), []);
  const { callNames, legacyCalls } = reader;
  let leading = true;

  list.forEach((item, i) => {
    const m = asObject(item);
    if (!m) throw invalid(`messages[${i}] must be an object`, `messages[${i}]`);
    const role = asString(m['role']);
    if (role !== 'system' && role !== 'developer' && role !== 'user' && role !== 'assistant' && role !== 'tool' && role !== 'function') {
      throw invalid(`messages[${i}].role must be one of system, developer, user, assistant, tool, function`, `messages[${i}].role`);
    }
    // Only an assistant message may have no content (its calls); Responses refuses the same.
    const content = m['content'];
    if (role !== 'assistant' && role !== 'function' && typeof content !== 'string' && !Array.isArray(content)) {
      throw invalid(`messages[${i}].content must be a string or an array`, `messages[${i}].content`);
    }
    reader.read(m, i, role);
    if (role === 'system' || role === 'developer') {
      const parts = reader.texts();
      if (leading) system.push(...parts);
      else messages.push({ role: 'system', parts });
      return;
    }
    leading = false;
    switch (role) {
      case 'user':
        messages.push({ role: 'user', parts: reader.content });
        return;
      case 'assistant':
        messages.push({ role: 'assistant', parts: assistantParts(reader) });
        return;
      case 'tool': {
        const callId = reader.resultId;
        if (!callId) throw invalid(`messages[${i}].tool_call_id is required`, `messages[${i}].tool_call_id`);
        // A tool message holds no PDF (the reader takes them from user messages only).
        pushToolResult(messages, callId, callNames.get(callId), reader.content.filter((c): c is IrText | IrImage => c.type !== 'document'));
        return;
      }
      case 'function': {
        const name = reader.resultName ?? '';
        const at = legacyCalls.findIndex((c) => c.name === name);
        const id = at === -1 ? `call_legacy_${i}` : legacyCalls.splice(at, 1)[0]!.id;
        pushToolResult(messages, id, name, reader.texts());
      }
    }
  });
  return { system, messages };
}

/** Consecutive tool messages answer one assistant turn: they share one IR user message. */
function pushToolResult(messages: IrMessage[], callId: string, name: string | undefined, content: (IrText | IrImage)[]): void {
  const part: IrPart = name === undefined
    ? { type: 'tool_result', callId, content, isError: false }
    : { type: 'tool_result', callId, name, content, isError: false };
  const last = messages[messages.length - 1];
  if (last && last.role === 'user' && last.parts.length > 0 && last.parts.every((p) => p.type === 'tool_result')) last.parts.push(part);
  else messages.push({ role: 'user', parts: [part] });
}

/** Tools of other types (hosted ones) are dropped whole (request-shape.ts names them). */
function decodeTools(body: JsonObject): IrTool[] {
  const tools: IrTool[] = [];
  for (const item of asArray(body['tools'])) {
    const t = asObject(item);
    if (!t) continue;
    const type = asString(t['type']);
    if (type === 'function') {
      const fn = asObject(t['function']);
      const name = asString(fn?.['name']);
      if (!fn || !name) throw invalid('each function tool needs function.name', 'tools');
      tools.push(functionTool(fn, name));
    } else if (type === 'custom') {
      const c = asObject(t['custom']);
      const name = asString(c?.['name']);
      if (!c || !name) throw invalid('each custom tool needs custom.name', 'tools');
      const tool: IrTool = { name, parameters: FREEFORM_PARAMETERS, freeform: {} };
      const description = asString(c['description']);
      if (description !== undefined) tool.description = description;
      const format = asObject(c['format']);
      if (format) tool.freeform = { format };
      tools.push(tool);
    }
  }
  // Legacy `functions` (pre-tools API) are plain function tools.
  for (const item of asArray(body['functions'])) {
    const fn = asObject(item);
    const name = asString(fn?.['name']);
    if (fn && name) tools.push(functionTool(fn, name));
  }
  return tools;
}

function functionTool(fn: JsonObject, name: string): IrTool {
  const tool: IrTool = { name, parameters: asObject(fn['parameters']) ?? { type: 'object', properties: {} } };
  const description = asString(fn['description']);
  if (description !== undefined) tool.description = description;
  if (typeof fn['strict'] === 'boolean') tool.strict = fn['strict'];
  return tool;
}

function decodeToolChoice(choice: JsonValue | undefined): IrToolChoice | undefined {
  if (choice === 'none' || choice === 'auto' || choice === 'required') return choice;
  const c = asObject(choice);
  if (!c) return undefined;
  const type = asString(c['type']);
  const name = type === 'custom'
    ? asString(asObject(c['custom'])?.['name'])
    : asString(asObject(c['function'])?.['name']) ?? asString(c['name']); // the legacy function_call form is {name}
  return name ? { name } : undefined; // allowed_tools: no IR equivalent (request-shape.ts names it)
}

function decodeStop(stop: JsonValue | undefined): string[] {
  if (typeof stop === 'string') return [stop];
  return asArray(stop).filter((s): s is string => typeof s === 'string');
}

function decodeReasoningEffort(effort: JsonValue | undefined): IrReasoning | undefined {
  if (effort === undefined || effort === null) return undefined;
  if (typeof effort !== 'string' || !(EFFORTS as readonly string[]).includes(effort)) {
    throw invalid(`reasoning_effort must be one of ${EFFORTS.join(', ')}`, 'reasoning_effort');
  }
  return effort === 'none' ? { enabled: false, effort: 'none' } : { enabled: true, effort: effort as IrEffort };
}

function decodeResponseFormat(format: JsonValue | undefined): IrResponseFormat | undefined {
  if (!isObject(format)) return undefined;
  const type = asString(format['type']);
  if (type === 'text' || type === 'json_object') return { type };
  if (type !== 'json_schema') throw invalid('response_format.type must be text, json_object or json_schema', 'response_format.type');
  const js = asObject(format['json_schema']);
  const out: IrResponseFormat = { type: 'json_schema' };
  const name = asString(js?.['name']);
  if (name !== undefined) out.name = name;
  const schema = asObject(js?.['schema']);
  if (schema) out.schema = schema;
  if (typeof js?.['strict'] === 'boolean') out.strict = js['strict'];
  return out;
}
