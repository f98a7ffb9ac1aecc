// Small statistics shared by the reports.
import quickselect from 'quickselect';

/**
 * Nearest-rank percentile of `values` (0 < p ≤ 100); null for none. Selected, not sorted (a copy, as
 * a typed array): a report's total over 1.5 million rows runs on the gateway's event loop, and
 * sorting its latencies held every request for ~230 ms here, selecting the one value ~50.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const a = Float64Array.from(values);
  const k = Math.max(1, Math.ceil((p / 100) * a.length)) - 1;
  quickselect(a as unknown as number[], k);
  return a[k]!;
}

/** The median as usually defined: the middle value, or the mean of the two middle ones; null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const a = Float64Array.from(values);
  const mid = a.length >> 1;
  quickselect(a as unknown as number[], mid);
  if (a.length % 2) return a[mid]!;
  // The selection leaves the `mid` smallest values before `mid`: the lower middle one is their largest.
  let lower = a[0]!;
  for (let i = 1; i < mid; i++) if (a[i]! > lower) lower = a[i]!;
  return (lower + a[mid]!) / 2;
}

export function round(n: number | null, digits: number): number | null {
  if (n === null) return null;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
