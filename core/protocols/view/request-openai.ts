// Where OpenAI requests keep their text and tools: Chat Completions, Responses and embeddings. The
// readers here are shared: the view collects from them, the translator decodes through them (sink.ts).
import { asObject, asString, isObject } from '../json.js';
import type { JsonObject, JsonValue } from '../types.js';
import { names } from './collector.js';
import { NO_PATH, skipped, type RequestSink } from './sink.js';
import type { BodyPath, SegmentKind } from './types.js';

/** An absent list, shared: readChatMessage runs per stream delta too, where most lists are absent. */
const NONE: readonly JsonValue[] = Object.freeze([]);
const listOf = (v: JsonValue | undefined): readonly JsonValue[] => (Array.isArray(v) ? v : NONE);

function kindOfRole(role: string): SegmentKind {
  return role === 'system' || role === 'developer' ? 'system'
    : role === 'assistant' ? 'assistant'
    : role === 'tool' || role === 'function' ? 'tool_result'
    : 'user';
}

/** One Chat message: reasoning, content, refusal, tool calls (legacy function_call too) and tool results. */
export function readChatMessage(m: JsonObject, turn: number, sink: RequestSink): void {
  const role = asString(m['role']) ?? 'user';
  const path = sink.paths ? ['messages', turn] : NO_PATH;
  const kind = kindOfRole(role);
  if (role === 'tool' || role === 'function') sink.result(asString(m['tool_call_id']), asString(m['name']), m['content'], false, role, turn, path, m);
  // Reasoning some servers return and some clients send back (DeepSeek, vLLM, OpenRouter).
  const reasoningContent = m['reasoning_content'];
  if (typeof reasoningContent === 'string') sink.reasoning(role, turn, m, 'reasoning_content', undefined, path);
  else if (reasoningContent !== undefined) skipped(sink, reasoningContent, path, 'reasoning_content');
  const reasoning = m['reasoning'];
  if (typeof reasoning === 'string') sink.reasoning(role, turn, m, 'reasoning', undefined, path);
  else if (reasoning !== undefined) skipped(sink, reasoning, path, 'reasoning');
  const details = listOf(m['reasoning_details']);
  for (let i = 0; i < details.length; i++) {
    const d = details[i];
    if (!isObject(d)) continue;
    const at = sink.paths ? ['messages', turn, 'reasoning_details', i] : NO_PATH;
    const type = d['type'];
    if (type === 'reasoning.encrypted') sink.redacted(role, turn, d, 'data', at);
    else if (type === 'reasoning.text' || type === 'reasoning.summary') {
      sink.reasoning(role, turn, d, typeof d['text'] === 'string' ? 'text' : 'summary', typeof d['signature'] === 'string' ? 'signature' : undefined, at);
    } else sink.other(asString(type) ?? 'unknown', 'reasoning', role, turn, d, at);
  }
  readChatContent(kind, role, turn, m, path, sink);
  const refusal = m['refusal'];
  if (typeof refusal === 'string') sink.text(kind, role, turn, m, 'refusal', path);
  else if (refusal !== undefined) skipped(sink, refusal, path, 'refusal');
  const toolCalls = m['tool_calls'];
  const calls = listOf(toolCalls);
  if (calls === NONE && toolCalls !== undefined) skipped(sink, toolCalls, path, 'tool_calls');
  for (let i = 0; i < calls.length; i++) {
    const call = calls[i];
    if (!isObject(call)) { skipped(sink, call, [...path, 'tool_calls'], i); continue; }
    const at = sink.paths ? ['messages', turn, 'tool_calls', i] : NO_PATH;
    const id = asString(call['id']);
    // A custom call is typed so; some servers leave the type out and send `custom` alone.
    const custom = call['type'] === 'custom' || call['function'] === undefined ? asObject(call['custom']) : undefined;
    if (custom) { sink.call(id, asString(custom['name']) ?? '', role, turn, at, custom, 'input', sink.paths ? [...at, 'custom'] : NO_PATH, 'free_text', call); continue; }
    const fn = asObject(call['function']);
    if (fn) sink.call(id, asString(fn['name']) ?? '', role, turn, at, fn, 'arguments', sink.paths ? [...at, 'function'] : NO_PATH, 'json_text', call);
    else {
      skipped(sink, call['function'], at, 'function');
      sink.call(id, '', role, turn, at, call, 'arguments', at, 'json_text', call); // malformed: no name to call
    }
  }
  const functionCall = m['function_call'];
  const legacy = asObject(functionCall);
  if (legacy) {
    const at = sink.paths ? [...path, 'function_call'] : NO_PATH;
    sink.call(undefined, asString(legacy['name']) ?? '', role, turn, at, legacy, 'arguments', at, 'json_text', legacy);
  } else if (functionCall !== undefined) skipped(sink, functionCall, path, 'function_call');
}

