// Where OpenAI requests keep their text and tools: Chat Completions, Responses and embeddings.
import { asArray, asObject, asString, isObject } from '../json.js';
import type { JsonObject } from '../types.js';
import { names, type Collector } from './collector.js';
import type { SegmentKind } from './types.js';

function kindOfRole(role: string): SegmentKind {
  return role === 'system' || role === 'developer' ? 'system'
    : role === 'assistant' ? 'assistant'
    : role === 'tool' || role === 'function' ? 'tool_result'
    : 'user';
}

export function walkChat(body: JsonObject, c: Collector): void {
  const messages = asArray(body['messages']);
  for (let turn = 0; turn < messages.length; turn++) {
    const m = messages[turn];
    if (!isObject(m)) continue;
    const role = asString(m['role']) ?? 'user';
    const path = ['messages', turn];
    const kind = kindOfRole(role);
    c.content(kind, role, turn, m, 'content', path);
    // Reasoning some servers return and some clients send back (DeepSeek, vLLM, OpenRouter).
    c.text('reasoning', role, turn, m, 'reasoning_content', path);
    c.text('reasoning', role, turn, m, 'reasoning', path);
    const details = asArray(m['reasoning_details']);
    for (let i = 0; i < details.length; i++) {
      const d = asObject(details[i]);
      const field = typeof d?.['signature'] === 'string' ? 'signature' : typeof d?.['data'] === 'string' ? 'data' : undefined;
      if (d && field) c.signature('reasoning', d, field, d['text'], turn, ['messages', turn, 'reasoning_details', i]);
    }
    const calls = asArray(m['tool_calls']);
    for (let i = 0; i < calls.length; i++) {
      const call = asObject(calls[i]);
      const fn = asObject(call?.['function']);
      if (!call || !fn) continue;
      const at = ['messages', turn, 'tool_calls', i];
      c.call(asString(call['id']), asString(fn['name']) ?? '', fn['arguments'], turn, at);
      c.jsonText('tool_arguments', role, turn, fn, 'arguments', [...at, 'function']);
    }
    if (role === 'tool' || role === 'function') {
      c.result(asString(m['tool_call_id']), asString(m['name']), m['content'], false, turn, path);
    }
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

export function walkResponses(body: JsonObject, c: Collector): void {
  c.text('system', 'system', -1, body, 'instructions', []);
  const input = body['input'];
  if (typeof input === 'string') { c.text('user', 'user', 0, body, 'input', []); return; }
  const items = asArray(input);
  for (let turn = 0; turn < items.length; turn++) {
    const item = items[turn];
    if (!isObject(item)) continue;
    const path = ['input', turn];
    const type = asString(item['type']) ?? (item['role'] !== undefined ? 'message' : undefined);
    switch (type) {
      case 'message': {
        const role = asString(item['role']) ?? 'user';
        c.content(kindOfRole(role), role, turn, item, 'content', path);
        break;
      }
      case 'function_call':
        c.call(asString(item['call_id']), asString(item['name']) ?? '', item['arguments'], turn, path);
        c.jsonText('tool_arguments', 'assistant', turn, item, 'arguments', path);
        break;
      case 'custom_tool_call': // Codex's apply_patch: free text, not JSON
        c.call(asString(item['call_id']), asString(item['name']) ?? '', item['input'], turn, path, true);
        c.text('tool_arguments', 'assistant', turn, item, 'input', path);
        break;
      case 'function_call_output':
      case 'custom_tool_call_output':
        c.result(asString(item['call_id']), undefined, item['output'], false, turn, path);
        c.content('tool_result', 'tool', turn, item, 'output', path);
        break;
      case 'reasoning':
        c.content('reasoning', 'assistant', turn, item, 'summary', path);
        c.content('reasoning', 'assistant', turn, item, 'content', path);
        c.signature('reasoning', item, 'encrypted_content', item['summary'], turn, path);
        break;
      default:
        break; // hosted tool items, item references: kept as they are
    }
  }
}

/** Function tools only: hosted tools (web_search, file_search, …) and custom tools are not called by name here. */
export function toolsResponses(body: JsonObject): string[] {
  return names(body['tools'], (t) => (t['type'] === 'function' ? t['name'] : undefined));
}

/** Responses: a developer message item (Codex's own form for instructions). */
export function noteResponses(body: JsonObject, text: string): void {
  const note = { type: 'message', role: 'developer', content: [{ type: 'input_text', text }] };
  if (typeof body['input'] === 'string') body['input'] = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: body['input'] }] }, note];
  else if (Array.isArray(body['input'])) body['input'].push(note);
  else body['input'] = [note];
}

export function walkEmbeddings(body: JsonObject, c: Collector): void {
  const input = body['input'];
  if (typeof input === 'string') { c.text('user', 'user', 0, body, 'input', []); return; }
  const items = asArray(input);
  for (let i = 0; i < items.length; i++) c.text('user', 'user', i, items, i, ['input']);
}
