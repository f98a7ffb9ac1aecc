// A provider's cooldown (a circuit breaker, as Envoy's outlier detection and LiteLLM's cooldowns):
// after `after_failures` failures in a row — or at once on a 429 that says how long to wait — the
// provider is skipped for `period_ms` by every request that has another target, instead of each
// one paying its timeout before a fallback serves. When the period is over, one request is let
// through to probe it (half-open): an answer puts it back in service, a failure starts another
// period. It is never a refusal: a request whose targets are all cooling down tries them anyway.
// In memory, per instance; a reload that rebuilds the provider starts it afresh.
import type { CooldownConfig } from '../config/schema.js';

/** Why a provider went into cooldown, for the log line. */
export interface CooldownEntry {
  provider: string;
  /** How long it is skipped. */
  ms: number;
  /** Failures in a row, the last one included. */
  failures: number;
  /** The last failure: its gateway error code and status. */
  code: string;
  status: number;
  /** The failure was the probe after a period: the provider is still failing. */
  probe: boolean;
  /** The period is the provider's own retry-after (a 429). */
  retryAfter: boolean;
}

export interface CooldownObserver {
  entered(entry: CooldownEntry): void;
  /** Back in service after `ms` out of it. */
  left(provider: string, ms: number): void;
  /** A fresh cooldown for a provider (built or rebuilt by a reload): in service. */
  reset?(provider: string): void;
}

export class ProviderCooldown {
  private failures = 0;
  /** performance.now() when the current period ends; 0 while in service. */
  private until = 0;
  /** When the provider last went out of service (the first period of this spell). */
  private since = 0;
  /** When the current period began: answers to attempts sent before it say nothing of now. */
  private openedAt = 0;
  /** A probe is out (half-open): other requests keep skipping the provider until it ends. */
  private probing = false;

  constructor(
    readonly provider: string,
    private readonly config: CooldownConfig,
    private readonly observer?: CooldownObserver,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** True while requests with another target should skip this provider. */
  cooling(): boolean {
    return this.until !== 0 && (this.probing || this.now() < this.until);
  }

  /**
   * An attempt is about to be sent. True when it is the probe: the period is over and no probe is
   * out (the caller passes it back to succeeded, failed or released).
   */
  begin(): boolean {
    if (this.until === 0 || this.probing || this.now() < this.until) return false;
    this.probing = true;
    return true;
  }

  /** The provider answered (a success, or a 4xx that is the request's own fault). */
  succeeded(startedAt: number, probe: boolean): void {
    if (probe) this.probing = false;
    this.failures = 0;
    // An answer to an attempt sent before the period began is old news: not a reason to end it.
    if (this.until === 0 || startedAt < this.openedAt) return;
    this.until = 0;
    this.observer?.left(this.provider, this.now() - this.since);
  }

  /**
   * The provider failed (connection error, timeout, 429, 5xx, a `fallback_on` status).
   * `retryAfterMs`: the wait a 429 asked for (undefined for any other failure).
   */
  failed(probe: boolean, code: string, status: number, retryAfterMs: number | undefined): void {
    this.failures++;
    const asked = this.askedPeriod(retryAfterMs);
    if (probe) {
      this.probing = false;
      this.open(asked ?? this.config.period_ms, code, status, true, asked !== undefined);
      return;
    }
    // Already out of service: a request that tried it anyway (every target cooling), or one sent before.
    if (this.until !== 0) return;
    if (asked !== undefined) this.open(asked, code, status, false, true);
    else if (this.failures >= this.config.after_failures) this.open(this.config.period_ms, code, status, false, false);
  }

  /** The attempt ended without a word on the provider's health (the client left, the pool was full). */
  released(probe: boolean): void {
    if (probe) this.probing = false;
  }

  /** A 429's retry-after, within max_retry_after_ms; undefined when there is none to follow. */
  private askedPeriod(retryAfterMs: number | undefined): number | undefined {
    const max = this.config.max_retry_after_ms;
    return retryAfterMs !== undefined && retryAfterMs > 0 && max > 0 ? Math.min(retryAfterMs, max) : undefined;
  }

  private open(ms: number, code: string, status: number, probe: boolean, retryAfter: boolean): void {
    const now = this.now();
    if (this.until === 0) this.since = now;
    this.openedAt = now;
    this.until = now + ms;
    this.observer?.entered({ provider: this.provider, ms, failures: this.failures, code, status, probe, retryAfter });
  }
}

/** A provider entry's cooldown; undefined when it has none (after_failures: 0), which costs dispatch nothing. */
export function cooldownFor(provider: string, config: CooldownConfig, observer?: CooldownObserver): ProviderCooldown | undefined {
  return config.after_failures > 0 ? new ProviderCooldown(provider, config, observer) : undefined;
}
