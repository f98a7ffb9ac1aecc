// Gemini's `parameters` and `responseSchema` use the OpenAPI subset with upper-case type names
// ("OBJECT", "STRING"); Gemini CLI even sends them inside responseJsonSchema. JSON Schema upstreams
// (OpenAI strict mode, Anthropic) reject those, so decoded schemas get lower-case JSON Schema types.
import type { JsonObject, JsonValue } from '../../../../core/index.js';

const OPENAPI_TYPES = new Set(['STRING', 'NUMBER', 'INTEGER', 'BOOLEAN', 'ARRAY', 'OBJECT', 'NULL']);

export function toJsonSchema(schema: JsonObject): JsonObject {
  return normalize(schema) as JsonObject;
}

function normalize(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(normalize);
  if (typeof v !== 'object' || v === null) return v;
  const out: JsonObject = {};
  for (const [k, child] of Object.entries(v)) {
    if (k === 'type' && typeof child === 'string' && OPENAPI_TYPES.has(child)) out[k] = child.toLowerCase();
    else if (k === 'type' && Array.isArray(child)) out[k] = child.map((t) => (typeof t === 'string' && OPENAPI_TYPES.has(t) ? t.toLowerCase() : t));
    else out[k] = normalize(child);
  }
  return out;
}
