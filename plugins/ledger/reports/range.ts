// Time ranges for the reports: `7d`, `24h`, `30m`, a date (`2026-03-01`, UTC midnight) or a full
// ISO time. Errors name the flag and what was expected.

export interface TimeRange { from: number; to: number }

const RELATIVE = /^(\d+)(m|h|d|w)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

export class ReportInputError extends Error {}

export function parseTime(value: string, name: string, now: number): number {
  const rel = RELATIVE.exec(value.trim());
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2] as keyof typeof UNIT_MS];
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const t = Date.parse(`${value}T00:00:00Z`);
    if (!Number.isNaN(t)) return t;
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const t = Date.parse(value);
    if (!Number.isNaN(t)) return t;
  }
  throw new ReportInputError(`${name}: expected a duration (7d, 24h, 30m, 2w), a date (YYYY-MM-DD) or an ISO time, got '${value.slice(0, 60)}'`);
}

export function parseRange(since: string | undefined, until: string | undefined, defaultSince: string, now = Date.now()): TimeRange {
  const from = parseTime(since ?? defaultSince, '--since', now);
  const to = until === undefined ? now : parseTime(until, '--until', now);
  if (to < from) throw new ReportInputError(`--until (${new Date(to).toISOString()}) is before --since (${new Date(from).toISOString()})`);
  return { from, to };
}
