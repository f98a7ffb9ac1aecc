// The reports' percentiles (selected, not sorted) against the sorted definition, on random values
// with and without many repeats.
import { expect } from 'chai';
import { median, percentile } from '../../../plugins/ledger/reports/stats.js';
import { prng } from '../../helpers/prng.js';

describe('ledger report statistics', () => {
  it('percentile is the nearest-rank value and median the usual one, as sorting gives them', () => {
    const random = prng(20261206).next;
    for (let i = 0; i < 2000; i++) {
      const n = 1 + Math.floor(random() * 60);
      const spread = i % 3 === 0 ? 3 : 10_000; // every third list mostly repeats
      const values = Array.from({ length: n }, () => Math.floor(random() * spread) / 10);
      const sorted = [...values].sort((a, b) => a - b);
      for (const p of [1, 25, 50, 90, 95, 99, 100]) expect(percentile(values, p), `p${p} of ${values.join(',')}`).to.equal(sorted[Math.max(1, Math.ceil((p / 100) * n)) - 1]);
      expect(median(values), `median of ${values.join(',')}`).to.equal(n % 2 ? sorted[n >> 1] : (sorted[(n >> 1) - 1]! + sorted[n >> 1]!) / 2);
    }
  });

  it('leaves its input as it was, and gives null for no values', () => {
    const values = [5, 1, 4, 2, 3];
    expect(percentile(values, 50)).to.equal(3);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
    expect(values).to.deep.equal([5, 1, 4, 2, 3]);
    expect(percentile([], 50)).to.equal(null);
    expect(median([])).to.equal(null);
  });
});
