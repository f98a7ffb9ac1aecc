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

/**
 * The longest wait a timer can take: Node runs a longer setTimeout (and AbortSignal.timeout) after
 * 1 ms, so `pull_interval: 1000h` would poll the marketplace in a hot loop and `timeout: 1000h`
 * would time every call out at once.
 */
export const MAX_DURATION_MS = 2 ** 31 - 1;
const TOO_LONG = `expected at most ${Math.floor(MAX_DURATION_MS / 3_600_000)}h (${MAX_DURATION_MS} ms)`;

/** A duration option of at least `minMs` (and at most what a timer can wait), parsed to milliseconds. One error per bad value. */
export function duration(minMs: number) {
  return z.union([
    z.number().int().min(minMs, { message: `expected at least ${minMs} ms` }).max(MAX_DURATION_MS, { message: TOO_LONG }),
    z.string().regex(DURATION).meta({ expected: 'a duration such as 500ms, 30s, 5m or 1h (or milliseconds)' })
      // A string that is no duration at all already has its error (the regex's): only the bounds here.
      .refine((v) => !DURATION.test(v) || toMs(v) >= minMs, { message: `expected at least ${minMs} ms` })
      .refine((v) => !DURATION.test(v) || toMs(v) <= MAX_DURATION_MS, { message: TOO_LONG }),
  ]);
}
