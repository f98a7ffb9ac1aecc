// The description texts of the tools a request offers (function descriptions and every
// `description` inside their parameter schemas, and inside the structured-output schema) and the
// values those schemas show the model (`enum`, `const`, `default`, `examples`), so a value redacted
// elsewhere in the request is replaced there too.
//
// They are not searched for values of their own: the application writes them, not the user, and
// they carry example values on purpose (Claude Code's Bash tool shows a commit trailer with an
// e-mail address) — detecting those would block every request of such a client under `enforce`.
import { isObject, type JsonObject, type JsonValue, type ProtocolName, type Segment } from '../../core/index.js';

/** A description string, rewritable in place. */
export type DescriptionSlot = Pick<Segment, 'text' | 'set'>;

/** Schemas nest (properties, items, anyOf, $defs); deeper than this is not a schema a model gets. */
const MAX_DEPTH = 32;

const obj = (v: JsonValue | undefined): JsonObject | undefined => (isObject(v) ? v : undefined);

/**
 * Where each protocol keeps its tool definitions and its structured-output schema (Gemini's
 * countTokens may wrap a generate request; Gemini fields in either spelling). An answer schema shows
 * the model descriptions and values just as a tool's parameters do.
 */
function toolLists(protocol: ProtocolName, body: JsonObject): JsonValue[] {
  const lists: JsonValue[] = [];
  const add = (owner: JsonObject | undefined, key: string) => {
    const list = owner?.[key];
    if (Array.isArray(list)) lists.push(list);
  };
  const schema = (value: JsonValue | undefined) => { if (isObject(value)) lists.push(value); };
  switch (protocol) {
    case 'openai.chat':
      add(body, 'tools'); add(body, 'functions');
      schema(obj(obj(body['response_format'])?.['json_schema'])?.['schema']);
      break;
    case 'openai.responses':
      add(body, 'tools');
      schema(obj(obj(body['text'])?.['format'])?.['schema']);
      break;
    case 'anthropic.messages':
    case 'anthropic.count_tokens':
      add(body, 'tools');
      schema(obj(obj(obj(body['output_config'])?.['format']))?.['schema']);
      schema(obj(body['output_format'])?.['schema']);
      break;
    case 'gemini.generate':
    case 'gemini.count_tokens': {
      // Either spelling, as the view reads it: a wrapper missed here sent a redacted value upstream in a description.
      const inner = obj(body['generateContentRequest'] ?? body['generate_content_request']) ?? body;
      add(inner, 'tools');
      const config = obj(inner['generationConfig'] ?? inner['generation_config']);
      for (const key of ['responseJsonSchema', 'response_json_schema', 'responseSchema', 'response_schema']) schema(config?.[key]);
      break;
    }
    default: break;
  }
  return lists;
}

/**
 * Schema keywords whose strings are values the model is shown as such — `enum: ["ann@corp.io"]`,
 * a `default` recipient: a value redacted elsewhere must not reach the provider there either, and
 * with its placeholder the model's call still restores to it.
 */
const VALUE_KEYWORDS = new Set(['enum', 'const', 'default', 'examples', 'example']);

function collect(value: JsonValue, depth: number, out: DescriptionSlot[]): void {
  if (depth > MAX_DEPTH) return;
  if (Array.isArray(value)) {
    for (const item of value) collect(item, depth + 1, out);
    return;
  }
  if (!isObject(value)) return;
  for (const key in value) {
    const child = value[key]!;
    if (key === 'description' && typeof child === 'string') {
      if (child.length) out.push(slot(value, key));
    } else if (key === 'properties' && isObject(child)) {
      // Property names are the application's, not keywords: a property called `default` is a schema.
      for (const name in child) collect(child[name]!, depth + 2, out);
    } else if (VALUE_KEYWORDS.has(key)) {
      collectStrings(value, key, depth + 1, out);
    } else if (typeof child === 'object' && child !== null) {
      collect(child, depth + 1, out);
    }
  }
}

/** Every non-empty string at owner[key], however nested (an enum's items, an example object's fields). */
function collectStrings(owner: JsonObject | JsonValue[], key: string | number, depth: number, out: DescriptionSlot[]): void {
  if (depth > MAX_DEPTH) return;
  const value = (owner as Record<string | number, JsonValue>)[key]!;
  if (typeof value === 'string') {
    if (value.length) out.push(slot(owner, key));
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) collectStrings(value, i, depth + 1, out);
  } else if (isObject(value)) {
    for (const k in value) collectStrings(value, k, depth + 1, out);
  }
}

function slot(owner: JsonObject | JsonValue[], key: string | number): DescriptionSlot {
  const o = owner as Record<string | number, JsonValue>;
  return { get text() { return o[key] as string; }, set(text: string) { o[key] = text; } };
}

/** Every non-empty `description` string inside the request's tool definitions, and the strings of their value keywords (enum, const, default, examples), in order. */
export function toolDescriptions(protocol: ProtocolName, body: JsonObject): DescriptionSlot[] {
  const out: DescriptionSlot[] = [];
  for (const list of toolLists(protocol, body)) collect(list, 0, out);
  return out;
}
