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
    score: opts.score ?? 0.95,
    validate(candidate) {
      // A token glued to more token characters is a fragment of something else.
      if (opts.group === undefined && isAlnumAt(candidate.text, candidate.end)) return false;
      const body = tokenBody(candidate.value, literals);
      if (looksFake(body, opts.minEntropy)) return false;
      return opts.check ? opts.check(candidate) : true;
    },
  };
}

/** A secret with no distinctive prefix, recognised only next to its keyword (`DATADOG_API_KEY=…`). */
export function keyed(type: string, keywordPattern: string, valuePattern: string, keywords: readonly string[], opts: ProviderOptions = {}): RuleSpec {
  const pattern = `(?i)(?:${keywordPattern})[A-Za-z0-9_.-]{0,24}["']?[ \\t]*(?:[:=]|:=|=>|[ \\t])[ \\t]*["'\`]?(${valuePattern})(?:[^A-Za-z0-9_\\-/+=]|$)`;
  return provider(type, [], pattern, { ...opts, keywords, group: 1, score: opts.score ?? 0.85 });
}

export interface ContextOptions {
  /** Lower-case words; one must occur in the text for the rule to run at all. */
  keywords: readonly string[];
  /** Lower-case strings, one of which must occur within `before` characters before the value (or `after` after it); empty when `check` judges the context itself. */
  near: readonly string[];
  /** Characters of the value's alphabet: the value must not be glued to more of them. */
  alphabet: (code: number) => boolean;
  /** Exact value lengths accepted (the pattern may match a longer run, which is then rejected). */
  lengths: readonly number[];
  before?: number;
  after?: number;
  score?: number;
  /** Check on the value itself (alphabet mix, entropy). */
  check?: (value: string, candidate: Candidate) => boolean;
}

/**
 * A key with no distinctive shape (40 alphanumerics, 32 hex …), reported only when its provider is
 * named nearby: `cohere.Client("…")`, "Datadog API key is …", an AKIA id next to an AWS secret.
 * The pattern matches whole runs of the alphabet (no capture group, so no per-match regex exec);
 * length, boundaries and context are checked here.
 */
export function contextual(type: string, pattern: string, opts: ContextOptions): RuleSpec {
  const before = opts.before ?? 240;
  const after = opts.after ?? 80;
  return {
    type,
    pattern,
    keywords: opts.keywords,
    score: opts.score ?? 0.85,
    prefilter: (match) => opts.lengths.includes(match.length),
    validate(c) {
      if (opts.alphabet(c.text.charCodeAt(c.start - 1)) || opts.alphabet(c.text.charCodeAt(c.end))) return false;
      if (c.text[c.end] === '=' || looksFake(c.value)) return false;
      if (opts.check && !opts.check(c.value, c)) return false;
      if (opts.near.length === 0) return true;
      const window = c.text.slice(Math.max(0, c.start - before), c.start).toLowerCase() + ' ' + c.text.slice(c.end, c.end + after).toLowerCase();
      for (const word of opts.near) if (window.includes(word)) return true;
      return false;
    },
  };
}