/** Chat content: a string or a list of parts (text, refusal; images, audio and files are left to the sink). */
function readChatContent(kind: SegmentKind, role: string, turn: number, m: JsonObject, path: BodyPath, sink: RequestSink): void {
  if (!sink.allText && kind !== 'user') return;
  const content = m['content'];
  if (typeof content === 'string') { sink.text(kind, role, turn, m, 'content', path); return; }
  const parts = listOf(content);
  if (parts === NONE) skipped(sink, content, path, 'content');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (!isObject(p)) { skipped(sink, p, [...path, 'content'], i); continue; }
    const at = sink.paths ? [...path, 'content', i] : NO_PATH;
    const type = p['type'];
    if (type === 'text') sink.text(kind, role, turn, p, 'text', at);
    else if (type === 'refusal') sink.text(kind, role, turn, p, 'refusal', at);
    else sink.other(asString(type) ?? 'unknown', kind, role, turn, p, at);
  }
}

export function walkChat(body: JsonObject, sink: RequestSink): void {
  const messages = listOf(body['messages']);
  if (messages === NONE) skipped(sink, body['messages'], [], 'messages');
  for (let turn = 0; turn < messages.length; turn++) {
    const m = messages[turn];
    if (isObject(m)) readChatMessage(m, turn, sink);
    else skipped(sink, m, ['messages'], turn);
  }
  readChatPrediction(body, sink);
}

/**
 * Predicted Outputs: `prediction.content`, a string or text parts, is text the model reads (the
 * answer it is expected to mostly repeat). Read after the messages — it changes from request to
 * request, so values first seen there never renumber the conversation's.
 */
function readChatPrediction(body: JsonObject, sink: RequestSink): void {
  if (!sink.allText) return;
  const prediction = asObject(body['prediction']);
  if (!prediction) { skipped(sink, body['prediction'], [], 'prediction'); return; }
  const at = sink.paths ? ['prediction'] : NO_PATH;
  const content = prediction['content'];
  if (typeof content === 'string') { sink.text('assistant', 'assistant', -1, prediction, 'content', at); return; }
  const parts = listOf(content);
  if (parts === NONE) skipped(sink, content, at, 'content');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (isObject(p) && p['type'] === 'text') sink.text('assistant', 'assistant', -1, p, 'text', sink.paths ? ['prediction', 'content', i] : NO_PATH);
    else if (!isObject(p)) skipped(sink, p, ['prediction', 'content'], i);
  }
}

export function toolsChat(body: JsonObject): string[] {
  return names(body['tools'], (t) => asObject(t['function'])?.['name']);
}

/** Chat: a system message at the end, which OpenAI and the translator both accept anywhere. */
export function noteChat(body: JsonObject, text: string): void {
  const messages = Array.isArray(body['messages']) ? body['messages'] : (body['messages'] = []);
  messages.push({ role: 'system', content: text });
}

/** The kind of a Responses input item: its `type`, or `message` for an easy input message ({role, content}). */
export function responsesItemType(item: JsonObject): string | undefined {
  return asString(item['type']) ?? (item['role'] !== undefined ? 'message' : undefined);
}

/** One Responses input item (its kind given when the caller has it already). */
export function readResponsesItem(item: JsonObject, turn: number, sink: RequestSink, type = responsesItemType(item)): void {
  const path = sink.paths ? ['input', turn] : NO_PATH;
  switch (type) {
    case 'message': {
      const role = asString(item['role']) ?? 'user';
      readResponsesContent(kindOfRole(role), role, turn, item, 'content', path, sink);
      break;
    }
    case 'function_call':
      sink.call(asString(item['call_id']), asString(item['name']) ?? '', 'assistant', turn, path, item, 'arguments', path, 'json_text', item);
      break;
    case 'custom_tool_call': // Codex's apply_patch: free text, not JSON
      sink.call(asString(item['call_id']), asString(item['name']) ?? '', 'assistant', turn, path, item, 'input', path, 'free_text', item);
      break;
    case 'function_call_output':
    case 'custom_tool_call_output':
      sink.result(asString(item['call_id']), undefined, item['output'], false, 'tool', turn, path, item);
      readResponsesContent('tool_result', 'tool', turn, item, 'output', path, sink);
      break;
    case 'reasoning':
      // Summaries, or from open-weight models the raw reasoning_text parts; encrypted_content signs them.
      sink.reasoning('assistant', turn, item, REASONING_TEXT, 'encrypted_content', path);
      break;
    default:
      sink.other(type ?? 'unknown', 'user', 'user', turn, item, path); // hosted tool items, item references
  }
}

