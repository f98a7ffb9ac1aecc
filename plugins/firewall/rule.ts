// Compiles detection rules with RE2 and runs them over a text behind cheap literal/keyword gates.
import RE2 from 're2';
import type { Candidate, Finding, RuleSpec } from './types.js';

export interface CompiledRule extends RuleSpec {
  readonly detector: string;
  readonly re: RE2;
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
  try {
    re = new RE2(spec.pattern, 'gd');
  } catch (err) {
    throw new Error(`firewall: pattern "${name}" does not compile with RE2: ${(err as Error).message}`);
  }
  return { ...spec, detector, re };
}

function gateOpen(rule: CompiledRule, ctx: ScanContext): boolean {
  if (rule.literals && rule.literals.length) {
    let found = false;
    for (const lit of rule.literals) if (ctx.text.includes(lit)) { found = true; break; }
    if (!found) return false;
  }
  if (rule.keywords) {
    const lower = ctx.lower;
    for (const kw of rule.keywords) if (lower.includes(kw)) return true;
    return false;
  }
  return true;
}

/** Runs one rule and appends its validated findings. */
export function runRule(rule: CompiledRule, ctx: ScanContext, out: Finding[]): void {
  if (!gateOpen(rule, ctx)) return;
  const { re } = rule;
  const text = ctx.text;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    const g = rule.group ?? 0;
    const span = m.indices?.[g];
    if (!span) continue;
    let [start, end] = span;
    let score = rule.score;
    if (rule.validate) {
      const candidate: Candidate = { value: m[g]!, start, end, text, groups: m };
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
