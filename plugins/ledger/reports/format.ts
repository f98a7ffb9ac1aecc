// Report output: aligned tables for people, JSON or CSV for scripts.
import { table } from '../../../core/index.js';

type Line = Record<string, string | number | boolean | null>;

export function csv(lines: readonly Line[], columns: readonly string[]): string {
  const cell = (v: string | number | boolean | null | undefined) => {
    if (v === null || v === undefined) return '';
    const s = String(v);
    // Quote what needs it, and defuse spreadsheet formulas in text cells (=, +, -, @ at the start).
    const safe = typeof v === 'string' && /^[=+\-@]/.test(s) ? `'${s}` : s;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return [columns.join(','), ...lines.map((l) => columns.map((c) => cell(l[c])).join(','))].join('\n');
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
