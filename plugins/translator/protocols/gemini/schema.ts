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
  return withNullable(out);
}

/**
 * OpenAPI's `nullable: true` has no JSON Schema meaning (an upstream ignores or refuses it, and the
 * model is then told null is not allowed): it becomes a "null" member of `type`. Without a `type`
 * to extend it is left as it is.
 */
function withNullable(schema: JsonObject): JsonObject {
  const nullable = schema['nullable'];
  if (typeof nullable !== 'boolean') return schema;
  const type = schema['type'];
  if (nullable && typeof type !== 'string' && !Array.isArray(type)) return schema;
  const { nullable: _dropped, ...rest } = schema;
  if (!nullable) return rest;
  const types = Array.isArray(type) ? type : [type as string];
  return { ...rest, type: types.includes('null') ? types : [...types, 'null'] };
}
