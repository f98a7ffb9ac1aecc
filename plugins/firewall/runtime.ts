// Everything the firewall builds from its options, once: the detection engine, the policy, the scan
// cache and scanner. A reload builds a new one and swaps it in whole.
import type { Logger } from '../../core/index.js';
import { createDetectionEngine, type DetectionEngine } from './engine.js';
import type { FirewallOptions } from './options.js';
import { createPolicy, type Policy } from './policy.js';
import type { PresidioError } from './presidio-client.js';
import type { FirewallMetrics } from './report.js';
import { createRequestScanner, type RequestScanner } from './request-scan.js';
import { ScanCache } from './scan-cache.js';

export interface FirewallRuntime {
  readonly options: FirewallOptions;
  readonly engine: DetectionEngine;
  readonly policy: Policy;
  readonly scanner: RequestScanner;
}

/** A failing sidecar is logged at most this often (every request would otherwise log it). */
const SIDECAR_LOG_INTERVAL_MS = 30_000;

export function createRuntime(options: FirewallOptions, logger: Logger, metrics: FirewallMetrics): FirewallRuntime {
  let failures = 0;
  let lastLogged = -Infinity;
  let unlogged = 0;
  const onSidecarError = (error: PresidioError) => {
    failures++;
    metrics.sidecarErrors.inc();
    const now = performance.now();
    if (now - lastLogged < SIDECAR_LOG_INTERVAL_MS) { unlogged++; return; }
    // The message names the sidecar's URL and what went wrong, never the text sent to it.
    logger.warn('presidio sidecar failed; scanning with the built-in detectors only (on_error: allow)', {
      error: error.message, ...(unlogged ? { failures_since_last_log: unlogged } : {}),
    });
    lastLogged = now;
    unlogged = 0;
  };
  const engine = createDetectionEngine(options, { onSidecarError });
  const scanner = createRequestScanner(engine, new ScanCache(options.cache_entries), {
    configured: options.presidio !== undefined,
    failures: () => failures,
  });
  return { options, engine, policy: createPolicy(options), scanner };
}
