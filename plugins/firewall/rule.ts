// Compiles detection rules with RE2 and runs them over a text behind cheap literal/keyword gates.
import RE2 from 're2';
import type { Candidate, Finding, RuleSpec } from './types.js';

export interface CompiledRule extends RuleSpec {
  readonly detector: string;
  /** Global form: one native `match` call lists every matched string. */
  readonly re: RE2;
  /** Sticky form with indices: confirms a match at a known position, on a small window. */
  readonly sticky: RE2;
  /** Capture groups are needed, so each match is confirmed with the sticky pattern. */
  readonly needsExec: boolean;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** Per-scan state shared by every rule: the text and its lower-cased copy, computed once if needed. */
export class ScanContext {
  private lowered: string | undefined;
  constructor(readonly text: string) {}
  get lower(): string {
    return (this.lowered ??= this.text.toLowerCase());
  }
}

/** Compiles a rule; an RE2 compile error becomes an Error naming the rule. */
export function compileRule(spec: RuleSpec, detector: string, name = spec.type): CompiledRule {
  let re: RE2;
  let sticky: RE2;
  try {
    re = new RE2(spec.pattern, 'g');
    sticky = new RE2(spec.pattern, 'yd');
  } catch (err) {
    throw new Error(`firewall: pattern "${name}" does not compile with RE2: ${(err as Error).message}`);
  }
  return { ...spec, detector, re, sticky, needsExec: spec.group !== undefined || spec.needsGroups === true };
}

function gateOpen(rule: CompiledRule, ctx: ScanContext): boolean {
  if (!rule.keywords) return true;
  const lower = ctx.lower;
  for (const kw of rule.keywords) if (lower.includes(kw)) return true;
  return false;
}

/**
 * Finds which rules can match at all with one RE2.Set pass over the text (a single DFA for every
 * pattern), so the per-rule exec loops run only for the few rules that have a match.
 */
export class RuleSet {
  private readonly set: InstanceType<typeof RE2.Set> | undefined;

  constructor(readonly rules: readonly CompiledRule[]) {
    try {
      this.set = rules.length ? new RE2.Set(rules.map((rule) => rule.pattern)) : undefined;
    } catch {
      // Every pattern compiled on its own; if the combined set does not, run them one by one.
      this.set = undefined;
    }
  }

  run(text: string, out: Finding[]): void {
    if (this.rules.length === 0 || text.length === 0) return;
    const ctx = new ScanContext(text);
    if (!this.set) {
      for (const rule of this.rules) runRule(rule, ctx, out);
      return;
    }
    for (const index of this.set.match(text)) runRule(this.rules[index]!, ctx, out);
  }
}

/**
 * Locates a matched string in the text at or after `from`, confirming the rule really matches
 * there (a string can occur earlier where a `\b` or other context does not hold). The check runs
 * the sticky pattern on a window of the match plus one character either side.
 */
function locate(rule: CompiledRule, text: string, value: string, from: number): { at: number; m: RegExpExecArray | undefined } | undefined {
  for (let at = text.indexOf(value, from); at >= 0; at = text.indexOf(value, at + 1)) {
    if (!rule.needsExec) {
      // Whole-match rules: a word-boundary test in JS is enough to skip an occurrence glued to a
      // longer word; a sticky exec (several µs each) is kept for rules that need capture groups.
      if (isWordChar(value.charCodeAt(0)) && isWordChar(text.charCodeAt(at - 1))) continue;
      return { at, m: undefined };
    }
    let windowStart = Math.max(0, at - 1);
    const code = text.charCodeAt(windowStart);
    if (windowStart > 0 && code >= 0xdc00 && code <= 0xdfff) windowStart--;
    const window = text.slice(windowStart, Math.min(text.length, at + value.length + 2));
    rule.sticky.lastIndex = at - windowStart;
    const m = rule.sticky.exec(window);
    if (m && m[0] === value) {
      if (m.indices) for (const span of m.indices) if (span) { span[0] += windowStart; span[1] += windowStart; }
      return { at, m };
    }
  }
  return undefined;
}

/**
 * Runs one rule and appends its validated findings. Why not an `exec` loop: node-re2 re-encodes
 * the whole string on every exec call, so n matches cost n full conversions; one `match` call
 * plus a window check per match is several times faster on prompt-sized texts.
 */
export function runRule(rule: CompiledRule, ctx: ScanContext, out: Finding[]): void {
  if (!gateOpen(rule, ctx)) return;
  const text = ctx.text;
  const matches = text.match(rule.re);
  if (!matches) return;
  let cursor = 0;
  for (const value of matches) {
    if (!value) continue;
    const found = locate(rule, text, value, cursor);
    if (!found) continue;
    cursor = found.at + value.length;
    const { m } = found;
    const g = rule.group ?? 0;
    const span = m ? m.indices?.[g] : [found.at, found.at + value.length];
    if (!span) continue;
    let [start, end] = span;
    let score = rule.score;
    if (rule.validate) {
      const candidate: Candidate = { value: m ? m[g]! : value, start, end, text, groups: m ?? [value] };
      const verdict = rule.validate(candidate);
      if (verdict === false) continue;
      if (typeof verdict === 'number') score = verdict;
      else if (typeof verdict === 'object') {
        if (verdict.score !== undefined) score = verdict.score;
        if (verdict.start !== undefined) start = verdict.start;
        if (verdict.end !== undefined) end = verdict.end;
      }
    }
    out.push({ type: rule.type, start, end, score, detector: rule.detector });
  }
}