const REASONING_TEXT = ['summary', 'content'] as const;

/** Message content or a tool output: a string or a list of parts (input_text, output_text, refusal; images and files left to the sink). */
function readResponsesContent(kind: SegmentKind, role: string, turn: number, owner: JsonObject, key: string, path: BodyPath, sink: RequestSink): void {
  if (!sink.allText && kind !== 'user') return;
  const content = owner[key];
  if (typeof content === 'string') { sink.text(kind, role, turn, owner, key, path); return; }
  const parts = listOf(content);
  if (parts === NONE) skipped(sink, content, path, key);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (!isObject(p)) { skipped(sink, p, [...path, key], i); continue; }
    const at = sink.paths ? [...path, key, i] : NO_PATH;
    const type = p['type'];
    if (type === 'input_text' || type === 'output_text' || type === 'text') sink.text(kind, role, turn, p, 'text', at);
    else if (type === 'refusal') sink.text(kind, role, turn, p, 'refusal', at);
    else sink.other(asString(type) ?? 'unknown', kind, role, turn, p, at);
  }
}

export function walkResponses(body: JsonObject, sink: RequestSink): void {
  sink.text('system', 'system', -1, body, 'instructions', []);
  const input = body['input'];
  if (typeof input === 'string') { sink.text('user', 'user', 0, body, 'input', []); return; }
  const items = listOf(input);
  if (items === NONE) skipped(sink, input, [], 'input');
  for (let turn = 0; turn < items.length; turn++) {
    const item = items[turn];
    if (isObject(item)) readResponsesItem(item, turn, sink);
    else skipped(sink, item, ['input'], turn);
  }
}

/** A tool a Responses request declares, with the `namespace` tool it sits in, if any. */
export interface ResponsesToolDeclaration { tool: JsonObject; namespace?: string }

/**
 * The tools a Responses request declares, in order: `tools`, then each `additional_tools` input
 * item's list (Codex's newest models send every tool there, and an empty `tools`); the tools of a
 * `namespace` tool in its place. Hosted tools are listed too: callers pick the types they want.
 */
export function responsesToolDeclarations(body: JsonObject): ResponsesToolDeclaration[] {
  const out: ResponsesToolDeclaration[] = [];
  const add = (list: JsonValue | undefined): void => {
    for (const t of listOf(list)) {
      if (!isObject(t)) continue;
      if (t['type'] !== 'namespace') { out.push({ tool: t }); continue; }
      const namespace = asString(t['name']);
      for (const inner of listOf(t['tools'])) if (isObject(inner) && namespace) out.push({ tool: inner, namespace });
    }
  };
  add(body['tools']);
  for (const item of listOf(body['input'])) if (isObject(item) && item['type'] === 'additional_tools') add(item['tools']);
  return out;
}

/**
 * Function tools outside a namespace, wherever declared (responsesToolDeclarations): hosted tools
 * (web_search, file_search, …), custom tools and a namespace's tools are not called by name alone.
 */
export function toolsResponses(body: JsonObject): string[] {
  return names(responsesToolDeclarations(body).filter((d) => !d.namespace).map((d) => d.tool), (t) => (t['type'] === 'function' ? t['name'] : undefined));
}

/** Responses: a developer message item (Codex's own form for instructions). */
export function noteResponses(body: JsonObject, text: string): void {
  const note = { type: 'message', role: 'developer', content: [{ type: 'input_text', text }] };
  if (typeof body['input'] === 'string') body['input'] = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: body['input'] }] }, note];
  else if (Array.isArray(body['input'])) body['input'].push(note);
  else body['input'] = [note];
}

/** `input`: a string, or a list of strings or of token ids (numbers, or lists of numbers: not text, nothing to read). */
export function walkEmbeddings(body: JsonObject, sink: RequestSink): void {
  const input = body['input'];
  if (typeof input === 'string') { sink.text('user', 'user', 0, body, 'input', []); return; }
  if (!Array.isArray(input)) { skipped(sink, input, [], 'input'); return; }
  const items = input;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (typeof item === 'string') sink.text('user', 'user', i, items, i, ['input']);
    else if (typeof item !== 'number' && !isTokenList(item)) skipped(sink, item, ['input'], i);
  }
}

function isTokenList(item: JsonValue | undefined): boolean {
  if (!Array.isArray(item)) return false;
  for (let i = 0; i < item.length; i++) if (typeof item[i] !== 'number') return false;
  return true;
}
