// Validates config and plugin options with zod, and reports every problem as an option path plus
// what was expected, which the config loader turns into file:line:column.
//
// On top of zod, two rules a YAML config needs (they were the rules before zod, too):
// - an empty value (`key:` with nothing after it) counts as not set, unless the schema accepts null;
// - where the schema asks for a number or a boolean, a string that spells one counts as one:
//   `port: ${PORT}` arrives as the string "8080" after environment expansion.
// Both apply only where zod rejected the value as it was, so schemas stay plain zod.
import { z } from '../vendor/zod.js';
import { optionErrorMessage } from './messages.js';
import { isPlainObject, SchemaError, type Path, type Problem } from './schema-error.js';
import { maskSecretParams } from '../storage/connection-error.js';

export { SchemaError, formatPath, isPlainObject, type Path, type Problem } from './schema-error.js';

const PARSE_CONTEXT = { reportInput: true, error: optionErrorMessage } as const;
/** Each round fixes every repairable value zod reported; nesting (a union in a union) needs a few. */
const MAX_REPAIR_ROUNDS = 8;

/**
 * Parses `value` with `schema` (defaults applied); throws SchemaError listing every problem.
 * `spelled: false` for JSON from an API: it has numbers and booleans of its own, so a string is
 * not read as one (`"0x10"` would be 16) — only YAML's `${ENV}` values need that.
 */
export function parseOptions<T>(schema: z.core.$ZodType<T>, value: unknown, o: { spelled?: boolean } = {}): T {
  const spelledValues = o.spelled !== false;
  let input = value;
  let copied = false;
  for (let round = 0; ; round++) {
    const result = z.safeParse(schema, input, PARSE_CONTEXT);
    if (result.success) return result.data;
    const repairs = round < MAX_REPAIR_ROUNDS ? repairsFor(result.error.issues, [], spelledValues) : [];
    if (!copied && repairs.length) {
      // The caller's value (a plugin's `with:`, kept for reloads) is never changed.
      input = structuredClone(input);
      copied = true;
    }
    let repaired = false;
    for (const repair of repairs) repaired = apply(input, repair) || repaired;
    if (!repaired) throw new SchemaError(problemsOf(result.error.issues, []), result.error.issues);
  }
}

// ---- repairs: empty values and spelled-out numbers/booleans -------------------------------------

interface Repair { path: Path; from: unknown; to: unknown }
const UNSET = Symbol('unset');

function repairsFor(issues: readonly z.core.$ZodIssue[], base: Path, spelledValues: boolean): Repair[] {
  const out: Repair[] = [];
  for (const issue of issues) {
    const path = [...base, ...keys(issue.path)];
    if (issue.code === 'invalid_union') {
      for (const alternative of issue.errors) out.push(...repairsFor(alternative, path, spelledValues));
      continue;
    }
    if (issue.code !== 'invalid_type') continue;
    const from = issue.input;
    if (from === null) out.push({ path, from, to: UNSET });
    else if (spelledValues && typeof from === 'string') {
      const to = spelled(from, issue.expected);
      if (to !== undefined) out.push({ path, from, to });
    }
  }
  return out;
}

function spelled(text: string, expected: string): number | boolean | undefined {
  if (expected === 'number' || expected === 'int') {
    const n = text.trim() === '' ? NaN : Number(text);
    return Number.isFinite(n) ? n : undefined;
  }
  if (expected === 'boolean') return text === 'true' ? true : text === 'false' ? false : undefined;
  return undefined;
}

/** Applies a repair if the value is still the one zod rejected; only a mapping's entry can be unset. */
function apply(root: unknown, repair: Repair): boolean {
  const key = repair.path.at(-1);
  if (key === undefined) return false;
  let parent: unknown = root;
  for (const part of repair.path.slice(0, -1)) {
    if (typeof parent !== 'object' || parent === null) return false;
    parent = (parent as Record<string | number, unknown>)[part];
  }
  if (typeof parent !== 'object' || parent === null) return false;
  const container = parent as Record<string | number, unknown>;
  if (container[key] !== repair.from) return false;
  if (repair.to !== UNSET) container[key] = repair.to;
  else if (isPlainObject(parent)) delete container[key];
  else return false;
  return true;
}

// ---- problems: zod issues as option paths and messages ------------------------------------------

function problemsOf(issues: readonly z.core.$ZodIssue[], base: Path): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path = [...base, ...keys(issue.path)];
    if (issue.code === 'invalid_union') {
      // An alternative that failed below the value matched its outer shape: its problem is the
      // useful one ("hops: expected an integer from 1 to 16", not "expected true or false, or …").
      const deepest = deepestIssue(issue.errors);
      if (deepest) out.push(...problemsOf([deepest], path));
      else out.push({ path, message: issue.message });
    } else if (issue.code === 'unrecognized_keys') {
      // Point at the first unknown key itself, not at the mapping that holds it.
      out.push({ path: issue.keys.length ? [...path, issue.keys[0]!] : path, message: issue.message });
    } else {
      out.push({ path, message: hideSecret(path, issue.message) });
    }
  }
  return out;
}

/**
 * A value under a key that names a secret (admin.key, api_key, api_keys[0], a webhook secret) is not
 * echoed: a real key one character short would otherwise land in the terminal and CI logs. A URL's
 * password (storage.database) and secret query parameters (a Gemini base_url's `?key=`) are masked.
 */
const SECRET_KEY = /(^|_)(key|keys|secret|secrets|token|password|authorization)$/i;
const GOT_STRING = /, got "(?:[^"\\]|\\.)*"$/;
function hideSecret(path: Path, message: string): string {
  if (!GOT_STRING.test(message)) return message;
  if (path.some((p) => typeof p === 'string' && SECRET_KEY.test(p))) return message.replace(GOT_STRING, ', got a value not shown here (a secret)');
  return maskSecretParams(message.replace(/(\/\/[^/:@"]*):[^@/"]*@/, '$1:***@'));
}

function deepestIssue(alternatives: readonly (readonly z.core.$ZodIssue[])[]): z.core.$ZodIssue | undefined {
  let best: z.core.$ZodIssue | undefined;
  for (const issues of alternatives) {
    for (const issue of issues) if (issue.path.length > 0 && (!best || issue.path.length > best.path.length)) best = issue;
  }
  return best;
}

function keys(path: readonly PropertyKey[]): (string | number)[] {
  return path.map((p) => (typeof p === 'symbol' ? String(p) : p));
}
