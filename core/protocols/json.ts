// Narrowing helpers for JSON bodies read from the wire (no casts sprinkled through the code).
import type { JsonObject, JsonValue } from './types.js';

export function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
export function asObject(v: JsonValue | undefined): JsonObject | undefined {
  return isObject(v) ? v : undefined;
}
export function asArray(v: JsonValue | undefined): JsonValue[] {
  return Array.isArray(v) ? v : [];
}
export function asString(v: JsonValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
export function asNumber(v: JsonValue | undefined): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** Text of OpenAI/Anthropic-style content: a string, or the text parts of a list of parts. */
export function contentText(content: JsonValue | undefined): string {
  if (typeof content === 'string') return content;
  let out = '';
  for (const part of asArray(content)) {
    const p = asObject(part);
    if (!p) continue;
    const text = asString(p['text']);
    if (text !== undefined) out += (out ? '\n' : '') + text;
  }
  return out;
}
