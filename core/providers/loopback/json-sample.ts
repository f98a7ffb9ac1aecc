// When a client asks for JSON output (a schema or plain JSON mode), loopback answers with the
// smallest value the schema accepts, so structured-output callers (Gemini CLI's model router, say)
// parse the answer instead of retrying.
//
// The sample is bounded: a schema is followed at most MAX_SCHEMA_DEPTH levels deep, and the answer
// may not exceed MAX_ANSWER_CHARS. Sizes are added up before anything is built, each schema node is
// sampled once (an array's items share one sample), so the cost follows the schema and the bounded
// answer — a small schema of nested `minItems` arrays used to multiply into tens of megabytes.
import { asArray, asObject, asString } from '../../protocols/json.js';
import type { JsonObject, JsonValue } from '../../protocols/types.js';
import { beyondBound, MAX_ANSWER_CHARS, MAX_SCHEMA_DEPTH } from './bounds.js';

/** What the client asked for: a schema, or none for plain JSON mode (any object). */
export interface JsonOutput {
  schema: JsonObject | undefined;
  /** The request field that asked ('response_format', 'text.format', …), named in errors. */
  param: string;
}

/** `json_schema` formats give their schema; JSON mode without one gives no schema. */
export function jsonOutputOf(format: JsonObject | undefined, schema: JsonValue | undefined, param: string): JsonOutput | undefined {
  const type = asString(format?.['type']);
  if (type === 'json_schema') return { schema: asObject(schema), param };
  return type === 'json_object' ? { schema: undefined, param } : undefined;
}

/** The answer text for a structured-output request; a 400 when the schema is beyond the bounds. */
export function sampleAnswer(output: JsonOutput): string {
  if (!output.schema) return '{}';
  return JSON.stringify(new Sampler(output.param).sample(output.schema, 0).value);
}

/** A sampled value and the length of its JSON text. */
interface Sample { value: JsonValue; size: number }

const EMPTY_OBJECT: Sample = { value: {}, size: 2 };

class Sampler {
  private readonly memo = new WeakMap<JsonObject, Sample>();

  constructor(private readonly param: string) {}

  sample(schema: JsonObject | undefined, depth: number): Sample {
    if (!schema) return EMPTY_OBJECT;
    if (depth > MAX_SCHEMA_DEPTH) {
      throw beyondBound(`${this.param}: the schema nests deeper than ${MAX_SCHEMA_DEPTH} levels, more than loopback samples`, this.param);
    }
    let done = this.memo.get(schema);
    if (!done) { done = this.fresh(schema, depth); this.memo.set(schema, done); }
    return done;
  }

  private fresh(schema: JsonObject, depth: number): Sample {
    if (schema['const'] !== undefined) return this.literal(schema['const']);
    const choices = asArray(schema['enum']);
    if (choices.length) return this.literal(choices[0]!);
    const alternative = asObject(asArray(schema['anyOf'])[0]) ?? asObject(asArray(schema['oneOf'])[0]);
    if (alternative) return this.sample(alternative, depth + 1);
    const typeField = schema['type'];
    const type = (asString(typeField) ?? asString(asArray(typeField).find((t) => t !== 'null')) ?? (schema['properties'] ? 'object' : 'string')).toLowerCase();
    switch (type) {
      case 'object': return this.object(schema, depth);
      case 'array': return this.array(schema, depth);
      case 'integer': case 'number': return this.literal(typeof schema['minimum'] === 'number' ? schema['minimum'] : 0);
      case 'boolean': return this.literal(false);
      case 'null': return this.literal(null);
      default: return this.literal('loopback');
    }
  }

  private object(schema: JsonObject, depth: number): Sample {
    const properties = asObject(schema['properties']) ?? {};
    const required = asArray(schema['required']).map(asString).filter((k): k is string => k !== undefined);
    // No prototype: a property named `__proto__` is an ordinary key of the answer.
    const value: JsonObject = Object.create(null) as JsonObject;
    let size = 2;
    for (const key of new Set(required.length ? required : Object.keys(properties))) {
      const field = this.sample(asObject(Object.hasOwn(properties, key) ? properties[key] : undefined), depth + 1);
      size += (size > 2 ? 1 : 0) + JSON.stringify(key).length + 1 + field.size;
      this.within(size);
      value[key] = field.value;
    }
    return { value, size };
  }

  private array(schema: JsonObject, depth: number): Sample {
    const asked = schema['minItems'];
    const count = typeof asked === 'number' && asked > 0 ? Math.ceil(asked) : 0;
    if (count === 0) return { value: [], size: 2 };
    const item = this.sample(asObject(schema['items']), depth + 1);
    // Checked before building: minItems can be any number.
    const size = 2 + count * item.size + (count - 1);
    this.within(size);
    return { value: new Array<JsonValue>(count).fill(item.value), size };
  }

  /** A value taken as is (const, enum, number, …); its size is its JSON text. */
  private literal(value: JsonValue): Sample {
    let size: number;
    try {
      size = JSON.stringify(value).length;
    } catch {
      // Only a value nested too deep for the serialiser gets here.
      throw beyondBound(`${this.param}: a const or enum value nests too deeply`, this.param);
    }
    this.within(size);
    return { value, size };
  }

  private within(size: number): void {
    if (size > MAX_ANSWER_CHARS) {
      throw beyondBound(`${this.param}: the smallest JSON this schema accepts is over ${MAX_ANSWER_CHARS} characters, more than loopback answers`, this.param);
    }
  }
}
