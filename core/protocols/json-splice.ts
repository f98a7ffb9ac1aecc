// JSON re-serialisation that keeps the client's own text for every value a plugin left alone.
//
// A plugin that changes one string of a request (the firewall replacing an e-mail address with a
// placeholder, an alias renaming the model) makes the body go upstream serialised anew, and
// JSON.parse + JSON.stringify is not the identity on text: an integer beyond 2^53 (a `seed`, an id
// in tool arguments) comes back rounded, `1.0` becomes `1`, `1e3` becomes `1000`, `"\u00e9"`
// becomes `"é"`. spliceJson walks the source text beside the changed value and copies the source
// for every value that still parses to what the changed value holds, serialising only what differs.
import type { JsonValue } from './types.js';

/**
 * Past this nesting the rest of a value is serialised with JSON.stringify (the walk recurses;
 * ingress refuses bodies deeper than server.max_json_depth, at most 1000, but tool arguments sent
 * as JSON text are one string to ingress).
 */
const MAX_DEPTH = 256;

/**
 * `value` as JSON text, where every part of it equal to the corresponding part of what `source`
 * parses to keeps `source`'s exact text (numbers, escapes, whitespace within it). Object members
 * keep the source's order; members `value` adds come after them. A source that is not JSON, or
 * has nothing JSON.stringify would spell otherwise but whitespace, gives JSON.stringify(value).
 */
export function spliceJson(source: string, value: JsonValue): string {
  // The walk costs ~5x JSON.stringify; most bodies have nothing it would keep (only whitespace).
  if (!MAY_BE_RESPELLED.test(source)) return JSON.stringify(value);
  try {
    const walk = new Splice(source);
    walk.space();
    walk.value(value, 0);
    walk.space();
    if (walk.at !== source.length) return JSON.stringify(value);
    return walk.result();
  } catch {
    return JSON.stringify(value);
  }
}

/**
 * Text JSON.stringify(JSON.parse(text)) might spell otherwise, found anywhere (strings included, so
 * it over-matches, which only costs the walk): 16+ significant digits (an integer beyond 2^53, a
 * long fraction), an exponent, a fraction with a trailing zero (`1.0`), a value below 1e-6 (printed
 * as an exponent), `-0`, a `\u` escape, an escaped `/`. A number without any of these is printed
 * back as written; so is a string without them.
 */
const MAY_BE_RESPELLED = /\d(?:\.?\d){15}|\d[eE]|\.\d*0(?!\d)|\.0{6}|-0(?![.\d])|\\u|\\\//;

const QUOTE = 34;
const BACKSLASH = 92;

