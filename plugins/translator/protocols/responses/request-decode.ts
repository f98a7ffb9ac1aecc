// Responses request body → IR. Codex CLI is the main client: it sends developer messages, custom
// (freeform) tools, hosted tools, reasoning items with encrypted_content and client-only metadata.
// What the IR cannot hold is named in `dropped`: the keys request-shape.ts does not declare, and
// what is dropped for its value.
import { asArray, asNumber, asObject, asString, responsesItemType, type JsonObject, type JsonValue } from '../../../../core/index.js';
import type { IrEffort, IrMessage, IrReasoning, IrRequest, IrResponseFormat, IrText, IrTool, IrToolChoice } from '../../ir.js';
import { droppedFields } from '../../dropped-fields.js';
import { invalid } from '../../util.js';
import { ItemReader } from './item-reader.js';
import { choiceToolName, namespacedName } from './wire.js';
import { RESPONSES_REQUEST_SHAPE } from './request-shape.js';

const EFFORTS = new Set<string>(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']);

export function decodeResponsesRequest(body: JsonObject, model: string, stream: boolean, listDrops = true): IrRequest {
  // Without server-side state the earlier turns are unknown: translating would silently drop them.
  if (body['previous_response_id'] != null) {
    throw invalid('previous_response_id needs a stateful upstream; send the full input instead', 'previous_response_id');
  }
  if (body['conversation'] != null) {
    throw invalid('conversation needs a stateful upstream; send the full input instead', 'conversation');
  }
  const dropped = new Set<string>();

  const system: IrText[] = [];
  const instructions = body['instructions'];
  if (typeof instructions === 'string') {
    if (instructions !== '') system.push({ type: 'text', text: instructions });
  } else if (instructions != null) {
    throw invalid('instructions must be a string', 'instructions');
  }

  const request: IrRequest = {
    model, system, messages: decodeInput(body['input'], system), tools: decodeTools(toolLists(body)),
    stop: [], stream, dropped: [],
  };
  const choice = decodeToolChoice(body['tool_choice'], request.tools);
  if (choice !== undefined) request.toolChoice = choice;
  if (typeof body['parallel_tool_calls'] === 'boolean') request.parallelToolCalls = body['parallel_tool_calls'];
  const maxTokens = asNumber(body['max_output_tokens']);
  if (maxTokens !== undefined) request.maxTokens = maxTokens;
  const temperature = asNumber(body['temperature']);
  if (temperature !== undefined) request.temperature = temperature;
  const topP = asNumber(body['top_p']);
  if (topP !== undefined) request.topP = topP;
  const reasoning = decodeReasoning(body['reasoning'], dropped);
  if (reasoning) request.reasoning = reasoning;
  const format = decodeText(body['text']);
  if (format) request.responseFormat = format;
  const verbosity = asString(asObject(body['text'])?.['verbosity']);
  if (verbosity !== undefined) request.verbosity = verbosity;
  // safety_identifier is the newer name of `user`; both identify the end user for abuse tracking.
  const user = asString(body['user']) ?? asString(body['safety_identifier']);
  if (user !== undefined) request.user = user;
  if (body['user'] !== undefined && body['safety_identifier'] !== undefined) dropped.add('safety_identifier');
  request.dropped = listDrops ? droppedFields(body, RESPONSES_REQUEST_SHAPE, dropped) : [...dropped];
  return request;
}

/** Walks the input items, merging consecutive assistant items and consecutive tool outputs. */
function decodeInput(input: JsonValue | undefined, system: IrText[]): IrMessage[] {
  if (typeof input === 'string') return [{ role: 'user', parts: [{ type: 'text', text: input }] }];
  if (!Array.isArray(input)) throw invalid('input must be a string or an array of input items', 'input');
  const messages: IrMessage[] = [];
  const callNames = new Map<string, string>();
  // Developer/system messages before any conversation are the system prompt; later ones stay in place.
  let leading = true;
  // Which merged message the previous item extended ('tool' = a user message of tool results).
  let open: 'assistant' | 'tool' | undefined;

  const assistant = (): IrMessage => {
    const last = messages[messages.length - 1];
    if (open === 'assistant' && last) return last;
    const m: IrMessage = { role: 'assistant', parts: [] };
    messages.push(m);
    open = 'assistant';
    return m;
  };
  const toolResults = (): IrMessage => {
    const last = messages[messages.length - 1];
    if (open === 'tool' && last) return last;
    const m: IrMessage = { role: 'user', parts: [] };
    messages.push(m);
    open = 'tool';
    return m;
  };

  const reader = new ItemReader(callNames);
  input.forEach((raw, i) => {
    const item = asObject(raw);
    if (!item) throw invalid(`input[${i}] must be an object`, `input[${i}]`);
    const type = responsesItemType(item);
    // The reader appends each item's parts straight to the message they belong to.
    switch (type) {
      case 'additional_tools':
        return; // tool definitions, read by toolLists: no turn of the conversation
      case 'message': {
        if (typeof item['content'] !== 'string' && !Array.isArray(item['content'])) {
          throw invalid(`input[${i}].content must be a string or an array`, `input[${i}].content`);
        }
        const role = asString(item['role']);
        if (role === 'developer' || role === 'system') {
          const parts = reader.read(item, i, [], type);
          const texts = parts.filter((p): p is IrText => p.type === 'text');
          if (leading) system.push(...texts);
          else { messages.push({ role: 'system', parts: texts }); open = undefined; }
          return;
        }
        leading = false;
        if (role === 'assistant') { reader.read(item, i, assistant().parts, type); return; }
        if (role !== 'user') throw invalid(`input[${i}].role must be user, assistant, system or developer`, `input[${i}].role`);
        messages.push({ role: 'user', parts: reader.read(item, i, [], type) });
        open = undefined;
        return;
      }
      case 'function_call':
      case 'custom_tool_call':
        leading = false;
        reader.read(item, i, assistant().parts, type);
        return;
      case 'reasoning': {
        leading = false;
        // Reasoning with neither text nor signature is nothing: it opens no assistant message.
        const part = reader.readOne(item, i, type);
        if (part) assistant().parts.push(part);
        return;
      }
      case 'function_call_output':
      case 'custom_tool_call_output':
        leading = false;
        reader.read(item, i, toolResults().parts, type);
        return;
      default:
        // item_reference, local_shell_call(_output), web_search_call, mcp_*, tool_search_*, compaction…:
        // server-side state or hosted-tool traffic no other provider can replay (request-shape.ts names it).
        reader.read(item, i, [], type);
    }
  });
  return messages;
}

/**
 * Where a request declares tools: `tools`, and every `additional_tools` input item — Codex's newest
 * models send all their tools that way, `{type: additional_tools, role: developer, tools: […]}`, and
 * with store off Codex replays the item each turn. Each list is read with the path it sits at.
 */
function toolLists(body: JsonObject): { tools: JsonValue | undefined; at: string }[] {
  const lists: { tools: JsonValue | undefined; at: string }[] = [{ tools: body['tools'], at: 'tools' }];
  const input = body['input'];
  if (!Array.isArray(input)) return lists;
  input.forEach((raw, i) => {
    const item = asObject(raw);
    if (item && item['type'] === 'additional_tools') lists.push({ tools: item['tools'], at: `input[${i}].tools` });
  });
  return lists;
}

function decodeTools(lists: { tools: JsonValue | undefined; at: string }[]): IrTool[] {
  const out: IrTool[] = [];
  // A tool declared twice (an additional_tools item replayed with the history, or also in `tools`)
  // is offered once: every provider refuses duplicate tool names. The first declaration wins.
  const seen = new Set<string>();
  const add = (t: IrTool) => { if (!seen.has(t.name)) { seen.add(t.name); out.push(t); } };
  for (const { tools, at } of lists) {
    for (const [i, raw] of asArray(tools).entries()) {
      const tool = asObject(raw);
      if (!tool) throw invalid(`${at}[${i}] must be an object`, `${at}[${i}]`);
      if (asString(tool['type']) !== 'namespace') {
        const t = decodeTool(tool, `${at}[${i}]`);
        if (t) add(t);
        continue;
      }
      // A namespace groups function and custom tools (Codex's sub-agent tools): each becomes a flat
      // IR tool, so a model behind another protocol can call it.
      const ns = asString(tool['name']);
      if (ns === undefined) throw invalid(`${at}[${i}].name is required`, `${at}[${i}].name`);
      for (const [j, inner] of asArray(tool['tools']).entries()) {
        const innerTool = asObject(inner);
        if (!innerTool) throw invalid(`${at}[${i}].tools[${j}] must be an object`, `${at}[${i}].tools[${j}]`);
        const t = decodeTool(innerTool, `${at}[${i}].tools[${j}]`);
        if (t) add({ ...t, name: namespacedName(ns, t.name), namespace: { name: ns, tool: t.name } });
      }
    }
  }
  return out;
}

function decodeTool(tool: JsonObject, at: string): IrTool | undefined {
  const type = asString(tool['type']);
  const name = asString(tool['name']);
  if ((type === 'function' || type === 'custom') && name === undefined) throw invalid(`${at}.name is required`, `${at}.name`);
  if (type === 'function' && name !== undefined) {
    const t: IrTool = { name, parameters: asObject(tool['parameters']) ?? { type: 'object', properties: {} } };
    const description = asString(tool['description']);
    if (description !== undefined) t.description = description;
    if (typeof tool['strict'] === 'boolean') t.strict = tool['strict'];
    return t;
  }
  if (type === 'custom' && name !== undefined) {
    const t: IrTool = {
      name,
      parameters: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] },
      freeform: {},
    };
    const format = asObject(tool['format']);
    if (format && t.freeform) t.freeform.format = format;
    const description = asString(tool['description']);
    if (description !== undefined) t.description = description;
    return t;
  }
  // Others (web_search, file_search, local_shell, mcp, …) are hosted tools that run inside OpenAI
  // and cannot be translated: request-shape.ts names them.
  return undefined;
}

