// Small statistics shared by the benches: a median, and the distribution-free confidence interval
// of a median that paired (A/B per round) measurements report.

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/**
 * The distribution-free 95% confidence interval of a median: the k-th smallest and k-th largest of
 * n samples, k the largest with P(Binomial(n, ½) < k) ≤ 2.5%. Undefined below 6 samples (k = 0).
 */
export function medianInterval(xs: readonly number[]): [number, number] | undefined {
  const n = xs.length;
  let k = 0;
  let below = 0; // P(B < k+1) accumulated
  for (let j = 0; j < n; j++) {
    below += binomial(n, j) / 2 ** n;
    if (below > 0.025) break;
    k = j + 1;
  }
  if (k === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return [s[k - 1]!, s[n - k]!];
}

function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}
