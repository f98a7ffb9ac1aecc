// Tool parameter schemas as OpenAI takes them. OpenAI refuses a tool list in which any array schema
// has no `items` ("Invalid schema for function 'x': In context=('properties', 'paths'), array schema
// missing items"), strict or not, while Gemini and Anthropic accept it and MCP servers often declare
// such arrays — so one such tool failed every turn of a translated conversation. `items: {}` (any
// item) says what the schema meant.
import { isObject, type JsonObject, type JsonValue } from '../../core/index.js';

/** Keys whose value is one subschema, or a map / list of subschemas. */
const ONE = ['items', 'additionalProperties', 'not', 'contains', 'if', 'then', 'else'];
const MAP = ['properties', 'patternProperties', '$defs', 'definitions'];
const LIST = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];

export function openAIToolSchema(schema: JsonObject): JsonObject {
  return fit(schema);
}

/** Copies only what changes: most schemas have every array's items and come back as they were. */
function fit(schema: JsonObject): JsonObject {
  let out: JsonObject | undefined;
  const set = (key: string, value: JsonValue): void => {
    out ??= { ...schema };
    out[key] = value;
  };
  const type = schema['type'];
  if ((type === 'array' || (Array.isArray(type) && type.includes('array'))) && schema['items'] === undefined) set('items', {});
  for (const key of ONE) {
    const sub = schema[key];
    if (isObject(sub)) {
      const fitted = fit(sub);
      if (fitted !== sub) set(key, fitted);
    }
  }
  for (const key of MAP) {
    const subs = schema[key];
    if (!isObject(subs)) continue;
    let changed: JsonObject | undefined;
    for (const [name, sub] of Object.entries(subs)) {
      const fitted = isObject(sub) ? fit(sub) : sub;
      if (fitted !== sub) (changed ??= { ...subs })[name] = fitted;
    }
    if (changed) set(key, changed);
  }
  for (const key of LIST) {
    const subs = schema[key];
    if (!Array.isArray(subs)) continue;
    const fitted = subs.map((sub) => (isObject(sub) ? fit(sub) : sub));
    if (fitted.some((f, i) => f !== subs[i])) set(key, fitted);
  }
  return out ?? schema;
}
