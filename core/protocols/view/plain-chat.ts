// Plain Chat bodies read from their messages' own keys: a fast path beside the view for a plugin
// that needs only the texts (the ledger's count reads every request and answer). The view asks each
// message for the dozen keys a message may have (reasoning, refusal, tool calls…); a plain message
// lacks them, and in a gateway, where those load sites have seen every body shape, each missing
// key read by name is a slow lookup (~0.1 µs). Walking a message's own keys once avoids them.
// Anything not plain gives undefined: the caller reads it through the view. Tests hold both
// readers to the view's segments.
import { isObject } from '../json.js';
import type { JsonObject, JsonValue } from '../types.js';

/**
 * A Chat body's texts when every message is plain — an object with only `role`, `content` and
 * `name`, each a string, and not a tool result, so its messages hold nothing but text — else
 * undefined (read it through the view). For such a body the view's segments are exactly the
 * contents in order, with no tool calls or results and a turn per message (a test holds the two
 * to each other).
 */
export function plainChatTexts(body: JsonObject): string[] | undefined {
  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0) return undefined;
  const texts = new Array<string>(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (m === null || typeof m !== 'object' || Array.isArray(m)) return undefined;
    let content: JsonValue | undefined;
    for (const key in m) {
      if (key === 'content') content = m[key];
      else if (key === 'role') { const role = m[key]; if (typeof role !== 'string' || role === 'tool' || role === 'function') return undefined; }
      else if (key !== 'name' || typeof m[key] !== 'string') return undefined;
    }
    if (typeof content !== 'string') return undefined;
    texts[i] = content;
  }
  return texts;
}

/**
 * A Chat answer's text when every choice's message is plain — an object with only `role`,
 * `content`, `refusal` (each text a string or null) and `annotations` — else undefined (read it
 * through the response view). For such an answer the view's segments are each message's content then
 * its refusal, choice by choice, none of them reasoning (a test holds the two to each other).
 */
export function plainChatAnswer(body: JsonObject): string | undefined {
  const choices = body['choices'];
  if (!Array.isArray(choices)) return undefined;
  let text = '';
  for (let i = 0; i < choices.length; i++) {
    const choice = choices[i];
    if (!isObject(choice)) return undefined;
    const message = choice['message'];
    if (!isObject(message)) return undefined;
    let content: JsonValue | undefined;
    let refusal: JsonValue | undefined;
    for (const key in message) {
      const v = message[key]!;
      if (key === 'content') { if (typeof v !== 'string' && v !== null) return undefined; content = v; }
      else if (key === 'refusal') { if (typeof v !== 'string' && v !== null) return undefined; refusal = v; }
      else if (key !== 'role' && key !== 'annotations') return undefined;
    }
    if (typeof content === 'string') text += content;
    if (typeof refusal === 'string') text += refusal;
  }
  return text;
}
