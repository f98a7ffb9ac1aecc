// A Chat Completions request body → IR. Leading system/developer messages become the IR system
// prompt; later ones stay in place. Every field the IR cannot hold is named in `dropped`.
import { asArray, asNumber, asObject, asString, isObject, type JsonObject, type JsonValue } from '../../../../core/index.js';
import type {
  IrEffort, IrImage, IrMessage, IrPart, IrReasoning, IrRequest, IrResponseFormat, IrText, IrTool, IrToolChoice,
} from '../../ir.js';
import { invalid } from '../../util.js';
import { imageUrlToIr, textParts } from './content.js';
import { reasoningDetailsToIr, toolCallSignature } from './provider-state.js';

/** Top-level fields this decoder maps (or, for `stream`/`stream_options`/`n`, consumes). */
const HANDLED = new Set([
  'model', 'messages', 'stream', 'stream_options', 'n', 'tools', 'functions', 'tool_choice', 'function_call',
  'parallel_tool_calls', 'max_completion_tokens', 'max_tokens', 'stop', 'temperature', 'top_p', 'reasoning_effort',
  'response_format', 'user', 'safety_identifier',
]);

const EFFORTS: readonly IrEffort[] = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'];

/** Freeform (custom) tools look like a one-string-argument function to protocols without them. */
export const FREEFORM_PARAMETERS: JsonObject = {
  type: 'object', properties: { input: { type: 'string' } }, required: ['input'], additionalProperties: false,
};

export function decodeChatRequest(body: JsonObject, model: string, stream: boolean): IrRequest {
  const dropped = new Set<string>();
  const drop = (name: string): void => { dropped.add(name); };
  for (const key of Object.keys(body)) if (!HANDLED.has(key)) drop(key);

  const n = body['n'];
  if (n !== undefined && n !== null && n !== 1) throw invalid('n > 1 cannot be translated', 'n');

  if (!Array.isArray(body['messages'])) throw invalid('messages must be an array', 'messages');
  const { system, messages } = decodeMessages(body['messages'], drop);

  const req: IrRequest = {
    model, system, messages, tools: decodeTools(body, drop), stop: decodeStop(body['stop']), stream, dropped: [],
  };
  const toolChoice = decodeToolChoice(body['tool_choice'] ?? body['function_call'], drop);
  if (toolChoice !== undefined) req.toolChoice = toolChoice;
  const parallel = body['parallel_tool_calls'];
  if (typeof parallel === 'boolean') req.parallelToolCalls = parallel;
  const maxTokens = asNumber(body['max_completion_tokens']) ?? asNumber(body['max_tokens']);
  if (maxTokens !== undefined) req.maxTokens = maxTokens;
  const temperature = asNumber(body['temperature']);
  if (temperature !== undefined) req.temperature = temperature;
  const topP = asNumber(body['top_p']);
  if (topP !== undefined) req.topP = topP;
  const reasoning = decodeReasoningEffort(body['reasoning_effort']);
  if (reasoning) req.reasoning = reasoning;
  const format = decodeResponseFormat(body['response_format'], drop);
  if (format) req.responseFormat = format;
  // `safety_identifier` is OpenAI's successor to `user`; both name the end user.
  const user = asString(body['user']) ?? asString(body['safety_identifier']);
  if (user !== undefined) req.user = user;
  req.dropped = [...dropped];
  return req;
}

