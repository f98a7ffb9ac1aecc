// A provider's retry budget and backoff (core/providers/retry-budget.ts, retry-policy.ts): retries
// in a sliding 10 s window stay within max(min_per_second × 10, budget_percent of the requests in
// it); the wait before a retry is full jitter, capped, and a longer retry-after means no retry.
import { expect } from 'chai';
import { RetryBudget } from '../../core/providers/retry-budget.js';
import { retryAfterMs } from '../../core/http/retry-after.js';
import { MAX_RETRY_WAIT_MS, RetryPolicy, retryPolicyFor } from '../../core/providers/retry-policy.js';

describe('retry budget', () => {
  it('allows min_per_second × 10 retries in a window with no traffic, then refuses', () => {
    let now = 0;
    const budget = new RetryBudget(20, 0.3, () => now);
    expect([budget.withdraw(), budget.withdraw(), budget.withdraw(), budget.withdraw()]).to.deep.equal([true, true, true, false]);
    now = 9_999; // the same window
    expect(budget.withdraw()).to.equal(false);
  });

  it('allows budget_percent of the requests in the window when that is more', () => {
    let now = 5_000;
    const budget = new RetryBudget(20, 0, () => now);
    expect(budget.withdraw()).to.equal(false);
    for (let i = 0; i < 50; i++) budget.noteRequest();
    let granted = 0;
    while (budget.withdraw()) granted++;
    expect(granted).to.equal(10);
    now += 1_000;
    for (let i = 0; i < 5; i++) budget.noteRequest();
    expect(budget.withdraw()).to.equal(true); // 20% of 55 = 11
    expect(budget.withdraw()).to.equal(false);
  });

  it('slides: requests and retries older than 10 s no longer count', () => {
    let now = 0;
    const budget = new RetryBudget(0, 0.1, () => now);
    expect(budget.withdraw()).to.equal(true);
    expect(budget.withdraw()).to.equal(false);
    now = 9_500;
    expect(budget.withdraw()).to.equal(false);
    now = 10_000; // the second of the first retry has left the window
    expect(budget.withdraw()).to.equal(true);
    now = 123_456; // long after: every slot is stale, however its index lines up
    expect(budget.withdraw()).to.equal(true);
    expect(budget.withdraw()).to.equal(false);
  });

  it('earns no retries from requests that have left the window', () => {
    let now = 0;
    const budget = new RetryBudget(50, 0, () => now);
    for (let i = 0; i < 10; i++) budget.noteRequest();
    now = 10_000;
    expect(budget.withdraw()).to.equal(false);
  });
});

describe('retry policy', () => {
  const policy = (backoff_ms: number) => new RetryPolicy({ attempts: 3, backoff_ms, budget_percent: 20, min_per_second: 3 });

  it('is absent with attempts 0', () => {
    expect(retryPolicyFor({ attempts: 0, backoff_ms: 100, budget_percent: 20, min_per_second: 3 })).to.equal(undefined);
    expect(retryPolicyFor({ attempts: 1, backoff_ms: 100, budget_percent: 20, min_per_second: 3 })).to.be.instanceOf(RetryPolicy);
  });

  it('waits a random time up to backoff_ms × 2^k (full jitter), capped', () => {
    const p = policy(100);
    expect(p.delayMs(0, undefined, () => 0)).to.equal(0);
    expect(p.delayMs(0, undefined, () => 0.5)).to.equal(50);
    expect(p.delayMs(2, undefined, () => 0.999)).to.be.closeTo(399.6, 0.01);
    expect(p.delayMs(10, undefined, () => 1)).to.equal(MAX_RETRY_WAIT_MS);
  });

  it('waits at least the retry-after the backoff allows, and does not retry past it', () => {
    const p = policy(1000);
    expect(p.delayMs(0, '1', () => 0.1)).to.equal(1000);
    expect(p.delayMs(0, '0', () => 0.5)).to.equal(500);
    expect(p.delayMs(0, '2', () => 0.5)).to.equal(undefined);
    expect(p.delayMs(1, '2', () => 0.5)).to.equal(2000);
    expect(p.delayMs(5, '30', () => 0.5)).to.equal(undefined); // over the 5 s cap whatever the backoff
    expect(policy(100).delayMs(0, '1')).to.equal(undefined);
  });

  it('reads retry-after as seconds or an HTTP date', () => {
    expect(retryAfterMs(undefined)).to.equal(undefined);
    expect(retryAfterMs(' 7 ')).to.equal(7000);
    expect(retryAfterMs('soon')).to.equal(undefined);
    // Fractions are seconds, not dates (Date.parse reads '1.5' as 2001-01-05, i.e. no wait at all).
    expect(retryAfterMs('1.5')).to.equal(1500);
    expect(retryAfterMs('2.0')).to.equal(2000);
    expect(retryAfterMs('12/31')).to.equal(undefined);
    expect(policy(100).delayMs(0, '1.5')).to.equal(undefined); // longer than this retry may wait: not retried
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:03 GMT', now)).to.equal(3000);
    expect(retryAfterMs('Wed, 31 Dec 2025 23:59:00 GMT', now)).to.equal(0);
  });
});
