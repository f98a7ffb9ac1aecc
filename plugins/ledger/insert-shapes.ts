// SQLite insert statements by a row's shape: which columns hold a value all rows of the shape share
// (a null, a zero, one of a column's few values), written into the statement's SQL as literals,
// and which are bound.
//
// Binding a value costs better-sqlite3 a round of type checks and SQLite a bind, a copy and a clear
// after the run; binding a string costs V8 a UTF-8 conversion into a fresh buffer besides, and
// SQLite a second copy. Most of a row's 48 values are the same from row to row (no user, error code,
// findings or offer; no cache tokens or web calls; the day, method, path, endpoint, model, provider,
// outcome, usage source), and a statement holding them as literals binds only what varies: ~12
// values of a common row instead of 48 (callgrind: ~27,000 → ~13,000 instructions a row for SQLite,
// the binding and V8's UTF-8 copies together; bench/results/ledger.md round 31).
//
// Bounded: a shape gets a statement only when a slice holds a statement's worth of its rows (a
// shape seen once a slice is not worth compiling for), MAX_SHAPES_A_SLICE shapes are told apart a
// slice, and MAX_SHAPES statements are kept, least recently used first out. Other rows take the
// statements that bind every column, as all rows did before.
import { COLUMNS, isTextColumn } from './columns.js';
import type { LedgerRow } from './row.js';

/** How a column may be written as a literal. */
type LiteralRule =
  /** Always bound: it differs from row to row. */
  | 'bound'
  /** A literal when null, or zero (numbers); bound otherwise. */
  | 'nullOrZero'
  /** A literal whatever its value, for columns of few values (a string in a text column, a whole number in another); bound when of another type. */
  | 'constant';

/**
 * The ledger's columns that take one of a few values a gateway: its days, endpoints, providers,
 * models, outcomes, statuses. Not the client's address (one a user), nor ids and figures.
 */
const CONSTANT: readonly (keyof LedgerRow)[] = [
  'requested_model', 'served_model', 'stream', 'status', 'outcome', 'provider', 'endpoint', 'path', 'client_protocol', 'method', 'day',
  'error_code', 'usage_source', 'local_method', 'service_tier', 'direction', 'fallbacks', 'count_mismatch', 'answered_model',
];
const BOUND_ALWAYS: readonly (keyof LedgerRow)[] = ['request_id', 'time_ms', 'latency_ms', 'arrival_key'];

/** Prepared shapes kept per connection: a gateway's traffic has a handful (JSON or stream, success or error, a few endpoints, models and providers). */
export const MAX_SHAPES = 32;
/** Shapes told apart within one slice; rows of further shapes take the statements that bind every column. */
export const MAX_SHAPES_A_SLICE = 16;

/** In a shape's slots: the column is bound. */
const BOUND: unique symbol = Symbol('bound');
/** Per column: the value all rows of the shape hold there (written as a literal), or BOUND. */
export type Slots = readonly unknown[];

export class ShapeColumns {
  /** The columns that may hold a literal, those likeliest to differ between shapes first (a row of another shape is told so sooner). */
  private readonly open: number[];
  private readonly text: boolean[];
  private readonly constant: boolean[];

  /** `text`: per column, whether it holds text (a number bound there is stored as text, so it is never written as a number literal). */
  constructor(rules: readonly LiteralRule[], text: readonly boolean[]) {
    const open = rules.map((_, c) => c).filter((c) => rules[c] !== 'bound');
    this.open = [...open.filter((c) => rules[c] === 'constant'), ...open.filter((c) => rules[c] === 'nullOrZero')];
    this.text = [...text];
    this.constant = rules.map((r) => r === 'constant');
  }

  /** What column `c` holding the fitted value `v` is written as: `v` itself as a literal, or BOUND. */
  private slot(c: number, v: unknown): unknown {
    if (v === null) return null;
    if (typeof v === 'string') return this.constant[c] && this.text[c] ? v : BOUND;
    // A text column stores a number as text, not as the number literal would: bound, as before.
    if (typeof v !== 'number' || this.text[c]) return BOUND;
    // -0 is bound: the literal 0 would store +0.
    if (v === 0) return 1 / v > 0 ? 0 : BOUND;
    return this.constant[c] && Number.isSafeInteger(v) ? v : BOUND;
  }

