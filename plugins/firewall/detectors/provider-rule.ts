// Builds a provider token rule: literal gate + RE2 shape + "not a placeholder" check on the random part.
import type { Candidate, RuleSpec, Verdict } from '../types.js';
import { looksFake } from '../validators/entropy.js';
import { isAlnumAt } from '../context.js';

export interface ProviderOptions {
  score?: number;
  group?: number;
  keywords?: readonly string[];
  /** Extra check on top of the placeholder test. */
  check?: (candidate: Candidate) => Verdict;
  /** Minimum entropy of the random part (bits/char); default depends on its length. */
  minEntropy?: number;
  /** What the engine's RE2.Set pass looks for instead of the pattern (see RuleSpec.trigger). */
  trigger?: string;
  /**
   * The part of the value that must look random, when not all that follows the literal is: a token
   * whose structure has characters the placeholder test reads as a template (Braintree's `$`).
   */
  randomPart?: (value: string) => string;
}

/** The random part of a token: the value minus the literal prefix it starts with. */
export function tokenBody(value: string, literals: readonly string[]): string {
  let best = '';
  for (const lit of literals) if (value.startsWith(lit) && lit.length > best.length) best = lit;
  return value.slice(best.length);
}

/**
 * One provider's token. `literals` gate the pattern (it only runs when one occurs in the text) and
 * are stripped before the placeholder/entropy test of what remains.
 */
export function provider(type: string, literals: readonly string[], pattern: string, opts: ProviderOptions = {}): RuleSpec {
  return {
    type,
    pattern,
    literals: literals.length ? literals : undefined,
    keywords: opts.keywords,
    group: opts.group,
    trigger: opts.trigger,
    score: opts.score ?? 0.95,
    validate(candidate) {
      // A token glued to more token characters is a fragment of something else.
      if (opts.group === undefined && isAlnumAt(candidate.text, candidate.end)) return false;
      const body = opts.randomPart ? opts.randomPart(candidate.value) : tokenBody(candidate.value, literals);
      if (looksFake(body, opts.minEntropy)) return false;
      return opts.check ? opts.check(candidate) : true;
    },
  };
}

/** A secret with no distinctive prefix, recognised only next to its keyword (`DATADOG_API_KEY=…`). */
export function keyed(type: string, keywordPattern: string, valuePattern: string, keywords: readonly string[], opts: ProviderOptions = {}): RuleSpec {
  const pattern = `(?i)(?:${keywordPattern})[A-Za-z0-9_.-]*["']?[ \\t]*(?:[:=]|:=|=>|[ \\t])[ \\t]*["'\`]?(${valuePattern})(?:[^A-Za-z0-9_\\-/+=]|$)`;
  return provider(type, [], pattern, { ...opts, keywords, group: 1, score: opts.score ?? 0.85 });
}
