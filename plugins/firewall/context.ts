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