function isPlainObject(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whether s[start, end] (quotes included) is exactly JSON.stringify(v). */
function canonical(s: string, start: number, end: number, v: string): boolean {
  const json = JSON.stringify(v);
  return json.length === end + 1 - start && s.startsWith(json, start);
}

const SIMPLE_ESCAPES: Record<string, number> = { '"': 34, '\\': 92, '/': 47, b: 8, f: 12, n: 10, r: 13, t: 9 };

/**
 * Whether the JSON string body s[start, end) (escapes included) reads as `v`: the runs between
 * escapes are compared in place (native startsWith), each escape decoded — no copy of the text.
 */
function sameEscaped(s: string, start: number, end: number, v: string): boolean {
  let j = 0;
  let i = start;
  while (i < end) {
    const slash = s.indexOf('\\', i);
    const runEnd = slash < 0 || slash > end ? end : slash;
    if (runEnd > i) {
      if (!v.startsWith(s.slice(i, runEnd), j)) return false;
      j += runEnd - i;
    }
    if (runEnd === end) break;
    const kind = s[runEnd + 1]!;
    let code: number;
    if (kind === 'u') { code = Number.parseInt(s.slice(runEnd + 2, runEnd + 6), 16); i = runEnd + 6; }
    else { code = SIMPLE_ESCAPES[kind] ?? -1; i = runEnd + 2; }
    if (v.charCodeAt(j++) !== code) return false;
  }
  return j === v.length;
}

function isDelimiter(c: number): boolean {
  return c === 44 || c === 93 || c === 125 || c === 32 || c === 10 || c === 13 || c === 9 || Number.isNaN(c);
}

/**
 * One left-to-right walk of the source that records edits (source range → new text) in order;
 * the output is the source with them applied. Nothing is copied for what stays, so an unchanged
 * conversation costs a scan, not a rebuild.
 */
class Splice {
  at = 0;
  /** The output so far (a rope: `+=` is cheaper here than an array joined, ~4x on 140 KB). */
  private out = '';
  private edited = false;
  /** Source position up to which `out` holds the output. */
  private cursor = 0;
  constructor(private readonly s: string) {}

  result(): string {
    return this.edited ? this.out + this.s.slice(this.cursor) : this.s;
  }

  private edit(start: number, end: number, text: string): void {
    this.out += this.s.slice(this.cursor, start) + text;
    this.edited = true;
    this.cursor = end;
  }

  space(): void {
    const s = this.s;
    let c = s.charCodeAt(this.at);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = s.charCodeAt(++this.at);
  }

  /** Passes the source value at `at`, recording the edits that make it `v`. */
  value(v: JsonValue, depth: number): void {
    const s = this.s;
    const start = this.at;
    const c = s.charCodeAt(start);
    if (c === 123 /* { */ && isPlainObject(v) && depth < MAX_DEPTH) { this.object(v, depth); return; }
    if (c === 91 /* [ */ && Array.isArray(v) && depth < MAX_DEPTH) { this.array(v, depth); return; }
    if (c === QUOTE) {
      const end = this.stringEnd(start);
      this.at = end + 1;
      if (typeof v === 'string') {
        // Escaped text: as JSON.stringify spells it (a tool output's \n: native), else escape by
        // escape (a `\u00e9` of the client's own), never parsed.
        const raw = s.slice(start + 1, end);
        if (raw.indexOf('\\') < 0 ? raw === v : canonical(s, start, end, v) || sameEscaped(s, start + 1, end, v)) return;
      }
    } else if (c === 123 || c === 91) {
      this.skip();
    } else {
      let i = start;
      while (!isDelimiter(s.charCodeAt(i))) i++;
      if (i === start) throw new SyntaxError('not JSON');
      this.at = i;
      const raw = s.slice(start, i);
      if (typeof v === 'number' ? Number(raw) === v : (v === true || v === false || v === null) && raw === String(v)) return;
    }
    this.edit(start, this.at, JSON.stringify(v));
  }

  private object(v: { [key: string]: JsonValue }, depth: number): void {
    const s = this.s;
    const open = this.at;
    const mark = this.out.length;
    const markCursor = this.cursor;
    this.at++;
    /** Where a removal starts: after the last member kept, else after the brace (with `first`). */
    let keptEnd = this.at;
    let first = true;
    let dropping = false;
    let members = 0;
    let matched = 0;
    /**
     * The value's keys met so far, kept only from the second: a key the source repeats counts twice
     * in `matched`, and with as many members added the counts come out equal although the added
     * ones were never written (`{"model":"a","model":"b"}` plus a `metadata` lost it).
     */
    let firstKey: string | undefined;
    let met: Set<string> | undefined;
    let repeated = false;
    this.space();
    if (s.charCodeAt(this.at) !== 125) {
      for (;;) {
        this.space();
        const keyStart = this.at;
        const keyEnd = this.stringEnd(keyStart);
        const keyText = s.slice(keyStart + 1, keyEnd);
        const key = keyText.indexOf('\\') < 0 ? keyText : JSON.parse(s.slice(keyStart, keyEnd + 1)) as string;
        this.at = keyEnd + 1;
        this.space();
        if (s.charCodeAt(this.at) !== 58 /* : */) throw new SyntaxError('not JSON');
        this.at++;
        this.space();
        members++;
        const member = Object.hasOwn(v, key) ? v[key] : undefined;
        if (member === undefined) {
          this.skip();
          // Dropped: with a member kept before it, `, "key": value` goes; before any, the member and
          // its comma go when the next kept member (or the close) is reached.
          if (!first) { this.edit(keptEnd, this.at, ''); keptEnd = this.at; } else dropping = true;
        } else {
          matched++;
          if (firstKey === undefined) firstKey = key;
          else {
            met ??= new Set([firstKey]);
            if (met.has(key)) repeated = true;
            else met.add(key);
          }
          if (dropping) { this.edit(keptEnd, keyStart, ''); dropping = false; }
          this.value(member, depth + 1);
          keptEnd = this.at;
          first = false;
        }
        this.space();
        const d = s.charCodeAt(this.at);
        if (d === 125) break;
        if (d !== 44) throw new SyntaxError('not JSON');
        this.at++;
      }
    }
    const close = this.at;
    this.at++;
    const keys = Object.keys(v);
    let added = '';
    if (matched !== keys.length || matched !== members || repeated) {
      // Members the value adds — or a key the source repeats (JSON.parse kept the last), whose
      // earlier text says something else: then the object is serialised anew.
      const sourceKeys = this.keysOf(open);
      if (sourceKeys.size !== members) {
        this.out = this.out.slice(0, mark);
        this.cursor = markCursor;
        this.edit(open, this.at, JSON.stringify(v));
        return;
      }
      for (const key of keys) {
        const member = v[key];
        if (sourceKeys.has(key) || member === undefined) continue;
        added += `${added || !first ? ',' : ''}${JSON.stringify(key)}:${JSON.stringify(member)}`;
      }
    }
    if (dropping) this.edit(keptEnd, close, added);
    else if (added) this.edit(close, close, added);
  }

  /** The keys of the source object at `open` (a second look, only when the value's keys differ). */
  private keysOf(open: number): Set<string> {
    const keys = new Set<string>();
    const s = this.s;
    const back = this.at;
    this.at = open + 1;
    this.space();
    if (s.charCodeAt(this.at) !== 125) {
      for (;;) {
        this.space();
        const keyEnd = this.stringEnd(this.at);
        keys.add(JSON.parse(s.slice(this.at, keyEnd + 1)) as string);
        this.at = keyEnd + 1;
        this.space();
        this.at++; // the colon
        this.space();
        this.skip();
        this.space();
        if (s.charCodeAt(this.at++) === 125) break;
      }
    }
    this.at = back;
    return keys;
  }

  private array(v: JsonValue[], depth: number): void {
    const s = this.s;
    this.at++;
    let keptEnd = this.at;
    let n = 0;
    let dropping = false;
    this.space();
    if (s.charCodeAt(this.at) !== 93) {
      for (;;) {
        this.space();
        if (n < v.length) {
          this.value(v[n] ?? null, depth + 1);
          keptEnd = this.at;
        } else {
          // The value is shorter: everything from the end of its last element goes.
          this.skip();
          dropping = true;
        }
        n++;
        this.space();
        const d = s.charCodeAt(this.at);
        if (d === 93) break;
        if (d !== 44) throw new SyntaxError('not JSON');
        this.at++;
      }
    }
    const close = this.at;
    this.at++;
    let added = '';
    for (let i = n; i < v.length; i++) added += `${i > 0 ? ',' : ''}${JSON.stringify(v[i] ?? null)}`;
    if (dropping) this.edit(keptEnd, close, '');
    else if (added) this.edit(close, close, added);
  }

  /** Passes over the value at `at`, without recursion. */
  private skip(): void {
    const s = this.s;
    let depth = 0;
    do {
      const c = s.charCodeAt(this.at);
      if (Number.isNaN(c)) throw new SyntaxError('not JSON');
      if (c === QUOTE) { this.at = this.stringEnd(this.at) + 1; }
      else if (c === 123 || c === 91) { depth++; this.at++; }
      else if (c === 125 || c === 93) { depth--; this.at++; }
      else if (depth === 0) { while (!isDelimiter(s.charCodeAt(this.at))) this.at++; }
      else this.at++;
    } while (depth > 0);
  }

  /** Index of the quote closing the string that opens at `open`. */
  private stringEnd(open: number): number {
    const s = this.s;
    if (s.charCodeAt(open) !== QUOTE) throw new SyntaxError('not JSON');
    let at = open;
    for (;;) {
      at = s.indexOf('"', at + 1);
      if (at < 0) throw new SyntaxError('not JSON');
      let slashes = 0;
      while (s.charCodeAt(at - 1 - slashes) === BACKSLASH) slashes++;
      if (slashes % 2 === 0) return at;
    }
  }
}
