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
