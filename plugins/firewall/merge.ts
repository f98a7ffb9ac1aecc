// Overlap resolution: when findings overlap, the higher score wins; on a tie the longer span, then the earlier one.
import type { Finding } from './types.js';

export function resolveOverlaps(findings: Finding[]): Finding[] {
  if (findings.length < 2) return findings;
  const ranked = [...findings].sort((a, b) => b.score - a.score || (b.end - b.start) - (a.end - a.start) || a.start - b.start);
  const kept: Finding[] = [];
  for (const f of ranked) {
    let overlaps = false;
    for (const k of kept) {
      if (f.start < k.end && k.start < f.end) {
        overlaps = true;
        break;
      }
    }
    if (!overlaps) kept.push(f);
  }
  return kept.sort((a, b) => a.start - b.start || a.end - b.end);
}
