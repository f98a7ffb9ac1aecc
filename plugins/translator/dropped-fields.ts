// Which request fields a translation drops. Each decoder declares, per kind of object, the keys it
// reads (its request shape); one generic walk over the same objects reports every other key by its
// path. A hand-kept list of drops goes stale the day a client adds a field; a declaration of what
// is read cannot miss one (and the shape tests check that each declared key is really read).
import type { JsonObject, JsonValue } from '../../core/index.js';

/**
 * How a key's value is read: as a whole (`true`: a string, a number, an opaque schema or argument
 * object), through a shape, or `'consumed'`: not read by the decoder yet not a drop — read by
 * another part of Sluice (`model`, `stream`) or meaningless to any other provider (a replayed
 * item's own id). The shape tests hold the decoder to reading every key marked otherwise.
 */
export type Field = true | 'consumed' | ShapeSpec;

export interface ShapeSpec {
  /** The keys read of every object of this kind. */
  readonly keys?: Readonly<Record<string, Field>>;
  /**
   * Objects of one kind that come in variants (by `type`, `role`, …): the variant of an object,
   * and each variant's own keys, read besides `keys`.
   */
  readonly variant?: (o: JsonObject) => string | undefined;
  readonly variants?: Readonly<Record<string, ShapeSpec>>;
  /** An object of a variant not listed is dropped whole (a hosted tool, an audio part): reported once, as `path(variant)`. */
  readonly othersDropped?: boolean;
}

/** A shape with its keys in maps, built once per decoder at load (compileShape). */
export interface Shape {
  readonly keys: ReadonlyMap<string, ShapeField>;
  readonly variant: ((o: JsonObject) => string | undefined) | undefined;
  /** Per variant: `keys` and the variant's own, merged. */
  readonly variants: ReadonlyMap<string, ReadonlyMap<string, ShapeField>>;
  readonly othersDropped: boolean;
}

export type ShapeField = true | 'consumed' | Shape;

export function compileShape(spec: ShapeSpec): Shape {
  const fields = (from: Readonly<Record<string, Field>> | undefined): [string, ShapeField][] =>
    Object.entries(from ?? {}).map(([k, f]) => [k, f === true || f === 'consumed' ? f : compileShape(f)]);
  const keys = new Map(fields(spec.keys));
  const variants = new Map<string, ReadonlyMap<string, ShapeField>>();
  for (const [name, v] of Object.entries(spec.variants ?? {})) {
    if (v.variant || v.variants) throw new Error(`variant ${name}: variants do not nest`);
    variants.set(name, new Map([...keys, ...fields(v.keys)]));
  }
  return { keys, variant: spec.variant, variants, othersDropped: spec.othersDropped === true };
}

/** At most this many paths are listed (a long conversation could otherwise fill a log line with one key per turn). */
export const LISTED_DROPS = 20;

/**
 * The dropped fields of `body`: each key its shape does not read, as a path
 * (`messages[0].x_msg_unknown`, `tools[1](web_search)` for an object dropped whole), then `named`
 * (drops the decoder decides on values, not keys), at most LISTED_DROPS of them and then
 * "and N more". Values are never included. A key whose value is null or [] carries nothing and is
 * not reported ({} is: Gemini's `googleSearch: {}` turns a tool on).
 */
export function droppedFields(body: JsonObject, shape: Shape, named: Iterable<string> = []): string[] {
  const found = new DropList();
  walkObject(body, shape, [], found);
  for (const name of named) found.add(name);
  return found.list();
}

class DropList {
  private readonly paths: string[] = [];
  private more = 0;

  add(path: string): void {
    if (this.paths.length < LISTED_DROPS) this.paths.push(path);
    else this.more++;
  }

  /** Only the paths listed are built: the others are counted. */
  addAt(at: readonly (string | number)[], key: string, variant?: string): void {
    if (this.paths.length >= LISTED_DROPS) { this.more++; return; }
    const path = key === '' ? formatPath(at) : formatPath([...at, key]);
    this.paths.push(variant === undefined ? path : `${path}(${variant})`);
  }

  list(): string[] {
    return this.more === 0 ? this.paths : [...this.paths, `and ${this.more} more`];
  }
}

function formatPath(at: readonly (string | number)[]): string {
  let out = '';
  for (const s of at) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out;
}

/** A value read through a shape: an object is checked, a list is each of its items, anything else is read whole. */
function walkValue(value: JsonValue, shape: Shape, at: (string | number)[], found: DropList): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      at.push(i);
      walkValue(value[i]!, shape, at, found);
      at.pop();
    }
  } else if (value !== null && typeof value === 'object') {
    walkObject(value, shape, at, found);
  }
}

function walkObject(o: JsonObject, shape: Shape, at: (string | number)[], found: DropList): void {
  let keys = shape.keys;
  if (shape.variant) {
    const variant = shape.variant(o);
    const own = variant === undefined ? undefined : shape.variants.get(variant);
    if (own) keys = own;
    else if (shape.othersDropped) { found.addAt(at, '', variant ?? 'unknown'); return; }
  }
  for (const key in o) {
    const field = keys.get(key);
    if (field === undefined) {
      if (carries(o[key]!)) found.addAt(at, key);
    } else if (typeof field === 'object') {
      at.push(key);
      walkValue(o[key]!, field, at, found);
      at.pop();
    }
  }
}

function carries(value: JsonValue): boolean {
  return value !== null && !(Array.isArray(value) && value.length === 0);
}
