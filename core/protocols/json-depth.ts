// Nesting depth of JSON bytes, found with one linear scan and no recursion. Ingress runs it before
// JSON.parse so a body nested thousands deep is refused before any recursive walker (translator,
// signature scan, JSON.stringify upstream) can overflow the stack on it; the request view runs it on
// long tool arguments sent as JSON text, which ingress sees only as strings.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * True when some array or object in `json` is nested more than `max` levels deep. Brackets inside
 * strings do not count; string contents are skipped with `indexOf` (memchr), so a prompt's text
 * costs almost nothing. Works on UTF-8 bytes: no byte of a multi-byte sequence is ASCII. Malformed
 * input gives some answer and is left for JSON.parse to report.
 */
export function exceedsJsonDepth(json: Uint8Array, max: number): boolean {
  let depth = 0;
  const n = json.length;
  for (let i = 0; i < n; i++) {
    const c = json[i];
    if (c === QUOTE) {
      const end = closingQuote(json, i);
      if (end < 0) return false;
      i = end;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}

/** Index of the quote that closes the string opened at `open`, or -1 if it is unterminated. */
function closingQuote(json: Uint8Array, open: number): number {
  let at = open;
  for (;;) {
    at = json.indexOf(QUOTE, at + 1);
    if (at < 0) return -1;
    // Escaped when preceded by an odd run of backslashes. Each run is walked once: it ends at this quote.
    let backslashes = 0;
    for (let k = at - 1; json[k] === BACKSLASH; k--) backslashes++;
    if ((backslashes & 1) === 0) return at;
  }
}
