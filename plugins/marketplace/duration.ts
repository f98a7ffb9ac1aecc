// Durations in options: a number of milliseconds, or a string with a unit ("500ms", "30s", "5m", "1h").
import { z } from '../../core/index.js';

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function toMs(v: number | string): number {
  if (typeof v === 'number') return v;
  const m = DURATION.exec(v.trim());
  if (!m) return NaN;
  return Math.round(parseFloat(m[1]!) * UNIT_MS[m[2]!.toLowerCase()]!);
}

/** A duration option of at least `minMs`, parsed to milliseconds. One error per bad value. */
export function duration(minMs: number) {
  return z.union([
    z.number().int().min(minMs, { message: `expected at least ${minMs} ms` }),
    z.string().regex(DURATION).meta({ expected: 'a duration such as 500ms, 30s, 5m or 1h (or milliseconds)' })
      // A string that is no duration at all already has its error (the regex's): only the minimum here.
      .refine((v) => !DURATION.test(v) || toMs(v) >= minMs, { message: `expected at least ${minMs} ms` }),
  ]);
}
