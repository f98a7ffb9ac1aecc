// The ways a model writes back a placeholder it was given. Models do not always copy `[EMAIL_ADDRESS_1]`
// exactly: chat models escape markdown (`\[EMAIL\_ADDRESS\_1\]`), change case (`[Email_Address_1]`),
// write the words apart (`[EMAIL ADDRESS 1]`) or drop the brackets (`EMAIL_ADDRESS_1`, most often in
// code and tool arguments). Each form is read to the placeholder it stands for (upper case, `_`
// between words) so restore can look it up; only the forms below count, because restoring text that
// is not clearly our placeholder would put a secret where the model meant something else:
//
// - bracketed (`[…]`, or `\[…\]` in text): letters of either case, digits, and `_`, ` `, `-` or
//   markdown's `\_` between words — brackets make the text a label, not prose;
// - bare: upper-case letters, digits and `_` (or `\_` in text) only, as a whole word — lower case
//   bare (`email_address_1`) is a variable's name more often than our text.
//
// Whether a form is one of this request's placeholders is the caller's question (a map lookup);
// here a form is only read. `json` text is JSON (tool arguments, a JSON-mode answer): a backslash
// there is a JSON escape, never markdown, and `\n` before a bare form is a word boundary.

const BACKSLASH = 92;
const OPEN = 91; // [
const CLOSE = 93; // ]
const UNDERSCORE = 95;

function isUpper(c: number): boolean { return c >= 65 && c <= 90; }
function isLower(c: number): boolean { return c >= 97 && c <= 122; }
function isDigit(c: number): boolean { return c >= 48 && c <= 57; }
function isWord(c: number): boolean { return isUpper(c) || isLower(c) || isDigit(c) || c === UNDERSCORE; }

/** A form read at a position of a text. */
export interface PlaceholderForm {
  /** Where the form ends in the text (exclusive). */
  end: number;
  /**
   * The placeholder it writes, as placeholders are given out (`[EMAIL_ADDRESS_1]`); without its
   * closing `]` when `open`.
   */
  canonical: string;
  /** The text ended inside the form: more text may complete it (or show it was none). */
  open: boolean;
}

/** A JSON escape (`\n`, `\t`…) ends just before `at`: its letter is not part of a word. */
function afterJsonEscape(text: string, at: number): boolean {
  const letter = text.charCodeAt(at - 1);
  if (letter !== 110 && letter !== 114 && letter !== 116 && letter !== 98 && letter !== 102) return false; // n r t b f
  let slashes = 0;
  for (let i = at - 2; i >= 0 && text.charCodeAt(i) === BACKSLASH; i--) slashes++;
  return slashes % 2 === 1;
}

/** True when a form may start at `at`: a bracket, a markdown-escaped bracket, or an upper-case word's start. */
export function mayStartForm(text: string, at: number, json: boolean): boolean {
  const c = text.charCodeAt(at);
  if (c === OPEN) return true;
  if (c === BACKSLASH) return !json;
  if (!isUpper(c) && !isDigit(c)) return false;
  return at === 0 || !isWord(text.charCodeAt(at - 1)) || (json && afterJsonEscape(text, at));
}

/**
 * Reads the form starting at `start` (where mayStartForm holds). `final`: the text ends there for
 * good (the end of a stream), so a bare form reaching it is complete. Undefined when none starts
 * there, or it grows beyond `maxLength` characters of placeholder.
 */
export function readForm(text: string, start: number, json: boolean, final: boolean, maxLength: number): PlaceholderForm | undefined {
  let i = start;
  let bracketed = false;
  const c0 = text.charCodeAt(i);
  if (c0 === BACKSLASH) {
    if (i + 1 >= text.length) return final ? undefined : { end: text.length, canonical: '', open: true };
    if (text.charCodeAt(i + 1) !== OPEN) return undefined;
    bracketed = true;
    i += 2;
  } else if (c0 === OPEN) {
    bracketed = true;
    i += 1;
  }
  let canonical = '[';
  for (; i < text.length; i++) {
    if (canonical.length >= maxLength) return undefined;
    const c = text.charCodeAt(i);
    if (c === BACKSLASH && !json) {
      // Markdown escapes: `\_` between words, `\]` closing.
      if (i + 1 >= text.length) break;
      const next = text.charCodeAt(i + 1);
      if (next === UNDERSCORE) { canonical += '_'; i++; continue; }
      if (next === CLOSE && bracketed) return closed(canonical, i + 2);
      return bracketed ? undefined : bareEnd(text, canonical, i, json, final);
    }
    if (isUpper(c) || isDigit(c) || c === UNDERSCORE) { canonical += text[i]; continue; }
    if (bracketed) {
      if (isLower(c)) { canonical += String.fromCharCode(c - 32); continue; }
      if (c === 32 || c === 45) { canonical += '_'; continue; } // space, hyphen
      if (c === CLOSE) return closed(canonical, i + 1);
      return undefined;
    }
    return bareEnd(text, canonical, i, json, final);
  }
  // The text ended inside the form.
  if (bracketed) return final ? undefined : { end: text.length, canonical, open: true };
  return bareEnd(text, canonical, i, json, final);
}

function closed(canonical: string, end: number): PlaceholderForm | undefined {
  return canonical.length > 1 ? { end, canonical: `${canonical}]`, open: false } : undefined;
}

/** A bare form ends at `at`: complete when a word ends there (or the text, for good). */
function bareEnd(text: string, canonical: string, at: number, json: boolean, final: boolean): PlaceholderForm | undefined {
  if (canonical.length <= 1) return undefined;
  if (at >= text.length || (!json && text.charCodeAt(at) === BACKSLASH && at + 1 >= text.length)) {
    return final ? { end: at, canonical: `${canonical}]`, open: false } : { end: text.length, canonical, open: true };
  }
  if (isWord(text.charCodeAt(at))) return undefined;
  return { end: at, canonical: `${canonical}]`, open: false };
}
