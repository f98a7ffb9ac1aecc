// Is a tool result a failure? One judgement for every protocol, fed the result's text (README.md,
// "What counts as a failure"). The protocol's flag (Anthropic is_error, a Gemini {error}) counts,
// but Chat and Responses have none and Gemini CLI answers a failed command with its {output}, so
// the text decides too: the exit code in the header Codex, Claude Code and Gemini CLI put around
// shell output, a JSON error object, or text that opens with an error word.
//
// An exit status of 1 with no output is an answer, not a failure: grep and rg that find nothing,
// diff/cmp -s on files that differ, test/[ on a false condition. Agents search for things that
// are not there all the time, with different arguments and the same empty result, so counting
// those as failures made a streak of ordinary searches (QA F3). Exit 1 with output, and exit 2 and
// up, still count. Plain string scanning, no regexes: it runs on every trailing result.
import type { ToolResultInfo } from '../../core/index.js';

/**
 * `failed`: the text says the tool failed. `quiet`: a command exited 1 and printed nothing — an
 * answer, whatever the protocol's flag says. `none`: the text says nothing either way.
 */
export type ResultVerdict = 'failed' | 'quiet' | 'none';

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

/**
 * Lines the clients wrap around a command's output (Codex exec_command and shell, Gemini CLI
 * run_shell_command in its short and full forms, Claude Code's exit line): what is left once they
 * are gone is what the command printed.
 */
const WRAPPER_LINES = [
  'Chunk ID:', 'Wall time', 'Process exited with code ', 'Original token count:', 'Total output lines:',
  'Exit code: ', 'Exit Code: ', 'Exit code ', 'Error: Exit code ', 'Command: ', 'Directory: ', 'Signal: ',
  'Background PIDs: ', 'Process Group PGID: ', '<untrusted_context>', '</untrusted_context>',
] as const;
/** Gemini CLI's placeholders for a field with nothing in it. */
const EMPTY_FIELD = ['', '(empty)', '(none)'] as const;

export function isFailure(result: ToolResultInfo): boolean {
  const verdict = resultVerdict(result.text);
  return verdict === 'failed' || (result.isError && verdict !== 'quiet');
}

export function looksFailed(text: string): boolean {
  return resultVerdict(text) === 'failed';
}

export function resultVerdict(text: string): ResultVerdict {
  const start = skipSpace(text, 0);
  // Structured results (Gemini's functionResponse.response, a tool that answers JSON) are judged by
  // what they hold: an error field, or the text of their output (Gemini CLI, Codex's JSON shell
  // result) with its exit code — the same text the other protocols carry bare.
  if (text.charCodeAt(start) === 123 /* { */) {
    const object = parseObject(text);
    if (object) return objectVerdict(object);
    if (text.startsWith('{"error":', start)) return 'failed'; // cut short, still an error object
  }
  return textVerdict(text, start, undefined);
}

function objectVerdict(object: Record<string, unknown>): ResultVerdict {
  const error = object['error'];
  if (error !== undefined && error !== null && error !== false && error !== '') return 'failed';
  const output = typeof object['output'] === 'string' ? object['output'] : typeof object['content'] === 'string' ? object['content'] : undefined;
  const metadata = object['metadata'];
  const exit = exitCodeField(object) ?? (metadata && typeof metadata === 'object' ? exitCodeField(metadata as Record<string, unknown>) : undefined);
  if (output === undefined) return exit === undefined ? 'none' : exitVerdict(exit, '');
  return textVerdict(output, skipSpace(output, 0), exit);
}

function exitCodeField(object: Record<string, unknown>): number | undefined {
  const code = object['exit_code'] ?? object['exitCode'];
  return typeof code === 'number' && Number.isInteger(code) ? code : undefined;
}

/** `exit`: a code the result gave outside its text (a JSON field), else read from the text. */
function textVerdict(text: string, start: number, exit: number | undefined): ResultVerdict {
  const code = exit ?? exitCodeIn(text);
  if (code !== undefined) return exitVerdict(code, text);
  const opening = text.slice(start, start + LONGEST_OPENING + 1).toLowerCase();
  for (const o of ERROR_OPENINGS) {
    if (opening.startsWith(o) && !(isWordChar(o.charCodeAt(o.length - 1)) && isWordChar(opening.charCodeAt(o.length)))) return 'failed';
  }
  return 'none';
}

/** A shell command's exit status decides: 0 ran, 1 with nothing printed answered, else failed. */
function exitVerdict(code: number, text: string): ResultVerdict {
  if (code === 0) return 'none';
  if (code === 1 && printedNothing(text)) return 'quiet';
  return 'failed';
}

/**
 * The worst exit code in the first and last EXIT_WINDOW characters (a negative code — killed by a
 * signal on some platforms — counts as the worst), or undefined when there is none.
 */
function exitCodeIn(text: string): number | undefined {
  const head = scanExit(text, 0, Math.min(text.length, EXIT_WINDOW));
  if (head !== undefined && (head < 0 || head > 1)) return head;
  const tail = text.length > EXIT_WINDOW ? scanExit(text, text.length - EXIT_WINDOW, text.length) : undefined;
  if (head === undefined) return tail;
  if (tail === undefined) return head;
  return tail < 0 || tail > head ? tail : head;
}

function scanExit(text: string, from: number, to: number): number | undefined {
  let worst: number | undefined;
  for (const label of EXIT_LABELS) {
    let at = text.indexOf(label, from);
    while (at >= 0 && at < to) {
      let i = at + label.length;
      if (text[i] === '-') return -1;
      let code = 0;
      let digits = 0;
      for (; i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57; i++, digits++) code = code * 10 + text.charCodeAt(i) - 48;
      if (digits > 0 && (worst === undefined || code > worst)) worst = code;
      at = text.indexOf(label, at + 1);
    }
  }
  return worst;
}

/**
 * Whether nothing but the client's wrapper lines (and blank lines) is left: no output and no error
 * text. Stops at the first line of output, so a long output costs one line.
 */
function printedNothing(text: string): boolean {
  let from = 0;
  while (from <= text.length) {
    let end = text.indexOf('\n', from);
    if (end < 0) end = text.length;
    const line = text.slice(from, end).trim();
    from = end + 1;
    if (line === '' || line === 'Output:') continue;
    // Gemini CLI puts the output and the error on their labelled lines: "Output: (empty)", "Error: (none)".
    if (line.startsWith('Output: ')) { if (isEmptyField(line.slice(8))) continue; return false; }
    if (line.startsWith('Error: ') && !line.startsWith('Error: Exit code ')) { if (isEmptyField(line.slice(7))) continue; return false; }
    if (!WRAPPER_LINES.some((w) => line.startsWith(w))) return false;
  }
  return true;
}

function isEmptyField(value: string): boolean {
  return (EMPTY_FIELD as readonly string[]).includes(value.trim());
}

/**
 * The result as a JSON object, when it is one. Only a text that could be a whole object (it ends
 * with `}`) is parsed: JSON.parse's SyntaxError carries a stack trace, ~10 µs each time, and output
 * cut short or code that opens with a brace would pay it on every judgement.
 */
function parseObject(text: string): Record<string, unknown> | undefined {
  let end = text.length - 1;
  while (end >= 0 && text.charCodeAt(end) <= 32) end--;
  if (text.charCodeAt(end) !== 125 /* } */) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

function skipSpace(text: string, from: number): number {
  while (from < text.length && text.charCodeAt(from) <= 32) from++;
  return from;
}

/** A letter, digit or underscore: "errors.ts" does not open with the word "error". */
function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