function decodeToolChoice(choice: JsonValue | undefined, tools: IrTool[]): IrToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'auto' || choice === 'none' || choice === 'required') return choice;
  const obj = asObject(choice);
  const type = asString(obj?.['type']);
  const name = asString(obj?.['name']);
  if ((type === 'function' || type === 'custom') && name !== undefined) return { name: choiceToolName(name, tools) };
  if (typeof choice === 'string') throw invalid(`tool_choice "${choice}" is not supported`, 'tool_choice');
  return undefined; // allowed_tools, hosted tool types: request-shape.ts names them
}

function decodeReasoning(reasoning: JsonValue | undefined, dropped: Set<string>): IrReasoning | undefined {
  const r = asObject(reasoning);
  if (!r) return undefined;
  const effort = asString(r['effort']);
  // `generate_summary` is the deprecated spelling of `summary`.
  const summary = r['summary'] ?? r['generate_summary'];
  if (effort === undefined && summary == null) return undefined;
  const out: IrReasoning = { enabled: effort !== 'none' };
  if (effort !== undefined) {
    if (!EFFORTS.has(effort)) throw invalid(`reasoning.effort "${effort}" is not supported`, 'reasoning.effort');
    out.effort = effort as IrEffort;
  }
  // OpenAI answers a reasoning summary only when one is asked for (summary: [] otherwise).
  out.includeThoughts = summary != null;
  if (r['generate_summary'] !== undefined && r['summary'] !== undefined) dropped.add('reasoning.generate_summary');
  return out;
}

function decodeText(text: JsonValue | undefined): IrResponseFormat | undefined {
  const t = asObject(text);
  if (!t) return undefined;
  const format = asObject(t['format']);
  const type = asString(format?.['type']);
  if (!format || type === undefined || type === 'text') return undefined;
  if (type === 'json_object') return { type: 'json_object' };
  if (type !== 'json_schema') throw invalid(`text.format.type "${type}" is not supported`, 'text.format.type');
  const out: IrResponseFormat = { type: 'json_schema' };
  const name = asString(format['name']);
  if (name !== undefined) out.name = name;
  const schema = asObject(format['schema']);
  if (schema) out.schema = schema;
  if (typeof format['strict'] === 'boolean') out.strict = format['strict'];
  return out;
}
