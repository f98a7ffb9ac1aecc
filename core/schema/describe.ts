// What a schema expects and what a value is, in the words of a config error ("expected an integer
// from 0 to 65535, got 99999"). The expectation is read from the schema's JSON Schema — zod's public
// view of its checks — so every zod check is covered without reading zod internals.
import { z } from '../vendor/zod.js';

type Json = { [key: string]: unknown };

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 37) + '...' : value);
  return String(value);
}

/**
 * What `schema` accepts, as a phrase ("one of a, b", "a list of a non-empty string (at least 1)").
 * A schema may name it itself with `.meta({ expected: 'a lower-case header name' })`.
 */
export function describeSchema(schema: z.core.$ZodType | undefined): string {
  if (!schema) return 'a valid value';
  let json: Json;
  try {
    json = z.toJSONSchema(schema, { target: 'draft-07', io: 'input', unrepresentable: 'any' }) as Json;
  } catch {
    return 'a valid value';
  }
  return describeJson(json);
}

const MAX_KEYS_LISTED = 8;

function describeJson(s: Json): string {
  if (typeof s['expected'] === 'string') return s['expected'];
  if ('const' in s) return JSON.stringify(s['const']);
  const values = s['enum'];
  if (Array.isArray(values)) {
    return values.length === 1 ? JSON.stringify(values[0]) : `one of ${values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')}`;
  }
  const alternatives = s['anyOf'] ?? s['oneOf'];
  if (Array.isArray(alternatives)) return (alternatives as Json[]).map(describeJson).join(', or ');
  const type = s['type'];
  if (Array.isArray(type)) return type.map((t) => describeJson({ ...s, type: t })).join(', or ');
  switch (type) {
    case 'integer': case 'number': return describeNumber(s, type === 'integer' ? 'an integer' : 'a number');
    case 'string': return describeString(s);
    case 'boolean': return 'true or false';
    case 'null': return 'null';
    case 'array': {
      const items = s['items'];
      const min = s['minItems'];
      const item = items && typeof items === 'object' && !Array.isArray(items) ? describeJson(items as Json) : 'anything';
      return `a list of ${item}` + (typeof min === 'number' && min > 0 ? ` (at least ${min})` : '');
    }
    case 'object': return describeObject(s);
  }
  return 'anything';
}

function describeNumber(s: Json, kind: string): string {
  // z.int() carries the safe-integer bounds, which say nothing to a reader.
  const bound = (key: string): number | undefined => {
    const v = s[key];
    return typeof v === 'number' && Math.abs(v) < Number.MAX_SAFE_INTEGER ? v : undefined;
  };
  const min = bound('minimum');
  const max = bound('maximum');
  const above = bound('exclusiveMinimum');
  const below = bound('exclusiveMaximum');
  if (min !== undefined && max !== undefined) return `${kind} from ${min} to ${max}`;
  const parts = [
    min !== undefined ? `>= ${min}` : above !== undefined ? `> ${above}` : '',
    max !== undefined ? `<= ${max}` : below !== undefined ? `< ${below}` : '',
  ].filter(Boolean);
  return parts.length ? `${kind} ${parts.join(' and ')}` : kind;
}

const FORMATS: Record<string, string> = { uri: 'a URL', email: 'an email address', uuid: 'a UUID', 'date-time': 'an ISO date-time', date: 'an ISO date', ipv4: 'an IPv4 address', ipv6: 'an IPv6 address' };

function describeString(s: Json): string {
  const format = s['format'];
  if (typeof format === 'string') return FORMATS[format] ?? `a ${format} string`;
  const min = typeof s['minLength'] === 'number' ? s['minLength'] : 0;
  const max = typeof s['maxLength'] === 'number' ? s['maxLength'] : undefined;
  let text = min === 1 && max === undefined ? 'a non-empty string'
    : min > 1 && max !== undefined ? `a string of ${min} to ${max} characters`
    : min > 1 ? `a string of at least ${min} characters`
    : max !== undefined ? `a string of at most ${max} characters`
    : 'a string';
  if (typeof s['pattern'] === 'string') text += ` matching /${s['pattern']}/`;
  return text;
}

function describeObject(s: Json): string {
  const properties = s['properties'];
  const keys = properties && typeof properties === 'object' ? Object.keys(properties) : [];
  const rest = s['additionalProperties'];
  if (keys.length === 0 && rest && typeof rest === 'object') {
    const names = s['propertyNames'] as Json | undefined;
    const keyName = typeof names?.['expected'] === 'string' ? names['expected'] : 'names';
    return `a mapping of ${keyName} to ${describeJson(rest as Json)}`;
  }
  if (keys.length === 0) return rest === false ? 'an empty mapping' : 'a mapping';
  return keys.length > MAX_KEYS_LISTED ? 'a mapping' : `a mapping with ${keys.join(', ')}`;
}
