// Calendar windows (day, month) in an IANA time zone: the window's id and the instant it ends.
// A day starts at the first instant whose local date is that day — midnight, or 01:00 where a DST
// change skips midnight — found by bisection over the zone's local dates, so no offset arithmetic
// can be off by an hour around a transition. Computed once per window and cached.

export type CalendarUnit = 'day' | 'month';

export interface CalendarWindow {
  /** `2026-12-05` (day) or `2026-12` (month), in the zone. */
  id: string;
  /** Epoch ms when the window began and ends (exclusive). */
  start: number;
  end: number;
}

interface LocalDate { y: number; m: number; d: number }

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric', hourCycle: 'h23' });
    formatters.set(zone, f);
  }
  return f;
}

export function localDate(epochMs: number, zone: string): LocalDate {
  let y = 0, m = 0, d = 0;
  for (const p of formatter(zone).formatToParts(epochMs)) {
    if (p.type === 'year') y = Number(p.value);
    else if (p.type === 'month') m = Number(p.value);
    else if (p.type === 'day') d = Number(p.value);
  }
  return { y, m, d };
}

const ordinal = (x: LocalDate) => x.y * 10_000 + x.m * 100 + x.d;
const HOUR = 3_600_000;

/** The first instant whose local date in `zone` is on or after y-m-d (m 1-based; overflow allowed). */
export function startOfLocalDay(y: number, m: number, d: number, zone: string): number {
  const utc = Date.UTC(y, m - 1, d);
  const norm = new Date(utc);
  const target = ordinal({ y: norm.getUTCFullYear(), m: norm.getUTCMonth() + 1, d: norm.getUTCDate() });
  // Zone offsets lie within −12 h … +14 h: the start is in this bracket, and "local date ≥ target"
  // is monotonic in time.
  let lo = utc - 15 * HOUR;
  let hi = utc + 13 * HOUR;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ordinal(localDate(mid, zone)) >= target) hi = mid; else lo = mid;
  }
  return hi;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function calendarWindow(unit: CalendarUnit, epochMs: number, zone: string): CalendarWindow {
  const { y, m, d } = localDate(epochMs, zone);
  if (unit === 'day') {
    return { id: `${y}-${pad(m)}-${pad(d)}`, start: startOfLocalDay(y, m, d, zone), end: startOfLocalDay(y, m, d + 1, zone) };
  }
  return { id: `${y}-${pad(m)}`, start: startOfLocalDay(y, m, 1, zone), end: startOfLocalDay(y, m + 1, 1, zone) };
}

/** The current window of one unit and zone, recomputed only when the clock leaves it. */
export class CalendarClock {
  private current: CalendarWindow | undefined;
  constructor(private readonly unit: CalendarUnit, private readonly zone: string) {}

  at(epochMs: number): CalendarWindow {
    const c = this.current;
    if (c && epochMs >= c.start && epochMs < c.end) return c;
    return (this.current = calendarWindow(this.unit, epochMs, this.zone));
  }
}
