// Is a tool result a failure? Anthropic (is_error) and Gemini ({"error": …}) say so; Chat and
// Responses have no flag, so the shape of the text decides there: a non-zero exit code in the
// header Codex, Claude Code and Gemini CLI put around shell output, a JSON error object, or text
// that opens with an error word. Plain string scanning, no regexes: it runs on every trailing result.
import type { ToolResultInfo } from '../../core/index.js';

/** Openings of a failed tool's text (compared lower-cased, after leading whitespace). */
const ERROR_OPENINGS = [
  'error', 'exception', 'traceback (most recent call last)', 'fatal:', 'failed', 'failure',
  '<tool_use_error>', 'permission denied', 'command not found', 'no such file or directory',
] as const;
const LONGEST_OPENING = Math.max(...ERROR_OPENINGS.map((o) => o.length));

/** Exit-code labels followed by the code: Codex, Codex apply_patch, Gemini CLI, Claude Code. */
const EXIT_LABELS = ['Process exited with code ', 'Exit code: ', 'Exit Code: ', 'Exit code ', '"exit_code":'] as const;
/** Exit codes sit in a header or footer around the output, never deep inside it. */
const EXIT_WINDOW = 400;

export function isFailure(result: ToolResultInfo): boolean {
  return result.isError || looksFailed(result.text);
}

export function looksFailed(text: string): boolean {
  let start = 0;
  while (start < text.length && text.charCodeAt(start) <= 32) start++;
  if (text.startsWith('{"error":', start)) return true;
  const opening = text.slice(start, start + LONGEST_OPENING + 1).toLowerCase();
  for (const o of ERROR_OPENINGS) {
    if (opening.startsWith(o) && !(isWordChar(o.charCodeAt(o.length - 1)) && isWordChar(opening.charCodeAt(o.length)))) return true;
  }
  return nonZeroExit(text, 0, Math.min(text.length, EXIT_WINDOW))
    || (text.length > EXIT_WINDOW && nonZeroExit(text, text.length - EXIT_WINDOW, text.length));
}

/** A letter, digit or underscore: "errors.ts" does not open with the word "error". */
function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function nonZeroExit(text: string, from: number, to: number): boolean {
  for (const label of EXIT_LABELS) {
    let at = text.indexOf(label, from);
    while (at >= 0 && at < to) {
      let i = at + label.length;
      if (text[i] === '-') return true; // a negative code: killed by a signal on some platforms
      let code = 0;
      let digits = 0;
      for (; i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57; i++, digits++) code = code * 10 + text.charCodeAt(i) - 48;
      if (digits > 0 && code !== 0) return true;
      at = text.indexOf(label, at + 1);
    }
  }
  return false;
}