  /** The slots of the row whose fitted values start at `values[at]`. */
  slotsOf(values: readonly unknown[], at: number): unknown[] {
    const slots = new Array<unknown>(this.text.length).fill(BOUND);
    for (const c of this.open) slots[c] = this.slot(c, values[at + c]);
    return slots;
  }

  /** Whether the row whose fitted values start at `values[at]` has these slots. */
  fits(slots: Slots, values: readonly unknown[], at: number): boolean {
    const open = this.open;
    for (let i = 0; i < open.length; i++) {
      const c = open[i]!;
      const s = slots[c];
      const v = values[at + c];
      // The common case first: the same value (a string of the same characters, the same number; not -0 for 0).
      if (v === s) { if (v !== 0 || 1 / (v as number) > 0) continue; return false; }
      if (s !== BOUND || this.slot(c, v) !== BOUND) return false;
    }
    return true;
  }
}

/** The ledger table's columns as shapes see them. */
export const SHAPE_COLUMNS = new ShapeColumns(
  COLUMNS.map((c) => (BOUND_ALWAYS.includes(c) ? 'bound' : CONSTANT.includes(c) ? 'constant' : 'nullOrZero')),
  COLUMNS.map(isTextColumn),
);

/** The SQL of a shape's row: literals in place, a parameter for each bound column. */
export function shapeRowSql(slots: Slots): string {
  return `(${slots.map(literal).join(', ')})`;
}
function literal(s: unknown): string {
  if (s === BOUND) return '?';
  if (s === null) return 'NULL';
  // A quote doubled is the only escape in a SQLite string literal (fitted texts hold no NUL; a lone
  // surrogate becomes U+FFFD in the statement's UTF-8, as in a bound value's).
  if (typeof s === 'string') return `'${s.replaceAll("'", "''")}'`;
  return String(s);
}
/** A shape's identity among the prepared ones. */
const shapeKey = (slots: Slots): string =>
  slots.map((s) => (s === BOUND ? '?' : s === null ? 'n' : typeof s === 'string' ? `'${s}` : `#${s as number}`)).join('\u0000');

export interface ShapeGroup { slots: Slots; rows: number[] }

/**
 * A slice's rows (fitted values `width` apart in `values`) by shape, each group in the slice's
 * order; `rest`: the rows of shapes past MAX_SHAPES_A_SLICE. `skip`: rows left out (ascending).
 */
export function groupByShape(columns: ShapeColumns, values: readonly unknown[], rows: number, width: number, skip: readonly number[]): { groups: ShapeGroup[]; rest: number[] } {
  const groups: ShapeGroup[] = [];
  const rest: number[] = [];
  let last: ShapeGroup | undefined;
  for (let i = 0, at = 0, s = 0; i < rows; i++, at += width) {
    if (skip[s] === i) { s++; continue; }
    // Consecutive rows are often alike: the last row's shape first.
    if (last && columns.fits(last.slots, values, at)) { last.rows.push(i); continue; }
    const previous = last;
    last = groups.find((g) => g !== previous && columns.fits(g.slots, values, at));
    if (!last && groups.length < MAX_SHAPES_A_SLICE) groups.push(last = { slots: columns.slotsOf(values, at), rows: [] });
    if (last) last.rows.push(i); else rest.push(i);
  }
  return { groups, rest };
}

/** A prepared shape: its bound columns and its statement. */
export interface Shape<S> { bound: number[]; statement: S }

/** Prepared shapes by their slots, at most MAX_SHAPES, least recently used first out. */
export class ShapeCache<S> {
  private readonly shapes = new Map<string, Shape<S>>();
  constructor(private readonly prepare: (slots: Slots) => S) {}

  get(slots: Slots): Shape<S> {
    const key = shapeKey(slots);
    let shape = this.shapes.get(key);
    if (shape) this.shapes.delete(key); // most recently used last: a Map iterates in insertion order
    else {
      if (this.shapes.size >= MAX_SHAPES) this.shapes.delete(this.shapes.keys().next().value!);
      const bound = slots.flatMap((s, c) => (s === BOUND ? [c] : []));
      shape = { bound, statement: this.prepare(slots) };
    }
    this.shapes.set(key, shape);
    return shape;
  }

  get size(): number { return this.shapes.size; }
}
