// A provider's `retry` settings as dispatch uses them: how many more tries, how long to wait before
// each (full jitter, capped; the provider's retry-after when it asks for no more than that), and
// the budget that refuses retries during an outage.
import type { RetryConfig } from '../config/schema.js';
import { retryAfterMs } from '../http/retry-after.js';
import { RetryBudget } from './retry-budget.js';

/**
 * No wait before a retry is longer: a provider that asks for more (retry-after) is not retried, the
 * request goes to the next fallback or fails as it would have — a client's request is not held
 * for a provider that says it needs time.
 */
export const MAX_RETRY_WAIT_MS = 5000;

export class RetryPolicy {
  readonly attempts: number;
  readonly budget: RetryBudget;
  private readonly backoffMs: number;

  constructor(config: RetryConfig, now?: () => number) {
    this.attempts = config.attempts;
    this.backoffMs = config.backoff_ms;
    this.budget = new RetryBudget(config.budget_percent, config.min_per_second, now);
  }

  /**
   * The wait before retry `k` (0 for the first): a random time up to backoff_ms × 2^k (full
   * jitter, so clients that failed together do not retry together), at most MAX_RETRY_WAIT_MS, and
   * at least the provider's `retry-after`. Undefined when that retry-after is longer than this
   * retry may wait: the provider is not tried again.
   */
  delayMs(k: number, retryAfter: string | undefined, random: () => number = Math.random): number | undefined {
    const ceiling = Math.min(this.backoffMs * 2 ** k, MAX_RETRY_WAIT_MS);
    const asked = retryAfterMs(retryAfter);
    if (asked !== undefined && asked > ceiling) return undefined;
    return Math.max(asked ?? 0, random() * ceiling);
  }
}

/** A provider entry's retry policy; undefined when it is not retried (attempts: 0), which costs dispatch nothing. */
export function retryPolicyFor(config: RetryConfig): RetryPolicy | undefined {
  return config.attempts > 0 ? new RetryPolicy(config) : undefined;
}
