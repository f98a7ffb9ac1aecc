// A small typed schema builder for configuration and plugin options.
// Why our own: errors must name the exact option path and the expected shape so the config loader
// can point at file:line:column, and plugin authors get inferred option types without a dependency.

export type Path = ReadonlyArray<string | number>;

export class SchemaError extends Error {
  constructor(
    readonly path: Path,
    readonly expected: string,
    readonly got: unknown,
  ) {
    super(`${formatPath(path) || '(root)'}: expected ${expected}, got ${describeValue(got)}`);
    this.name = 'SchemaError';
  }
}

export function formatPath(path: Path): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 37) + '...' : value);
  return String(value);
}

export interface Schema<T> {
  /** Human-readable shape, used in error messages ("a string", "one of a, b"). */
  readonly expected: string;
  /** Validates and returns the value with defaults applied; throws SchemaError on the first problem. */
  parse(value: unknown, path?: Path): T;
  /** Present when the schema accepts a missing value. */
  readonly optional?: boolean;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

function make<T>(expected: string, check: (value: unknown, path: Path) => T): Schema<T> {
  return { expected, parse: (value, path = []) => check(value, path) };
}

export interface StringOptions { minLength?: number; pattern?: RegExp; patternName?: string }
function string(opts: StringOptions = {}): Schema<string> {
  const expected = opts.patternName ?? (opts.minLength ? `a string of at least ${opts.minLength} characters` : 'a string');
  return make(expected, (v, p) => {
    if (typeof v !== 'string') throw new SchemaError(p, expected, v);
    if (opts.minLength !== undefined && v.length < opts.minLength) throw new SchemaError(p, expected, v);
    if (opts.pattern && !opts.pattern.test(v)) throw new SchemaError(p, expected, v);
    return v;
  });
}

export interface NumberOptions { min?: number; max?: number; integer?: boolean }
function number(opts: NumberOptions = {}): Schema<number> {
  const kind = opts.integer ? 'an integer' : 'a number';
  const range =
    opts.min !== undefined && opts.max !== undefined ? ` from ${opts.min} to ${opts.max}`
    : opts.min !== undefined ? ` >= ${opts.min}`
    : opts.max !== undefined ? ` <= ${opts.max}` : '';
  const expected = kind + range;
  return make(expected, (v, p) => {
    // YAML gives numbers already; env-expanded values arrive as numeric strings.
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n)) throw new SchemaError(p, expected, v);
    if (opts.integer && !Number.isInteger(n)) throw new SchemaError(p, expected, v);
    if (opts.min !== undefined && n < opts.min) throw new SchemaError(p, expected, v);
    if (opts.max !== undefined && n > opts.max) throw new SchemaError(p, expected, v);
    return n;
  });
}

function boolean(): Schema<boolean> {
  return make('true or false', (v, p) => {
    if (typeof v === 'boolean') return v;
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw new SchemaError(p, 'true or false', v);
  });
}

function literal<const L extends string | number | boolean>(value: L): Schema<L> {
  const expected = JSON.stringify(value);
  return make(expected, (v, p) => {
    if (v !== value) throw new SchemaError(p, expected, v);
    return value;
  });
}

function oneOf<const L extends readonly string[]>(values: L): Schema<L[number]> {
  const expected = `one of ${values.join(', ')}`;
  return make(expected, (v, p) => {
    if (typeof v !== 'string' || !values.includes(v)) throw new SchemaError(p, expected, v);
    return v as L[number];
  });
}

function array<T>(item: Schema<T>, opts: { minItems?: number } = {}): Schema<T[]> {
  const expected = `a list of ${item.expected}` + (opts.minItems ? ` (at least ${opts.minItems})` : '');
  return make(expected, (v, p) => {
    if (!Array.isArray(v)) throw new SchemaError(p, expected, v);
    if (opts.minItems !== undefined && v.length < opts.minItems) throw new SchemaError(p, expected, v);
    return v.map((x, i) => item.parse(x, [...p, i]));
  });
}

