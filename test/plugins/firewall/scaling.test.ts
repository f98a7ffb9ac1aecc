// The firewall's cost grows with the text, not with its square: a request of n values and one of 4n
// must differ by about 4× in work. Ratios of time within one run (the machine may be slow or
// shared, so no absolute times), with a bound far below the 16× a quadratic step gives.
import { expect } from 'chai';
import { resolveOverlaps } from '../../../plugins/firewall/merge.js';
import { redactSegments } from '../../../plugins/firewall/redact.js';
import type { Finding } from '../../../plugins/firewall/types.js';
import { scan } from './helpers.js';

function emails(n: number): string {
  return Array.from({ length: n }, (_, i) => `user${i}@example-corp.io`).join(' ');
}

function ips(n: number): string {
  return Array.from({ length: n }, (_, i) => `8.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`).join(' ');
}

/**
 * Time ratio of `work(4n)` to `work(n)`: about 4 when linear, 16 when quadratic. The two sizes run
 * in turn and the best of each counts, so a slow spell of the (shared) machine hits both alike.
 */
function growth(build: (n: number) => () => void, n: number): number {
  const small = build(n);
  const large = build(4 * n);
  small(); // warm the JIT and the lazily built RE2 sets
  let bestSmall = Infinity;
  let bestLarge = Infinity;
  for (let k = 0; k < 3; k++) {
    let t0 = performance.now();
    small();
    bestSmall = Math.min(bestSmall, performance.now() - t0);
    t0 = performance.now();
    large();
    bestLarge = Math.min(bestLarge, performance.now() - t0);
  }
  return bestLarge / Math.max(bestSmall, 1);
}

describe('firewall: cost grows linearly with the text', function () {
  this.timeout(120_000);

  it('scan: 4× the e-mail addresses costs well under 16× the time', () => {
    const ratio = growth((n) => { const text = emails(n); return () => { scan(text); }; }, 10_000);
    expect(ratio).to.be.below(10);
  });

  it('scan: 4× the IPv4 addresses on one line costs well under 16× the time', () => {
    const ratio = growth((n) => { const text = ips(n); return () => { scan(text); }; }, 10_000);
    expect(ratio).to.be.below(10);
  });

  it('redact: 4× the values to redact costs well under 16× the time', () => {
    const ratio = growth((n) => {
      const text = emails(n);
      const findings = scan(text);
      return () => { redactSegments([{ text, set: () => {} }], [findings], () => true); };
    }, 5_000);
    expect(ratio).to.be.below(10);
  });

  it('resolveOverlaps: reads each finding O(log n) times, not once per kept one', () => {
    // Counted, not timed: findings whose start and end count their reads. Disjoint findings, each
    // with an overlapping lower-score twin; the pairwise check read them ~n²/4 times.
    let reads = 0;
    const counted = (n: number): Finding[] => {
      const out: Finding[] = [];
      for (let i = 0; i < n; i++) {
        for (const [type, from, to, score] of [['A', 0, 5, 0.9], ['B', 2, 8, 0.5]] as const) {
          const start = i * 10 + from;
          const end = i * 10 + to;
          out.push({ type, score, detector: 'x', get start() { reads++; return start; }, get end() { reads++; return end; } });
        }
      }
      return out;
    };
    const readsFor = (n: number): number => {
      const list = counted(n);
      reads = 0;
      const kept = resolveOverlaps(list);
      expect(kept).to.have.length(n);
      expect(kept.every((f) => f.type === 'A')).to.equal(true);
      return reads;
    };
    const small = readsFor(2000);
    const large = readsFor(8000);
    expect(large / small).to.be.below(6); // n log n: ~4.6; pairwise: ~16
  });
});
