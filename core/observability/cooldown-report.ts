// What operators see of provider cooldowns (providers/cooldown.ts): a line when a provider goes out
// of service and when it comes back, a gauge per provider and a count of the times it went out.
import type { CooldownObserver } from '../providers/cooldown.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

export function createCooldownReport(logger: Logger, metrics: Metrics): CooldownObserver {
  const cooling = metrics.gauge('sluice_provider_cooldown', '1 while requests that have another target skip this provider (cooldown after failures), else 0', { labelNames: ['provider'] });
  const entered = metrics.counter('sluice_provider_cooldowns_total', 'Times a provider went into cooldown, a failed probe after a period included', { labelNames: ['provider'] });
  return {
    entered(e) {
      cooling.set(1, { provider: e.provider });
      entered.inc({ provider: e.provider });
      const why = e.retryAfter ? 'its 429 asked to wait' : e.probe ? 'the probe after its cooldown failed' : `${e.failures} failures in a row`;
      logger.info(`provider cooling down: ${why}; requests with another target skip it`, { provider: e.provider, cooldown_ms: Math.round(e.ms), failures: e.failures, code: e.code, status: e.status });
    },
    left(provider, ms) {
      cooling.set(0, { provider });
      logger.info('provider back in service after its cooldown', { provider, out_ms: Math.round(ms) });
    },
    reset(provider) {
      cooling.set(0, { provider });
    },
  };
}