function record<T>(value: Schema<T>, opts: { keyPattern?: RegExp; keyName?: string } = {}): Schema<Record<string, T>> {
  const expected = `a mapping of ${opts.keyName ?? 'names'} to ${value.expected}`;
  return make(expected, (v, p) => {
    if (!isPlainObject(v)) throw new SchemaError(p, expected, v);
    const out: Record<string, T> = {};
    for (const [k, x] of Object.entries(v)) {
      if (opts.keyPattern && !opts.keyPattern.test(k)) throw new SchemaError([...p, k], opts.keyName ?? 'a valid name', k);
      out[k] = value.parse(x, [...p, k]);
    }
    return out;
  });
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
export type ObjectOf<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> };

/** A mapping with known keys. Unknown keys are an error (typos in config must not pass silently). */
function object<S extends Shape>(shape: S, opts: { allowUnknown?: boolean; name?: string } = {}): Schema<ObjectOf<S>> {
  const keys = Object.keys(shape);
  const expected = opts.name ?? `a mapping with ${keys.length ? keys.join(', ') : 'no keys'}`;
  return make(expected, (v, p) => {
    if (v === null || v === undefined) v = {};
    if (!isPlainObject(v)) throw new SchemaError(p, expected, v);
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const s = shape[key]!;
      const raw = v[key];
      if (raw === undefined && !s.optional) {
        // A required key with a default is filled by parse(undefined); others report "missing".
        out[key] = s.parse(undefined, [...p, key]);
        continue;
      }
      const parsed = s.parse(raw, [...p, key]);
      if (parsed !== undefined) out[key] = parsed;
    }
    for (const key of Object.keys(v)) {
      if (key in shape) continue;
      if (opts.allowUnknown) out[key] = v[key];
      else throw new SchemaError([...p, key], `no option "${key}" (known: ${keys.join(', ') || 'none'})`, v[key]);
    }
    return out as ObjectOf<S>;
  });
}

function optional<T>(inner: Schema<T>): Schema<T | undefined> & { optional: true } {
  return {
    expected: inner.expected,
    optional: true,
    parse: (v, p = []) => (v === undefined || v === null ? undefined : inner.parse(v, p)),
  };
}

function withDefault<T>(inner: Schema<T>, fallback: T | (() => T)): Schema<T> {
  return {
    expected: inner.expected,
    parse: (v, p = []) =>
      v === undefined || v === null
        ? inner.parse(typeof fallback === 'function' ? (fallback as () => T)() : structuredClone(fallback), p)
        : inner.parse(v, p),
  };
}

/** First alternative that accepts the value wins; the error lists every alternative. */
function union<T extends Schema<unknown>[]>(...alternatives: T): Schema<Infer<T[number]>> {
  const expected = alternatives.map((a) => a.expected).join(', or ');
  return make(expected, (v, p) => {
    let deepest: SchemaError | undefined;
    for (const alt of alternatives) {
      try {
        return alt.parse(v, p) as Infer<T[number]>;
      } catch (err) {
        if (!(err instanceof SchemaError)) throw err;
        // An error below this path means the alternative matched the outer shape: it is the most useful.
        if (err.path.length > p.length && (!deepest || err.path.length > deepest.path.length)) deepest = err;
      }
    }
    throw deepest ?? new SchemaError(p, expected, v);
  });
}

function unknownValue(): Schema<unknown> {
  return make('anything', (v) => v);
}

/** Adds a check on an already-parsed value (e.g. "compiles as a pattern"). */
function refine<T>(inner: Schema<T>, expected: string, check: (value: T) => boolean): Schema<T> {
  return {
    expected: inner.expected,
    optional: inner.optional,
    parse: (v, p = []) => {
      const parsed = inner.parse(v, p);
      if (parsed !== undefined && !check(parsed)) throw new SchemaError(p, expected, v);
      return parsed;
    },
  };
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const t = {
  string, number, boolean, literal, oneOf, array, record, object, optional,
  default: withDefault, union, unknown: unknownValue, refine,
};
