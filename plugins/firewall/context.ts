// Small text-context helpers the validators share (no regexes: plain character checks).

export function isDigitAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 48 && c <= 57;
}

export function isAlnumAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Characters that continue a token (letters, digits, _ and -). */
export function isTokenCharAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return isAlnumAt(text, i) || c === 95 || c === 45;
}

/**
 * True when the number at [start, end) is only a piece of a longer number: a digit, or a
 * separator (`-`, `.`, `/`, `:`) followed or preceded by a digit, touches either end.
 */
export function extendsNumber(text: string, start: number, end: number, separators = '-./:'): boolean {
  if (isAlnumAt(text, start - 1) || isAlnumAt(text, end)) return true;
  if (separators.includes(text[start - 1] ?? '\u0000') && isDigitAt(text, start - 2)) return true;
  if (separators.includes(text[end] ?? '\u0000') && isDigitAt(text, end + 1)) return true;
  return false;
}

/** True when one of the lower-case keywords occurs within `window` characters before `start` (or after `end`). */
export function keywordNear(text: string, start: number, end: number, keywords: readonly string[], window = 48): boolean {
  const before = text.slice(Math.max(0, start - window), start).toLowerCase();
  const after = text.slice(end, end + Math.floor(window / 2)).toLowerCase();
  for (const kw of keywords) if (before.includes(kw) || after.includes(kw)) return true;
  return false;
}

/** Endings a keyword may carry and still be that word ("calls", "contacted", "cellphone", "cellular"). */
const INFLECTIONS = new Set(['s', 'es', 'ed', 'ing', 'er', 'ers', 'ular', 'phone', 'phones']);

function isWordCharAt(text: string, i: number): boolean {
  if (isAlnumAt(text, i)) return true;
  const ch = text[i];
  return ch !== undefined && text.charCodeAt(i) > 127 && ch.toLowerCase() !== ch.toUpperCase();
}

function isLowerLetterAt(text: string, i: number): boolean {
  const ch = text[i];
  return ch !== undefined && ch !== ch.toUpperCase();
}

/**
 * Like keywordNear, but a keyword counts only as a word of its own: where a word begins, and ending
 * there (`Tel.`, `phone_number`, camelCase `cellNumber`) or going on with an inflection (`calls`,
 * `cellular`) — not inside another word (`string`, `hotel`, `excellent`) nor as one's first letters
 * (`telemetry`, `callback`).
 */
export function wordNear(text: string, start: number, end: number, words: readonly string[], window = 48): boolean {
  return hasWord(text, Math.max(0, start - window), start, words) || hasWord(text, end, Math.min(text.length, end + Math.floor(window / 2)), words);
}

function hasWord(text: string, from: number, to: number, words: readonly string[]): boolean {
  const lower = text.slice(from, to).toLowerCase();
  // Lower-casing can change a string's length (İ); the offsets below then read the lower-cased copy.
  const source = lower.length === to - from ? text : undefined;
  const at = (i: number) => (source ? from + i : i);
  const read = source ?? lower;
  for (const word of words) {
    for (let i = lower.indexOf(word); i >= 0; i = lower.indexOf(word, i + 1)) {
      if (isWordCharAt(read, at(i) - 1)) continue;
      let k = i + word.length;
      while (k < lower.length && isLowerLetterAt(read, at(k))) k++;
      if (k === i + word.length || INFLECTIONS.has(lower.slice(i + word.length, k))) return true;
    }
  }
  return false;
}
