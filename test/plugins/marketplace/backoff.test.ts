import { expect } from 'chai';
import { retryAfterMs as parseRetryAfter } from '../../../core/index.js';
import { backoffDelay, MAX_RETRY_AFTER_MS } from '../../../plugins/marketplace/backoff.js';

describe('marketplace: backoff with jitter and retry-after', () => {
  const policy = (r: number) => ({ initialMs: 1000, maxMs: 60_000, random: () => r });

  it('doubles per failure, capped, with the jitter between half and all of it', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy(0.999999)))).to.deep.equal([1000, 2000, 4000, 8000]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy(0)))).to.deep.equal([500, 1000, 2000, 4000]);
    expect(backoffDelay(30, policy(0.999999))).to.equal(60_000);
    expect(backoffDelay(1000, policy(0))).to.equal(30_000);
  });

  it('really jitters: many gateways failing together do not retry together', () => {
    const waits = new Set(Array.from({ length: 50 }, () => backoffDelay(5, { initialMs: 1000, maxMs: 60_000 })));
    expect(waits.size).to.be.greaterThan(40);
    for (const w of waits) expect(w).to.be.within(8000, 16_000);
  });

  it('never waits less than retry-after, and at most an hour for it', () => {
    expect(backoffDelay(1, policy(0), 7000)).to.equal(7000);
    expect(backoffDelay(1, policy(0.99), 100)).to.be.within(990, 1000);
    expect(backoffDelay(1, policy(0), 10 * MAX_RETRY_AFTER_MS)).to.equal(MAX_RETRY_AFTER_MS);
  });

  it('reads retry-after as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).to.equal(3000);
    expect(parseRetryAfter('0.5')).to.equal(500);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).to.equal(10_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).to.equal(0);
    expect(parseRetryAfter('soon')).to.equal(undefined);
    expect(parseRetryAfter(null)).to.equal(undefined);
  });
});
