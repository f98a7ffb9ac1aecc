// Whole-word context checks: "sin" must be the word SIN, not the inside of "using" or "business".

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c >= 0xc0;
}

/** True when `word` (lower case) occurs in `lower` as a whole word. */
export function hasWord(lower: string, word: string): boolean {
  for (let i = lower.indexOf(word); i >= 0; i = lower.indexOf(word, i + 1)) {
    if (!isLetter(lower.charCodeAt(i - 1)) && !isLetter(lower.charCodeAt(i + word.length))) return true;
  }
  return false;
}

/** True when one of the lower-case words occurs as a whole word within `before` characters before [start, end) or `after` after it. */
export function wordNear(text: string, start: number, end: number, words: readonly string[], before = 48, after = 24): boolean {
  const window = text.slice(Math.max(0, start - before), start).toLowerCase() + ' ' + text.slice(end, end + after).toLowerCase();
  for (const word of words) if (hasWord(window, word)) return true;
  return false;
}

/** Endings a keyword may carry and still be that word ("calls", "contacted", "cellphone", "cellular"). */
const INFLECTIONS = new Set(['s', 'es', 'ed', 'ing', 'er', 'ers', 'ular', 'phone', 'phones']);

function isWordCharAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return isLetter(c) || (c >= 48 && c <= 57);
}

function isLowerLetterAt(text: string, i: number): boolean {
  const ch = text[i];
  return ch !== undefined && ch !== ch.toUpperCase();
}

/**
 * Like wordNear, but a word also counts in the forms keys and prose give it: where a word begins, ending
 * there (`Tel.`, `phone_number`, camelCase `cellNumber`) or going on with an inflection (`calls`,
 * `cellular`) — not inside another word (`string`, `hotel`, `excellent`) nor as one's first letters
 * (`telemetry`, `callback`).
 */
export function wordFormNear(text: string, start: number, end: number, words: readonly string[], window = 48): boolean {
  return hasWordForm(text, Math.max(0, start - window), start, words) || hasWordForm(text, end, Math.min(text.length, end + Math.floor(window / 2)), words);
}

function hasWordForm(text: string, from: number, to: number, words: readonly string[]): boolean {
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