function decodeMessages(list: JsonValue[], drop: (name: string) => void): { system: IrText[]; messages: IrMessage[] } {
  const system: IrText[] = [];
  const messages: IrMessage[] = [];
  /** Tool names by call id, so tool results can name their function (Gemini needs it). */
  const callNames = new Map<string, string>();
  /** Legacy `function_call`s have no id: the `function` message answering one matches it by name. */
  const legacyCalls: { id: string; name: string }[] = [];
  let leading = true;

  list.forEach((item, i) => {
    const m = asObject(item);
    if (!m) throw invalid(`messages[${i}] must be an object`, `messages[${i}]`);
    const role = asString(m['role']);
    if (m['name'] !== undefined && role !== 'function') drop('messages.name');
    if (role === 'system' || role === 'developer') {
      const parts = textParts(m['content'], drop, role);
      if (leading) system.push(...parts);
      else messages.push({ role: 'system', parts });
      return;
    }
    leading = false;
    switch (role) {
      case 'user':
        messages.push({ role: 'user', parts: userParts(m['content'], drop, `messages[${i}]`) });
        return;
      case 'assistant':
        messages.push({ role: 'assistant', parts: assistantParts(m, i, drop, callNames, legacyCalls) });
        return;
      case 'tool': {
        const callId = asString(m['tool_call_id']);
        if (!callId) throw invalid(`messages[${i}].tool_call_id is required`, `messages[${i}].tool_call_id`);
        pushToolResult(messages, callId, callNames.get(callId), userParts(m['content'], drop, `messages[${i}]`));
        return;
      }
      case 'function': {
        const name = asString(m['name']) ?? '';
        const at = legacyCalls.findIndex((c) => c.name === name);
        const id = at === -1 ? `call_legacy_${i}` : legacyCalls.splice(at, 1)[0]!.id;
        pushToolResult(messages, id, name, textParts(m['content'], drop, 'function'));
        return;
      }
      default:
        throw invalid(`messages[${i}].role must be one of system, developer, user, assistant, tool, function`, `messages[${i}].role`);
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

function userParts(content: JsonValue | undefined, drop: (name: string) => void, where: string): (IrText | IrImage)[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  const out: (IrText | IrImage)[] = [];
  asArray(content).forEach((item, j) => {
    const p = asObject(item);
    if (!p) return;
    const type = asString(p['type']);
    const text = asString(p['text']);
    if (type === 'text' && text !== undefined) out.push({ type: 'text', text });
    else if (type === 'image_url') out.push(imageUrlToIr(p, `${where}.content[${j}].image_url`));
    else drop(`messages.content.${type ?? 'unknown'}`); // input_audio, file: no IR part carries them
  });
  return out;
}

function assistantParts(
  m: JsonObject, i: number, drop: (name: string) => void,
  callNames: Map<string, string>, legacyCalls: { id: string; name: string }[],
): IrPart[] {
  const parts: IrPart[] = [];
  const details = reasoningDetailsToIr(m['reasoning_details']);
  const reasoningText = asString(m['reasoning_content']) ?? asString(m['reasoning']);
  if (details.length > 0) {
    // A streaming client rebuilt the text from reasoning_content and the signature from reasoning_details.
    const only = details.length === 1 ? details[0] : undefined;
    if (only?.type === 'thinking' && only.text === '' && reasoningText) only.text = reasoningText;
    parts.push(...details);
  } else if (reasoningText) {
    parts.push({ type: 'thinking', text: reasoningText });
  }
  parts.push(...textParts(m['content'], drop, 'assistant').filter((t) => t.text !== ''));
  const refusal = asString(m['refusal']);
  if (refusal) parts.push({ type: 'text', text: refusal });
  if (m['audio'] !== undefined && m['audio'] !== null) drop('messages.audio');

  asArray(m['tool_calls']).forEach((item, j) => {
    const call = asObject(item);
    if (!call) return;
    const where = `messages[${i}].tool_calls[${j}]`;
    const id = asString(call['id']);
    if (!id) throw invalid(`${where}.id is required`, `${where}.id`);
    let name: string | undefined;
    let args: string;
    if (asString(call['type']) === 'custom') {
      const custom = asObject(call['custom']);
      name = asString(custom?.['name']);
      args = JSON.stringify({ input: asString(custom?.['input']) ?? '' });
    } else {
      const fn = asObject(call['function']);
      name = asString(fn?.['name']);
      args = asString(fn?.['arguments']) ?? '';
    }
    if (!name) throw invalid(`${where} needs a function name`, where);
    callNames.set(id, name);
    const signature = toolCallSignature(call);
    parts.push(signature ? { type: 'tool_call', id, name, arguments: args, signature } : { type: 'tool_call', id, name, arguments: args });
  });

  const legacy = asObject(m['function_call']);
  if (legacy) {
    const name = asString(legacy['name']) ?? '';
    const id = `call_legacy_${i}`;
    legacyCalls.push({ id, name });
    callNames.set(id, name);
    parts.push({ type: 'tool_call', id, name, arguments: asString(legacy['arguments']) ?? '' });
  }
  return parts;
}

function decodeTools(body: JsonObject, drop: (name: string) => void): IrTool[] {
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
    } else {
      drop(`tools.${type ?? 'unknown'}`);
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

function decodeToolChoice(choice: JsonValue | undefined, drop: (name: string) => void): IrToolChoice | undefined {
  if (choice === 'none' || choice === 'auto' || choice === 'required') return choice;
  const c = asObject(choice);
  if (!c) return undefined;
  const type = asString(c['type']);
  const name = type === 'custom'
    ? asString(asObject(c['custom'])?.['name'])
    : asString(asObject(c['function'])?.['name']) ?? asString(c['name']); // the legacy function_call form is {name}
  if (name) return { name };
  drop(`tool_choice.${type ?? 'unknown'}`); // allowed_tools: no IR equivalent
  return undefined;
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

function decodeResponseFormat(format: JsonValue | undefined, drop: (name: string) => void): IrResponseFormat | undefined {
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
  if (js?.['description'] !== undefined) drop('response_format.json_schema.description');
  return out;
}
