// Canonical JSON: sorted keys, no whitespace, numbers as JSON.stringify writes them (1.0 → 1,
// 1e2 → 100). Two tool calls are the same call when their canonical arguments are equal.
import type { JsonValue } from './types.js';

export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (i) out += ',';
    out += `${JSON.stringify(k)}:${canonicalJson(value[k]!)}`;
  }
  return out + '}';
}

/** Canonical form of arguments sent as JSON text; text that is not JSON is kept, trimmed. */
export function canonicalArguments(args: JsonValue | undefined): string {
  if (args === undefined) return '{}';
  if (typeof args !== 'string') return canonicalJson(args);
  const trimmed = args.trim();
  if (trimmed === '') return '{}';
  try {
    return canonicalJson(JSON.parse(trimmed) as JsonValue);
  } catch {
    return trimmed;
  }
}
