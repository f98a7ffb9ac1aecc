// The firewall plugin: the prompt firewall in the chain (monitor / enforce / redact, restore, output
// scanning, the Presidio sidecar) and `sluice scan`, both on the same detection engine.
import { definePlugin } from '../../core/index.js';
import { FIREWALL_ERRORS } from './errors.js';
import { firewallMiddleware } from './middleware.js';
import { firewallOptions, type FirewallOptions } from './options.js';
import { createFirewallMetrics } from './report.js';
import { createRuntime } from './runtime.js';
import { runScan, SCAN_USAGE } from './scan-command.js';

export default definePlugin<FirewallOptions>({
  name: 'firewall',
  version: '0.1.0',
  sluice: '^0.1.0',
  description: 'Prompt firewall: PII and secrets in every request (monitor, enforce, redact with restore), output scanning, optional Presidio sidecar',
  options: firewallOptions,
  errors: FIREWALL_ERRORS,
  setup(options, host) {
    const metrics = createFirewallMetrics(host.metrics);
    let runtime = createRuntime(options, host.logger, metrics);
    if (options.presidio) {
      host.addReadinessCheck('presidio', async () => {
        if (await runtime.engine.sidecarReady()) return;
        throw Object.assign(new Error('presidio-analyzer does not answer GET /health'), { code: 'presidio_unreachable' });
      });
    }
    return {
      middleware: firewallMiddleware(() => runtime, metrics, host.logger),
      // SIGHUP: compile the new engine (a bad pattern throws here), then swap it in; the scan cache
      // starts empty, since the detectors may have changed.
      reload(next) {
        const built = createRuntime(next, host.logger, metrics);
        return () => { runtime = built; };
      },
    };
  },
  commands: {
    scan: {
      summary: 'Scan a file or stdin for secrets and personal data with the configured detectors',
      usage: SCAN_USAGE,
      run: runScan,
    },
  },
});

export { firewallOptions } from './options.js';
export type { FirewallOptions, CustomPattern, PresidioOptions, OutputOptions, EntitySetting, FirewallMode, OutputMode, EntityAction } from './options.js';
export { createDetectionEngine } from './engine.js';
export type { DetectionEngine, EngineDependencies } from './engine.js';
export { PresidioClient, PresidioError } from './presidio-client.js';
export type { Finding } from './types.js';
export { maskValue, runScan } from './scan-command.js';
export { FIREWALL_BLOCKED, FIREWALL_UNAVAILABLE } from './errors.js';
