// The detection engine: text in, findings out. Built-in detectors are synchronous and pure; the
// optional Presidio sidecar is the only I/O, in scanWithSidecar().
import type { Finding } from './types.js';
import type { FirewallOptions } from './options.js';
import { compileRule, RuleSet, type CompiledRule } from './rule.js';
import { SECRET_RULES } from './detectors/secrets.js';
import { CONTACT_PII_RULES } from './detectors/pii-contact.js';
import { NUMBER_PII_RULES } from './detectors/pii-numbers.js';
import { networkRules } from './detectors/pii-network.js';
import { NATIONAL_ID_RULES } from './detectors/pii-national.js';
import { applyAllowlist, createAllowlist, customRules } from './custom.js';
import { resolveOverlaps } from './merge.js';
import { escapesAsWhitespace } from './escapes.js';
import { PresidioClient, PresidioError, type FetchLike } from './presidio-client.js';

export interface DetectionEngine {
  /** Built-in and custom detectors only: synchronous, no I/O. */
  scan(text: string): Finding[];
  /** Built-ins merged with Presidio's findings when a sidecar is configured (else the same as scan). Rejects with PresidioError only when on_error is "block". */
  scanWithSidecar(text: string): Promise<Finding[]>;
  /** GET /health on the sidecar; true when none is configured. */
  sidecarReady(): Promise<boolean>;
  /** Number of compiled rules (for diagnostics). */
  readonly ruleCount: number;
}

export interface EngineDependencies {
  /** fetch used for the sidecar (tests inject one). */
  fetch?: FetchLike;
  /** Called when the sidecar fails and on_error is "allow" (findings then come from the built-ins alone). */
  onSidecarError?(error: PresidioError): void;
  /**
   * Compile each built-in rule's own patterns when a text first triggers it, and the combined sets
   * on the first scan, sized for its text: for a one-shot scan, where compiling is most of the work.
   */
  lazyPatterns?: boolean;
}

/** Compiles every enabled rule once. Throws an Error naming any pattern RE2 cannot compile. */
export function createDetectionEngine(options: FirewallOptions, deps: EngineDependencies = {}): DetectionEngine {
  const rules: CompiledRule[] = [];
  const eager = deps.lazyPatterns !== true;
  if (options.secrets.enabled) for (const spec of SECRET_RULES) rules.push(compileRule(spec, 'secrets', spec.type, eager));
  if (options.pii.enabled) {
    const pii = [...CONTACT_PII_RULES, ...NUMBER_PII_RULES, ...NATIONAL_ID_RULES, ...networkRules({ ignorePrivateIps: options.pii.ignore_private_ips })];
    for (const spec of pii) rules.push(compileRule(spec, 'pii', spec.type, eager));
  }
  rules.push(...customRules(options.custom));
  const active = new RuleSet(rules.filter((rule) => (rule.types ?? [rule.type]).some((type) => entityEnabled(options, type))), { oneShot: !eager });
  const allowlist = createAllowlist(options.allowlist.values, options.allowlist.patterns);
  const presidio = options.presidio ? new PresidioClient(options.presidio, deps.fetch) : undefined;

  function keep(text: string, findings: Finding[]): Finding[] {
    const passing = findings.filter((f) => entityEnabled(options, f.type) && f.score >= minScore(options, f.type) && f.end > f.start);
    return resolveOverlaps(applyAllowlist(text, passing, allowlist));
  }

  function builtIn(text: string): Finding[] {
    const out: Finding[] = [];
    active.run(escapesAsWhitespace(text), out);
    return out;
  }

  return {
    ruleCount: active.rules.length,
    scan: (text) => keep(text, builtIn(text)),
    async scanWithSidecar(text) {
      const local = builtIn(text);
      if (!presidio) return keep(text, local);
      try {
        const remote = await presidio.analyze(text);
        return keep(text, [...local, ...remote]);
      } catch (err) {
        const error = err instanceof PresidioError ? err : new PresidioError(String(err));
        if (options.presidio!.on_error === 'block') throw error;
        deps.onSidecarError?.(error);
        return keep(text, local);
      }
    },
    sidecarReady: () => (presidio ? presidio.ready() : Promise.resolve(true)),
  };
}

function entityEnabled(options: FirewallOptions, type: string): boolean {
  const setting = options.entities[type];
  if (setting === undefined) return true;
  return typeof setting === 'boolean' ? setting : setting.enabled;
}

function minScore(options: FirewallOptions, type: string): number {
  const setting = options.entities[type];
  if (typeof setting === 'object' && setting.min_score !== undefined) return setting.min_score;
  return options.min_score;
}
