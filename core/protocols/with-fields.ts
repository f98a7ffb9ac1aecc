// `{ ...base, key: value }` for the hot paths, without its hidden cost on Node 20's V8 (11.3): once
// the function is optimized, an object spread that then gains a key its source lacks gets a map
// (V8's hidden class) of its own — a new map and descriptor array in the old generation on every
// call, a miss in every inline cache that later reads the object, and a `for…in` that builds the
// key list again. Measured: 1.26 µs a call and 7 mark-compacts per million, against 0.58 µs and
// none with Object.assign, whose copies follow shared map transitions (bench/results/ledger.md,
// round 13). The chat stream's `stream_options` and the translator's per-event objects paid it.

/**
 * A new object with `base`'s own enumerable fields, then `extra`'s: what `{ ...base, ...extra }`
 * gives. Object.assign sets rather than defines, and setting an own `__proto__` key (JSON.parse
 * makes one from a client's body) would change the copy's prototype instead of copying the field:
 * such objects take the spread.
 */
export function withFields<T extends object, U extends object>(base: T, extra: U): T & U {
  if (Object.hasOwn(base, '__proto__') || Object.hasOwn(extra, '__proto__')) return { ...base, ...extra };
  return Object.assign({}, base, extra);
}
