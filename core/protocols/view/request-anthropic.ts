// Where Anthropic Messages (and count_tokens) requests keep their text and tools.
import { asArray, asString, isObject } from '../json.js';
import type { JsonObject } from '../types.js';
import { names, type Collector } from './collector.js';

export function walkMessages(body: JsonObject, c: Collector): void {
  c.content('system', 'system', -1, body, 'system', []);
  const messages = asArray(body['messages']);
  for (let turn = 0; turn < messages.length; turn++) {
    const m = messages[turn];
    if (!isObject(m)) continue;
    const role = asString(m['role']) ?? 'user';
    // Claude Code sends a {"role":"system"} turn inside messages.
    const kind = role === 'system' ? 'system' : role === 'assistant' ? 'assistant' : 'user';
    const content = m['content'];
    if (typeof content === 'string') { c.text(kind, role, turn, m, 'content', ['messages', turn]); continue; }
    const blocks = asArray(content);
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i];
      if (!isObject(b)) continue;
      const at = ['messages', turn, 'content', i];
      switch (b['type']) {
        case 'text': c.text(kind, role, turn, b, 'text', at); break;
        case 'thinking':
          c.text('reasoning', role, turn, b, 'thinking', at);
          c.signature('reasoning', b, 'signature', b['thinking'], turn, at);
          break;
        case 'tool_use':
          c.call(asString(b['id']), asString(b['name']) ?? '', b['input'], turn, at);
          c.leaves('tool_arguments', role, turn, b, 'input', at);
          break;
        case 'tool_result':
          c.result(asString(b['tool_use_id']), undefined, b['content'], b['is_error'] === true, turn, at);
          c.content('tool_result', role, turn, b, 'content', at);
          break;
        default: break; // images, documents, redacted thinking, server tools: not text
      }
    }
  }
}

/** Client tools: server tools (web_search, …) carry a type, client tools none or "custom". */
export function toolsMessages(body: JsonObject): string[] {
  return names(body['tools'], (t) => (t['type'] === undefined || t['type'] === 'custom' ? t['name'] : undefined));
}

/** Anthropic: a text block on the last user turn (there is no system role inside messages). */
export function noteMessages(body: JsonObject, text: string): void {
  const messages = Array.isArray(body['messages']) ? body['messages'] : (body['messages'] = []);
  const last = messages[messages.length - 1];
  if (isObject(last) && last['role'] === 'user') {
    const content = last['content'];
    if (typeof content === 'string') last['content'] = [{ type: 'text', text: content }, { type: 'text', text }];
    else if (Array.isArray(content)) content.push({ type: 'text', text });
    else last['content'] = [{ type: 'text', text }];
    return;
  }
  messages.push({ role: 'user', content: [{ type: 'text', text }] });
}
