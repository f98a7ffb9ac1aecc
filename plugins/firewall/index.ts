// The firewall plugin: the prompt firewall in the chain (monitor / enforce / redact, restore, output
// scanning, the Presidio sidecar) and `sluice scan`, both on the same detection engine.
//
// The engine (RE2 and a few hundred compiled patterns, ~100 ms) is built in `start`, not `setup`:
// `sluice config validate` runs setup for the embedded default, which has the firewall, and must
// stay quick. Nothing can fail late for it: every user pattern was compiled when the options were
// parsed. Without `start` (sluice/testing's runPlugin) the first request builds it.
import { definePlugin, importOwn } from '../../core/index.js';
import { FIREWALL_ERRORS } from './errors.js';
import { firewallOptions, type FirewallOptions } from './options.js';
import type { FirewallRuntime } from './runtime.js';
import { SCAN_HELP } from './scan-usage.js';

type ScanCommand = typeof import('./scan-command.js');

export default definePlugin<FirewallOptions>({
  name: 'firewall',
  version: '0.1.0',
  sluice: '^0.1.0',
  description: 'Prompt firewall: PII and secrets in every request (monitor, enforce, redact with restore), output scanning, optional Presidio sidecar',
  options: firewallOptions,
  errors: FIREWALL_ERRORS,
  async setup(options, host) {
    // The chain's half of the plugin, imported here: `sluice scan` and `sluice plugins` load the
    // definition without it.
    const [{ firewallMiddleware }, { createFirewallMetrics }] = await Promise.all([import('./middleware.js'), import('./report.js')]);
    const metrics = createFirewallMetrics(host.metrics);
    const build = async (o: FirewallOptions) => (await import('./runtime.js')).createRuntime(o, host.logger, metrics);
    let runtime: FirewallRuntime | undefined;
    let building: Promise<FirewallRuntime> | undefined;
    const current = (): FirewallRuntime | Promise<FirewallRuntime> =>
      runtime ?? (building ??= build(options).then((built) => (runtime ??= built)));
    // Read at each probe (a reload may change it): with on_error allow the instance serves without
    // the sidecar (built-in detectors only), so a sidecar every instance shares must not take them
    // all out of the load balancer; with block it cannot serve.
    let onError = options.presidio?.on_error;
    if (options.presidio) {
      host.addReadinessCheck('presidio', async () => {
        if (await (await current()).engine.sidecarReady()) return;
        throw Object.assign(new Error('presidio-analyzer does not answer GET /health'), { code: 'presidio_unreachable' });
      }, { required: () => onError === 'block' });
    }
    return {
      middleware: firewallMiddleware(current, metrics, host.logger),
      async start() { await current(); },
      // SIGHUP: compile the new engine, then swap it in; the scan cache starts empty, since the
      // detectors may have changed.
      async reload(next) {
        const built = await build(next);
        return () => { runtime = built; onError = next.presidio?.on_error; };
      },
    };
  },
  commands: {
    scan: {
      summary: 'Scan a file or stdin for secrets and personal data with the configured detectors',
      // What `sluice scan --help` prints (core answers help with a command's usage).
      usage: SCAN_HELP,
      // Detectors only: no storage, logger or gateway config (so none is loaded for it).
      usesHost: false,
      // The command's ~30 modules (detectors, validators) load with require() where Node can (faster
      // than Node 20's import()); none awaits at top level.
      run: async (args, options, io) => (await importOwn<ScanCommand>(new URL('./scan-command.js', import.meta.url))).runScan(args, options, io),
    },
  },
});

export { firewallOptions } from './options.js';
export type { FirewallOptions, CustomPattern, PresidioOptions, OutputOptions, EntitySetting, FirewallMode, OutputMode, EntityAction } from './options.js';
export type { DetectionEngine, EngineDependencies } from './engine.js';
export type { Finding } from './types.js';
export { FIREWALL_BLOCKED, FIREWALL_TOO_LARGE, FIREWALL_UNAVAILABLE, FIREWALL_UNREADABLE } from './errors.js';
