// Time ranges for the reports: `7d`, `24h`, `30m`, a date (`2026-03-01`, UTC midnight) or a full
// ISO time (UTC unless it names its zone). Errors name the parameter (`since`, `until`) and what was expected; the CLI shows it as
// a flag (`--since`), the admin API as a query parameter.

export interface TimeRange { from: number; to: number }

const RELATIVE = /^(\d+)(m|h|d|w)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** A report parameter the caller got wrong; `param` is its name without dashes. */
export class ReportInputError extends Error {
  /** `flagDetail`: the detail as the CLI words it, where it names another parameter (as `--since`). */
  constructor(readonly param: string, readonly detail: string, private readonly flagDetail = detail) {
    super(`${param}: ${detail}`);
  }

  /** The message with the parameter spelled as a flag, for the CLI. */
  get flagMessage(): string { return `--${this.param}: ${this.flagDetail}`; }
}

/** The latest and earliest instants a JavaScript date holds (±100,000,000 days around 1970). */
const MAX_TIME = 8.64e15;

/** A relative time counts back from `base`: now for --since alone, --until when it is given. */
export function parseTime(value: string, name: string, base: number): number {
  const t = timeOf(value.trim(), base);
  if (t === undefined) throw new ReportInputError(name, `expected a duration (7d, 24h, 30m, 2w), a date (YYYY-MM-DD) or an ISO time, got '${value.slice(0, 60)}'`);
  // A duration reaching past what a date can hold (`999999999d`) would fail later, as a 500.
  if (!(Math.abs(t) <= MAX_TIME)) throw new ReportInputError(name, `'${value.slice(0, 60)}' reaches beyond the dates a report can read`);
  return t;
}

/** The time part ends with a zone: `Z` or an offset (`+05:30`, `-0800`). */
const ZONED = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;
const HOURS_ONLY = /([+-]\d{2})$/;

function timeOf(value: string, base: number): number | undefined {
  const rel = RELATIVE.exec(value);
  if (rel) return base - Number(rel[1]) * UNIT_MS[rel[2] as keyof typeof UNIT_MS];
  const date = /^(\d{4})-(\d{2})-(\d{2})(T.*)?$/.exec(value);
  if (!date) return undefined;
  // A time without a zone is UTC, as a date is (Date.parse would read it in the process's zone, so
  // the CLI and a gateway on another host would disagree).
  // An offset in whole hours (`+05`, valid ISO 8601) is one Date.parse does not read: given its minutes.
  const t = Date.parse(date[4] === undefined ? `${value}T00:00:00Z` : ZONED.test(date[4]) ? value.replace(HOURS_ONLY, '$1:00') : `${value}Z`);
  // Date.parse rolls an impossible day over (2026-02-30 is March 2nd): the calendar must agree.
  const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
  // setUTCFullYear, not Date.UTC: that reads years 0–99 as 1900–1999.
  const day = new Date(0);
  day.setUTCFullYear(y, m - 1, d);
  if (Number.isNaN(t) || day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) return undefined;
  return t;
}

/**
 * `since` defaults to `defaultSince` before `until` (so `--until 2026-11-28` alone reads the week
 * before it); `until` defaults to now, or to `since` when that is later (a range in the future is
 * empty, not an error). Only an explicit `until` before an explicit or relative `since` is refused.
 */
export function parseRange(since: string | undefined, until: string | undefined, defaultSince: string, now = Date.now()): TimeRange {
  const to = until === undefined ? now : parseTime(until, 'until', now);
  const from = since === undefined ? parseTime(defaultSince, 'since', to) : parseTime(since, 'since', now);
  if (until === undefined) return { from, to: Math.max(to, from) };
  if (to < from) {
    const [since, got] = [new Date(from).toISOString(), new Date(to).toISOString()];
    throw new ReportInputError('until', `expected since (${since}) or later, got ${got}`, `expected --since (${since}) or later, got ${got}`);
  }
  return { from, to };
}

/** A range as the reports' JSON gives it. */
export const isoRange = (r: TimeRange) => ({ since: new Date(r.from).toISOString(), until: new Date(r.to).toISOString() });
