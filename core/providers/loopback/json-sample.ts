// When a client asks for JSON output (a schema or plain JSON mode), loopback answers with the
// smallest value the schema accepts, so structured-output callers (Gemini CLI's model router, say)
// parse the answer instead of retrying.
import { asArray, asObject, asString } from '../../protocols/json.js';
import type { JsonObject, JsonValue } from '../../protocols/types.js';

export function sampleJson(schema: JsonObject | undefined, depth = 0): JsonValue {
  if (!schema || depth > 8) return {};
  if (schema['const'] !== undefined) return schema['const'];
  const choices = asArray(schema['enum']);
  if (choices.length) return choices[0]!;
  const alternative = asObject(asArray(schema['anyOf'])[0]) ?? asObject(asArray(schema['oneOf'])[0]);
  if (alternative) return sampleJson(alternative, depth + 1);
  const typeField = schema['type'];
  const type = (asString(typeField) ?? asString(asArray(typeField).find((t) => t !== 'null')) ?? (schema['properties'] ? 'object' : 'string')).toLowerCase();
  switch (type) {
    case 'object': {
      const properties = asObject(schema['properties']) ?? {};
      const required = asArray(schema['required']).map(asString).filter((k): k is string => k !== undefined);
      const out: JsonObject = {};
      for (const key of required.length ? required : Object.keys(properties)) out[key] = sampleJson(asObject(properties[key]), depth + 1);
      return out;
    }
    case 'array': {
      const min = typeof schema['minItems'] === 'number' ? schema['minItems'] : 0;
      return Array.from({ length: Math.min(min, 3) }, () => sampleJson(asObject(schema['items']), depth + 1));
    }
    case 'integer': case 'number': return typeof schema['minimum'] === 'number' ? schema['minimum'] : 0;
    case 'boolean': return false;
    case 'null': return null;
    default: return 'loopback';
  }
}

/** `json_schema` formats give their schema; JSON mode without one gives `true`. */
export function jsonOutputOf(format: JsonObject | undefined, schema: JsonValue | undefined): JsonObject | true | undefined {
  const type = asString(format?.['type']);
  if (type === 'json_schema') return asObject(schema) ?? true;
  return type === 'json_object' ? true : undefined;
}
