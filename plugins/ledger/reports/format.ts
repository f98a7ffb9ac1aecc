// Report output: aligned tables for people, JSON or CSV for scripts.
import { table, visible } from '../../../core/index.js';

type Line = Record<string, string | number | boolean | null>;

export function csv(lines: readonly Line[], columns: readonly string[]): string {
  const cell = (v: string | number | boolean | null | undefined) => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number') return plainNumber(v);
    // Client-chosen names (models, session ids) with their control characters escaped, as in the
    // table: a raw escape sequence or newline would reach whatever displays the file.
    const s = visible(String(v));
    // Quote what needs it, and defuse spreadsheet formulas in text cells (=, +, -, @ at the start).
    const safe = typeof v === 'string' && /^[=+\-@]/.test(s) ? `'${s}` : s;
    return /[",]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return [columns.join(','), ...lines.map((l) => columns.map((c) => cell(l[c])).join(','))].join('\n');
}

/** A number as a spreadsheet reads it: `0.0000004`, not `4e-7` (a cheap request's cost). */
function plainNumber(n: number): string {
  const s = String(n);
  const e = /^-?\d(?:\.(\d+))?e-(\d+)$/.exec(s);
  // As many decimals as the shortest form has digits after the point, so no binary noise shows.
  return e ? n.toFixed(Math.min(100, (e[1]?.length ?? 0) + Number(e[2]))) : s;
}

/** A table with numbers made readable: costs to the micro-dollar (a cheap request costs $0.000146), nulls as '-'. */
export function humanTable(lines: readonly Line[], columns: readonly string[]): string {
  const shown = lines.map((l) => {
    const out: Record<string, string> = {};
    for (const c of columns) {
      const v = l[c];
      out[c] = v === null || v === undefined ? '-' : c === 'cost_usd' && typeof v === 'number' ? v.toFixed(6) : String(v);
    }
    return out;
  });
  return table(shown, [...columns]);
}
