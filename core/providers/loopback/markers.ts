// The script markers in a prompt: `[[tool:NAME {json}]]`, `[[tool-loop:NAME {json}]]`, `[[think]]`,
// `[[parallel]]`.
//
// Found with indexOf rather than one regex over the whole prompt: a lazy `\{[\s\S]*?\}\]\]` rescans
// to the end of the text from every `[[tool` that never closes, which is quadratic (512 KB of
// `[[tool {` took seconds). Here every character is looked at a bounded number of times. The
// accepted language is the regex's: `[[tool`, then an optional `:NAME` (letters, digits, `_ . -`),
// then either `]]`, or whitespace, a `{`, and everything up to the first `}]]`.

const OPEN = '[[tool';
/** `[[tool-loop:…]]`: the same call on every turn. `[[tool` followed by `-` is no `[[tool` marker. */
const OPEN_LOOP = '[[tool-loop';
const CLOSE_ARGS = '}]]';

export type Flag = 'think' | 'parallel';
const FLAG_TEXT: Record<Flag, string> = { think: '[[think]]', parallel: '[[parallel]]' };

/** `[[think]]` asks for a reasoning block first; `[[parallel]]` for every tool marker at once. */
export function hasFlag(text: string, flag: Flag): boolean {
  return text.includes(FLAG_TEXT[flag]);
}

export interface ToolRequest {
  name: string | undefined;
  /** Compact JSON: the marker's object, `{}` without one, `{"input": text}` when it is not JSON. */
  arguments: string;
}

/** The tool markers of `text` in order, at most `limit` of them (scanning stops there). */
export function findToolMarkers(text: string, limit = Infinity): ToolRequest[] {
  return findMarkers(text, OPEN, limit);
}

/** The first `[[tool-loop:NAME {json}]]` marker of `text` (same syntax as `[[tool:…]]`), if any. */
export function findLoopMarker(text: string): ToolRequest | undefined {
  return text.includes(OPEN_LOOP) ? findMarkers(text, OPEN_LOOP, 1)[0] : undefined;
}

function findMarkers(text: string, open: string, limit: number): ToolRequest[] {
  const found: ToolRequest[] = [];
  // Where the next `}]]` at or after some position is; -1 once none is left. Candidates move left to
  // right, so this is recomputed only when a candidate starts past it: the search never goes over
  // the same text twice.
  let close = -2;
  let from = 0;
  while (found.length < limit) {
    const start = text.indexOf(open, from);
    if (start < 0) break;
    let at = start + open.length;
    let name: string | undefined;
    if (text.charCodeAt(at) === 0x3a /* : */) {
      const nameEnd = skip(text, at + 1, isNameChar);
      // `[[tool:` without a name is no marker: the colon is neither `]]` nor whitespace.
      if (nameEnd > at + 1) { name = text.slice(at + 1, nameEnd); at = nameEnd; }
    }
    let end = -1;
    let args: string | undefined;
    if (text.startsWith(']]', at)) {
      end = at + 2;
    } else {
      const brace = skip(text, at, isSpace);
      if (brace > at && text.charCodeAt(brace) === 0x7b /* { */) {
        if (close !== -1 && close <= brace) close = text.indexOf(CLOSE_ARGS, brace + 1);
        if (close > brace) { args = text.slice(brace, close + 1); end = close + CLOSE_ARGS.length; }
      }
    }
    if (end < 0) { from = start + 1; continue; }
    found.push({ name, arguments: argumentsOf(args) });
    from = end;
  }
  return found;
}

/** The first position from `at` whose character is not in the class (neither class contains `[`). */
function skip(text: string, at: number, inClass: (code: number) => boolean): number {
  while (at < text.length && inClass(text.charCodeAt(at))) at++;
  return at;
}

/** `[A-Za-z0-9_.-]` */
function isNameChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2e || c === 0x2d;
}

/** JavaScript's `\s`: ASCII whitespace, NBSP, the Unicode space separators, line separators and BOM. */
function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029
    || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

function argumentsOf(raw: string | undefined): string {
  if (raw === undefined) return '{}';
  try { return JSON.stringify(JSON.parse(raw)); } catch { return JSON.stringify({ input: raw }); }
}
