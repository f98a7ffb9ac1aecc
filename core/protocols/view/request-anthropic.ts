// Where Anthropic Messages (and count_tokens) requests keep their text and tools. The readers here
// are shared: the view collects from them, the translator decodes through them (sink.ts).
import { asString, isObject } from '../json.js';
import type { JsonObject } from '../types.js';
import { names } from './collector.js';
import { NO_PATH, skipped, type RequestSink } from './sink.js';
import type { BodyPath, SegmentKind } from './types.js';

/** `system`: a string or a list of text blocks. */
export function readMessagesSystem(body: JsonObject, sink: RequestSink): void {
  const system = body['system'];
  if (typeof system === 'string') { sink.text('system', 'system', -1, body, 'system', []); return; }
  if (!Array.isArray(system)) { skipped(sink, system, [], 'system'); return; }
  const blocks = system;
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i];
    if (!isObject(b)) { skipped(sink, b, ['system'], i); continue; }
    if (b['type'] === 'text') sink.text('system', 'system', -1, b, 'text', sink.paths ? ['system', i] : NO_PATH);
    else sink.other(asString(b['type']) ?? 'unknown', 'system', 'system', -1, b, sink.paths ? ['system', i] : NO_PATH);
  }
}

/** One message's content: a string or a list of content blocks. */
export function readMessagesTurn(m: JsonObject, turn: number, sink: RequestSink): void {
  const role = asString(m['role']) ?? 'user';
  // Claude Code sends a {"role":"system"} turn inside messages.
  const kind: SegmentKind = role === 'system' ? 'system' : role === 'assistant' ? 'assistant' : 'user';
  const content = m['content'];
  if (typeof content === 'string') { sink.text(kind, role, turn, m, 'content', sink.paths ? ['messages', turn] : NO_PATH); return; }
  if (!Array.isArray(content)) { skipped(sink, content, ['messages', turn], 'content'); return; }
  const blocks = content;
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i];
    if (isObject(b)) readMessagesBlock(b, kind, role, turn, sink.paths ? ['messages', turn, 'content', i] : NO_PATH, sink);
    else skipped(sink, b, ['messages', turn, 'content'], i);
  }
}

/**
 * One content block (of a turn, of an answer, or a stream's content_block_start): text, thinking,
 * redacted thinking, a tool call, a tool result; images, documents and server tools left to the sink.
 */
export function readMessagesBlock(b: JsonObject, kind: SegmentKind, role: string, turn: number, at: BodyPath, sink: RequestSink): void {
  switch (b['type']) {
    case 'text': sink.text(kind, role, turn, b, 'text', at); break;
    case 'thinking': sink.reasoning(role, turn, b, 'thinking', 'signature', at); break;
    case 'redacted_thinking': sink.redacted(role, turn, b, 'data', at); break;
    case 'tool_use': sink.call(asString(b['id']), asString(b['name']) ?? '', role, turn, at, b, 'input', at, 'value', b); break;
    case 'tool_result': {
      sink.result(asString(b['tool_use_id']), undefined, b['content'], b['is_error'] === true, role, turn, at, b);
      const inner = b['content'];
      if (!sink.allText) break;
      if (typeof inner === 'string') { sink.text('tool_result', role, turn, b, 'content', at); break; }
      if (!Array.isArray(inner)) { skipped(sink, inner, at, 'content'); break; }
      const parts = inner;
      for (let j = 0; j < parts.length; j++) {
        const p = parts[j];
        if (!isObject(p)) { skipped(sink, p, [...at, 'content'], j); continue; }
        const pat = sink.paths ? [...at, 'content', j] : NO_PATH;
        if (p['type'] === 'text') sink.text('tool_result', role, turn, p, 'text', pat);
        else sink.other(asString(p['type']) ?? 'unknown', 'tool_result', role, turn, p, pat);
      }
      break;
    }
    default: sink.other(asString(b['type']) ?? 'unknown', kind, role, turn, b, at); // images, documents, server tools
  }
}

export function walkMessages(body: JsonObject, sink: RequestSink): void {
  readMessagesSystem(body, sink);
  const list = body['messages'];
  if (!Array.isArray(list)) { skipped(sink, list, [], 'messages'); return; }
  const messages = list;
  for (let turn = 0; turn < messages.length; turn++) {
    const m = messages[turn];
    if (isObject(m)) readMessagesTurn(m, turn, sink);
    else skipped(sink, m, ['messages'], turn);
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
