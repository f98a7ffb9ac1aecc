// Operator additions: custom patterns become rules of the 'custom' detector; allowlists drop findings.
import RE2 from 're2';
import type { RuleSpec, Finding } from './types.js';
import type { CustomPattern } from './options.js';
import { compileRule, type CompiledRule } from './rule.js';
import { keywordNear } from './context.js';
import { typeFromName } from './entity-names.js';

export function customRules(patterns: readonly CustomPattern[]): CompiledRule[] {
  return patterns.map((p) => {
    const keywords = p.keywords?.map((k) => k.toLowerCase());
    const spec: RuleSpec = {
      type: p.type ?? typeFromName(p.name),
      pattern: p.pattern,
      score: p.score,
      group: p.group,
      keywords,
      validate: keywords ? (c) => keywordNear(c.text, c.start, c.end, keywords, 100) : undefined,
    };
    return compileRule(spec, 'custom', p.name);
  });
}

export interface Allowlist {
  /** True when the finding's text is allowlisted. */
  allows(value: string): boolean;
}

export function createAllowlist(values: readonly string[], patterns: readonly string[]): Allowlist {
  const exact = new Set(values);
  const compiled = patterns.map((pattern) => {
    try {
      return new RE2(`^(?:${pattern})$`);
    } catch (err) {
      throw new Error(`firewall: allowlist pattern "${pattern}" does not compile with RE2: ${(err as Error).message}`);
    }
  });
  return {
    allows(value) {
      if (exact.has(value)) return true;
      for (const re of compiled) if (re.test(value)) return true;
      return false;
    },
  };
}

/** Drops allowlisted findings in place order. */
export function applyAllowlist(text: string, findings: Finding[], allowlist: Allowlist): Finding[] {
  return findings.filter((f) => !allowlist.allows(text.slice(f.start, f.end)));
}
