// "Did you mean …?" for a misspelt name in a config: no dependencies, so any error path may use it.

/**
 * The known name (an option, a provider type, a plugin) a misspelt one most likely meant: the only
 * one within a typo or two (case and `-` for `_` aside; a swap of neighbours is one), else none — a
 * guess between two is no help.
 */
export function likelyMeant(key: string, known: readonly string[]): string | undefined {
  const norm = (k: string) => k.toLowerCase().replace(/-/g, '_');
  const limit = Math.max(1, Math.floor(key.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  let tie = false;
  for (const candidate of known) {
    const d = editDistance(norm(key), norm(candidate));
    if (d < bestDistance) { best = candidate; bestDistance = d; tie = false; } else if (d === bestDistance) tie = true;
  }
  return best !== undefined && !tie && bestDistance <= limit ? best : undefined;
}

/** Levenshtein distance with a swap of two neighbouring characters counted as one edit (OSA). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}
