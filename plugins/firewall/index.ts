// The firewall plugin definition. This issue ships the detection engine and `sluice scan`; the
// chain middleware (monitor / enforce / redact) comes later, so there is deliberately no `setup`.
import { definePlugin } from '../../core/index.js';
import { firewallOptions, type FirewallOptions } from './options.js';
import { runScan, SCAN_USAGE } from './scan-command.js';

export default definePlugin<FirewallOptions>({
  name: 'firewall',
  version: '0.1.0',
  sluice: '^0.1.0',
  description: 'Prompt firewall: PII and secrets detectors on RE2, optional Presidio sidecar',
  options: firewallOptions,
  commands: {
    scan: {
      summary: 'Scan a file or stdin for secrets and personal data with the configured detectors',
      usage: SCAN_USAGE,
      run: runScan,
    },
  },
});

export { firewallOptions } from './options.js';
export type { FirewallOptions, CustomPattern, PresidioOptions } from './options.js';
export { createDetectionEngine } from './engine.js';
export type { DetectionEngine, EngineDependencies } from './engine.js';
export { PresidioClient, PresidioError } from './presidio-client.js';
export type { Finding } from './types.js';
export { maskValue, runScan } from './scan-command.js';
