// A zod schema as the JSON Schema an editor validates YAML with (yaml-language-server).
// Draft-07: it is what yaml-language-server implements fully (2019-09 and 2020-12 are not).
// The input side: keys with defaults are optional, which is what a person writes.
import { z } from '../vendor/zod.js';

export type JsonSchema = { [key: string]: unknown };

export const JSON_SCHEMA_DRAFT = 'http://json-schema.org/draft-07/schema#';

/** What the file may hold where a number or boolean is asked for: a ${VAR} that expands to one. */
export const ENV_REFERENCE = 'env-reference';
const ENV_REFERENCE_SCHEMA: JsonSchema = {
  type: 'string',
  pattern: '\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}',
  description: 'An environment variable reference such as ${PORT} or ${PORT:-8081}, expanded when the file is loaded.',
};

/** The JSON Schema of `schema`, with `definitions['env-reference']` that its numbers and booleans refer to. */
export function toJsonSchema(schema: z.core.$ZodType): JsonSchema {
  const json = adaptForConfig(z.toJSONSchema(schema, { target: 'draft-07', io: 'input', unrepresentable: 'any' }) as JsonSchema);
  json['definitions'] = { ...(json['definitions'] as JsonSchema | undefined), [ENV_REFERENCE]: ENV_REFERENCE_SCHEMA };
  return json;
}

const SUBSCHEMA = ['items', 'additionalItems', 'additionalProperties', 'propertyNames', 'contains', 'not', 'if', 'then', 'else'];
const SUBSCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf'];
const SUBSCHEMA_MAPS = ['properties', 'patternProperties', 'definitions', '$defs'];

/** Calls `visit` on every sub-schema of `node` (not on `node` itself). */
export function eachSubschema(node: JsonSchema, visit: (child: JsonSchema) => void): void {
  const isSchema = (v: unknown): v is JsonSchema => typeof v === 'object' && v !== null && !Array.isArray(v);
  for (const key of SUBSCHEMA) {
    const v = node[key];
    if (isSchema(v)) visit(v);
    else if (Array.isArray(v)) v.filter(isSchema).forEach(visit);
  }
  for (const key of SUBSCHEMA_LISTS) {
    const v = node[key];
    if (Array.isArray(v)) v.filter(isSchema).forEach(visit);
  }
  for (const key of SUBSCHEMA_MAPS) {
    const v = node[key];
    if (isSchema(v)) Object.values(v).filter(isSchema).forEach(visit);
  }
}

/**
 * Sluice's reading of a config, in JSON Schema terms: a number or boolean may be written as
 * `${VAR}` (see core/schema/schema.ts), and `.meta({ expected })` — the phrase errors use — is
 * the description when the schema has none.
 */
function adaptForConfig(node: JsonSchema): JsonSchema {
  eachSubschema(node, adaptForConfig);
  if (typeof node['expected'] === 'string') {
    node['description'] ??= node['expected'];
    delete node['expected'];
  }
  // z.int() carries the safe-integer bounds; they only add noise to an editor's hover.
  if (node['minimum'] === Number.MIN_SAFE_INTEGER) delete node['minimum'];
  if (node['maximum'] === Number.MAX_SAFE_INTEGER) delete node['maximum'];
  const type = node['type'];
  if (type === 'number' || type === 'integer' || type === 'boolean') {
    const { default: fallback, description, title, ...value } = node;
    for (const k of Object.keys(node)) delete node[k];
    if (title !== undefined) node['title'] = title;
    if (description !== undefined) node['description'] = description;
    if (fallback !== undefined) node['default'] = fallback;
    node['anyOf'] = [value, { $ref: `#/definitions/${ENV_REFERENCE}` }];
  }
  return node;
}
