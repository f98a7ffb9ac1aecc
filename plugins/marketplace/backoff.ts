// Waiting after a failed marketplace call: exponential backoff with jitter, never shorter than what
// the marketplace asked for in retry-after (capped, so a broken header cannot park the loop for days).

/** The longest retry-after honoured. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * The wait before retry number `failures` (1 for the first failure): initial × 2^(failures−1), capped
 * at max, then "equal jitter" (between half and all of it) so many gateways that failed together do
 * not retry together; at least `retryAfterMs` when the marketplace said so.
 */
export function backoffDelay(failures: number, policy: BackoffPolicy, retryAfterMs?: number): number {
  const exp = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  const jittered = exp / 2 + (policy.random ?? Math.random)() * (exp / 2);
  const floor = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  return Math.round(Math.max(jittered, floor));
}
