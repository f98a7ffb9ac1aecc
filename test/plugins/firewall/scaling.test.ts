// The firewall's cost grows with the text, not with its square. Counted, not timed: the suite runs in
// parallel on shared machines, where even ratios of times flake.
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

type Walk = (from: number | undefined, found: number, self: string) => number;

/** Runs `work` with String.prototype[method] counting the characters each call walks (per `walk`), for strings of 10k+ characters. */
function countWalk(method: 'indexOf' | 'lastIndexOf', walk: Walk, work: () => void): number {
  const original = String.prototype[method];
  let walked = 0;
  String.prototype[method] = function (this: string, search: string, from?: number): number {
    const found = original.call(this, search, from);
    if (this.length >= 10_000) walked += Math.max(0, walk(from, found, this));
    return found;
  };
  try {
    work();
  } finally {
    String.prototype[method] = original;
  }
  return walked;
}

describe('firewall: cost grows linearly with the text', function () {
  this.timeout(120_000);

  it('scan: IPv4 addresses on one long line are not each read back to the line start', () => {
    // Counted, not timed (the suite runs in parallel on shared machines): characters that
    // lastIndexOf walks back over. The old versionContext did it per address — n × line/2.
    const text = ips(20_000);
    const walked = countWalk('lastIndexOf', (from, found, self) => (from === undefined ? self.length : Math.min(from, self.length - 1)) - found, () => {
      expect(scan(text)).to.have.length(20_000);
    });
    expect(walked).to.be.at.most(2 * text.length);
  });

  it('redact: the text is not searched once per redacted value', () => {
    // Counted: characters indexOf walks over. Once per value was n × the text (20k values: ~10^10).
    const text = emails(20_000);
    const findings = scan(text);
    let out = '';
    const walked = countWalk('indexOf', (from, found, self) => (found < 0 ? self.length : found) - (from ?? 0), () => {
      redactSegments([{ text, set: (t) => { out = t; } }], [findings], () => true);
    });
    expect(out.startsWith('[EMAIL_ADDRESS_1] [EMAIL_ADDRESS_2] ')).to.equal(true);
    expect(walked).to.be.at.most(2 * text.length);
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
