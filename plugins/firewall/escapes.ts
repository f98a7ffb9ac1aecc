// Text that is itself JSON — a transcript line given to `sluice scan`, a tool result whose content
// is a JSON document (`{"stdout":"keys:\nAKIA…"}`) — writes a line break as the two characters `\n`.
// A value right after it then follows the letter `n`: no detector's word boundary sees where it
// starts (the key is missed, an address is read as `njane.doe@…`). Detectors therefore read a copy
// in which every escape that stands for white space or a delimiter is white space of the same
// length, so offsets found in the copy are offsets into the text as given.

const BACKSLASH = 92;

/** The hex digits of the `\uXXXX` escapes of white space, and of `<`, `>`, `&` (Go and others escape them in JSON). */
const SEPARATOR_ESCAPES = new Set(['0009', '000a', '000b', '000c', '000d', '0020', '0085', '00a0', '2028', '2029', '3000', 'feff', '003c', '003e', '0026']);

/** The white space that stands in for an escape of `length` characters ending in `last`. */
function fill(last: string, length: number): string {
  return (last === 't' ? '\t' : last === 'n' || last === 'r' ? '\n' : ' ').repeat(length);
}

/**
 * `text` with each run of backslashes (escaped twice, `\\n`, is JSON inside JSON) followed by `n`,
 * `r`, `t` or a separator's `uXXXX` replaced by as many line breaks, tabs or spaces; the text itself
 * when it has none. Linear: each character is looked at once (no pattern backtracks over a run).
 */
export function escapesAsWhitespace(text: string): string {
  let i = text.indexOf('\\');
  if (i < 0) return text;
  const pieces: string[] = [];
  let copied = 0;
  while (i >= 0) {
    let j = i;
    while (text.charCodeAt(j) === BACKSLASH) j++;
    const next = text[j];
    const end = next === 'n' || next === 'r' || next === 't' ? j + 1
      : next === 'u' && SEPARATOR_ESCAPES.has(text.slice(j + 1, j + 5).toLowerCase()) ? j + 5 : -1;
    if (end >= 0) {
      pieces.push(text.slice(copied, i), fill(next!, end - i));
      copied = end;
    }
    i = text.indexOf('\\', end >= 0 ? end : j);
  }
  if (copied === 0) return text;
  pieces.push(text.slice(copied));
  return pieces.join('');
}
