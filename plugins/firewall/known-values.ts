// Every occurrence of a request's redacted values in a text, in one rolling-hash pass per distinct value length.
//
// Why not `indexOf` per value: a text with 150k redacted e-mail addresses searched once per value is
// 150k full scans (minutes on one request). Why not one RE2 alternation: a global match returns
// non-overlapping matches only, so an occurrence glued to a longer word (not a value) would hide a
// shorter value that starts inside it, which the per-value search does find. Why not an npm
// Aho-Corasick: the ones published keep a JS object or Map per trie node — hundreds of MB for a few MB
// of values — and report matches as strings, not UTF-16 offsets. Rabin–Karp per length keeps a few
// small tables and costs (text length × distinct value lengths), a few dozen at most in practice.

/**
 * Hashes are polynomials mod 2^32 (Math.imul): a float modulus by a prime measured 8× slower here.
 * The base is random per process and odd. A crafted text whose windows collide with a value's hash
 * costs one failed comparison per colliding window (the last character is compared first), not
 * more: the work stays linear in the text.
 */
const BASE = (Math.floor(Math.random() * 0x3fffffff) * 2 + 65537) | 0;
/** Bits of the pre-filter per length, so most positions cost a typed-array read instead of a Map lookup. */
const FILTER_BITS = 1 << 20;

interface LengthTable {
  length: number;
  /** BASE^(length-1) mod 2^32: the weight of the character leaving the window. */
  leading: number;
  filter: Uint8Array;
  /** Hash → indexes of the values of this length with that hash, in the order given. */
  byHash: Map<number, number[]>;
}

function hashOf(text: string, from: number, length: number): number {
  let h = 0;
  for (let i = from; i < from + length; i++) h = (Math.imul(h, BASE) + text.charCodeAt(i)) | 0;
  return h;
}

export class KnownValues {
  private readonly tables: LengthTable[] = [];
  /** Per value: the first position its next occurrence may start at, valid when `stamp` is this call's. */
  private readonly nextAllowed: Float64Array;
  private readonly stamp: Uint32Array;
  private call = 0;

  constructor(readonly values: readonly string[]) {
    this.nextAllowed = new Float64Array(values.length);
    this.stamp = new Uint32Array(values.length);
    const byLength = new Map<number, LengthTable>();
    for (let v = 0; v < values.length; v++) {
      const value = values[v]!;
      if (value.length === 0) continue;
      let table = byLength.get(value.length);
      if (!table) {
        let leading = 1;
        for (let i = 1; i < value.length; i++) leading = Math.imul(leading, BASE);
        table = { length: value.length, leading, filter: new Uint8Array(FILTER_BITS >>> 3), byHash: new Map() };
        byLength.set(value.length, table);
        this.tables.push(table);
      }
      const h = hashOf(value, 0, value.length);
      const bit = h & (FILTER_BITS - 1);
      table.filter[bit >>> 3]! |= 1 << (bit & 7);
      const list = table.byHash.get(h);
      if (list) list.push(v);
      else table.byHash.set(h, [v]);
    }
  }

  /**
   * Calls `visit(valueIndex, at)` for each occurrence of each value, per value in increasing `at`,
   * skipping occurrences that overlap the previous one of the same value — the same occurrences as
   * `for (at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + value.length))`.
   */
  forEach(text: string, visit: (valueIndex: number, at: number) => void): void {
    // A stamp per call instead of clearing the arrays: a request with many segments would clear them once per segment.
    const call = ++this.call;
    const { nextAllowed, stamp, values } = this;
    for (const table of this.tables) {
      const length = table.length;
      if (length > text.length) continue;
      let h = hashOf(text, 0, length);
      for (let at = 0; ; at++) {
        const bit = h & (FILTER_BITS - 1);
        if ((table.filter[bit >>> 3]! & (1 << (bit & 7))) !== 0) {
          const list = table.byHash.get(h);
          if (list) {
            for (const v of list) {
              if (stamp[v] === call && at < nextAllowed[v]!) continue;
              const value = values[v]!;
              if (text.charCodeAt(at + length - 1) !== value.charCodeAt(length - 1) || !text.startsWith(value, at)) continue;
              stamp[v] = call;
              nextAllowed[v] = at + length;
              visit(v, at);
            }
          }
        }
        if (at + length >= text.length) break;
        h = (Math.imul(h - Math.imul(text.charCodeAt(at), table.leading), BASE) + text.charCodeAt(at + length)) | 0;
      }
    }
  }
}
