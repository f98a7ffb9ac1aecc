// Plain-text tables for human-readable CLI output.

/**
 * Control characters (an escape sequence, a newline) and format characters shown as escapes: cells
 * hold values clients chose (a model name, a session id), which must not redraw the operator's
 * terminal or break the table's rows (controls, bidirectional overrides and marks), nor pass for
 * another value (`gpt-4o` with a zero-width space or an invisible tag character after it is a
 * different model, and must not read as the same one in a cost report).
 */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;
export const visible = (s: string): string => s.replace(UNPRINTABLE, (c) => {
  const code = c.codePointAt(0)!;
  if (c === '\n') return '\\n';
  if (c === '\t') return '\\t';
  if (code < 0x100) return `\\x${code.toString(16).padStart(2, '0')}`;
  return code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\u{${code.toString(16)}}`;
});

export function table(rows: Record<string, unknown>[], columns: string[]): string {
  const cells = rows.map((r) => columns.map((c) => visible(String(r[c] ?? ''))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n');
}
