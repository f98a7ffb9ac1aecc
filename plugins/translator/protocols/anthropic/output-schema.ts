// The JSON schema of `output_config.format`, fitted to the subset Anthropic's structured outputs
// take. Anthropic answers 400 to an object schema without `additionalProperties: false` and to
// constraints it cannot enforce (`minimum`, `maxLength`, `maxItems`, Gemini's `propertyOrdering`…),
// while Gemini CLI, the Gemini SDK and non-strict OpenAI clients send exactly such schemas. The
// rules are those of Anthropic's own SDK (`transformJSONSchema`, used by its `parse()` helpers): keep
// what Anthropic enforces, close every object, and move the rest into the description, where the
// model still reads it.
import type { JsonObject, JsonValue } from '../../../../core/index.js';

const STRING_FORMATS = new Set(['date-time', 'time', 'date', 'duration', 'email', 'hostname', 'uri', 'ipv4', 'ipv6', 'uuid']);

export function anthropicOutputSchema(schema: JsonObject): JsonObject {
  return fit({ ...schema });
}

/** `rest` is a shallow copy the caller owns: keys are taken out of it as they are placed. */
function fit(rest: JsonObject): JsonObject {
  const out: JsonObject = {};
  const take = (key: string): JsonValue | undefined => {
    const v = rest[key];
    delete rest[key];
    return v;
  };
  const defs = take('$defs');
  if (isObject(defs)) out['$defs'] = Object.fromEntries(Object.entries(defs).map(([k, d]) => [k, sub(d)]));
  const ref = take('$ref');
  if (ref !== undefined) return { ...out, $ref: ref };

  if (Array.isArray(rest['enum']) && rest['enum'].length > 0 && rest['enum'].every(isPrimitive)) out['enum'] = take('enum')!;
  if (rest['const'] !== undefined && isPrimitive(rest['const'])) out['const'] = take('const')!;
  const literal = 'enum' in out || 'const' in out;
  const declared = take('type');
  const type = literal ? undefined : declared;
  const anyOf = take('anyOf');
  const oneOf = take('oneOf');
  const allOf = take('allOf');
  take('$schema'); // names the dialect, constrains nothing
  if (Array.isArray(anyOf)) out['anyOf'] = anyOf.map(sub);
  else if (Array.isArray(oneOf)) out['anyOf'] = oneOf.map(sub); // Anthropic has anyOf only
  else if (Array.isArray(allOf)) out['allOf'] = allOf.map(sub);
  else if (type !== undefined) out['type'] = type;

  const description = take('description');
  if (description !== undefined) out['description'] = description;
  const title = take('title');
  if (title !== undefined) out['title'] = title;

  if (type === 'object' || (Array.isArray(type) && type.includes('object'))) {
    const properties = take('properties');
    out['properties'] = isObject(properties) ? Object.fromEntries(Object.entries(properties).map(([k, p]) => [k, sub(p)])) : {};
    take('additionalProperties');
    out['additionalProperties'] = false;
    const required = take('required');
    if (required !== undefined) out['required'] = required;
  } else if (type === 'string' && typeof rest['format'] === 'string' && STRING_FORMATS.has(rest['format'])) {
    out['format'] = take('format')!;
  } else if (type === 'array' || (Array.isArray(type) && type.includes('array'))) {
    const items = take('items');
    if (items !== undefined) out['items'] = sub(items);
    if (rest['minItems'] === 0 || rest['minItems'] === 1) out['minItems'] = take('minItems')!;
  }

  const left = Object.entries(rest);
  if (left.length) {
    const note = `{${left.map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ')}}`;
    out['description'] = typeof out['description'] === 'string' && out['description'] ? `${out['description']}\n\n${note}` : note;
  }
  return out;
}

function sub(v: JsonValue): JsonValue {
  return isObject(v) ? fit({ ...v }) : v;
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPrimitive(v: JsonValue): boolean {
  return v === null || typeof v !== 'object';
}
