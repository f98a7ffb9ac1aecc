// Compiles detection rules with RE2 and runs them over a text behind cheap literal/keyword gates.
import RE2 from 're2';
import type { Candidate, Finding, RuleSpec } from './types.js';

export interface CompiledRule extends RuleSpec {
  readonly detector: string;
  /** Global form: one native `match` call lists every matched string. */
  global(): RE2;
  /** Sticky form with indices: confirms a match at a known position, on a small window (compiled on first use: most rules never need it). */
  sticky(): RE2;
  /** Capture groups are needed, so each match is confirmed with the sticky pattern. */
  readonly needsExec: boolean;
  /** Keyword ids in the RuleSet's KeywordIndex (set when the rule joins a RuleSet). */
  keywordIds?: number[];
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** Gate keywords of every rule, found in one case-insensitive RE2.Set pass instead of one `includes` per keyword per rule. */
export class KeywordIndex {
  private readonly set: InstanceType<typeof RE2.Set> | undefined;
  private readonly ids = new Map<string, number>();

  constructor(rules: readonly RuleSpec[]) {
    for (const rule of rules) for (const kw of rule.keywords ?? []) if (!this.ids.has(kw)) this.ids.set(kw, this.ids.size);
    const words = [...this.ids.keys()];
    this.set = words.length ? new RE2.Set(words.map(escapeLiteral), 'i') : undefined;
  }

  /** Keyword ids of a rule's gate. */
  idsOf(keywords: readonly string[] | undefined): number[] | undefined {
    return keywords?.map((kw) => this.ids.get(kw)!);
  }

  /** Ids of the keywords that occur in `text`. */
  present(text: string): Set<number> {
    if (!this.set) return new Set();
    try {
      return new Set(this.set.match(text));
    } catch {
      // Out of DFA memory on this text: open every gate (slower, same findings).
      return new Set(this.ids.values());
    }
  }
}

function escapeLiteral(word: string): string {
  return word.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/** Per-scan state shared by every rule: the text and, computed once if a gated rule runs, which gate keywords occur. */
export class ScanContext {
  private found: Set<number> | undefined;
  private lineAt = -1;
  private lineFrom = 0;
  constructor(readonly text: string, private readonly keywords?: KeywordIndex) {}
  /** See Candidate.lineStart: matches come in increasing order, so each call reads only the text since the last one. */
  readonly lineStart = (at: number): number => {
    const text = this.text;
    if (at < this.lineAt) {
      this.lineFrom = text.lastIndexOf('\n', at) + 1;
    } else {
      let i = at;
      while (i > this.lineAt && text.charCodeAt(i) !== 10) i--;
      if (i > this.lineAt) this.lineFrom = i + 1;
    }
    this.lineAt = at;
    return this.lineFrom;
  };
  /** True when one of the keyword ids occurs in the text. */
  hasAny(ids: readonly number[]): boolean {
    this.found ??= this.keywords ? this.keywords.present(this.text) : new Set();
    for (const id of ids) if (this.found.has(id)) return true;
    return false;
  }
}

/**
 * Compiles a rule; an RE2 compile error becomes an Error naming the rule. With `eager` false the
 * rule's own patterns are compiled on first use instead (a one-shot `sluice scan` needs only the
 * rules its text triggers; compiling all ~120 was most of its start-up); built-in patterns are
 * known to compile (test/plugins/firewall), so only the moment an error would surface changes.
 */
export function compileRule(spec: RuleSpec, detector: string, name = spec.type, eager = true): CompiledRule {
  const compile = (pattern: string, flags?: string): RE2 => {
    try {
      return new RE2(pattern, flags);
    } catch (err) {
      throw new Error(`firewall: pattern "${name}" does not compile with RE2: ${(err as Error).message}`);
    }
  };
  let re: RE2 | undefined;
  let sticky: RE2 | undefined;
  if (eager) {
    re = compile(spec.pattern, 'g');
    if (spec.trigger !== undefined) compile(spec.trigger);
  }
  return {
    ...spec, detector,
    global: () => (re ??= compile(spec.pattern, 'g')),
    // The same pattern as the global form: only the flags differ.
    sticky: () => (sticky ??= compile(spec.pattern, 'yd')),
    needsExec: spec.group !== undefined || spec.needsGroups === true,
  };
}

function gateOpen(rule: CompiledRule, ctx: ScanContext): boolean {
  if (!rule.keywords || rule.keywords.length === 0) return true;
  if (rule.keywordIds) return ctx.hasAny(rule.keywordIds);
  // A rule run outside a RuleSet: plain case-insensitive search.
  const lower = ctx.text.toLowerCase();
  for (const kw of rule.keywords) if (lower.includes(kw)) return true;
  return false;
}

/**
 * Finds which rules can match at all with one RE2.Set pass over the text (a single DFA for every
 * pattern), so the per-rule exec loops run only for the few rules that have a match.
 */
/**
 * Which RE2.Set a rule's trigger joins. Rules anchored by a literal prefix (provider tokens) and
 * PII rules form one set; the broad secret rules (assignments, HTTP credentials, structural) the
 * other. One combined set costs a single pass, but its DFA outgrows RE2's cache on key-dense text:
 * rotating through different 8 KB .env-like texts (as requests do) it thrashed at ~27 ms a scan
 * (the previous engine's set: ~9 ms); two sets stay within budget at ~0.4 ms, for ~15-20 µs more
 * on ordinary 8 KB text.
 */
function setGroup(rule: CompiledRule): number {
  if (rule.detector === 'pii') return 0;
  if (rule.literals && rule.literals.length > 0 && rule.literals.every((l) => l.length >= 2)) return 0;
  return 1;
}

type SetGroup = Array<{ set: InstanceType<typeof RE2.Set>; members: CompiledRule[] }>;

/**
 * A one-shot scan of a short text (`sluice scan`) splits each group into sets of this many patterns:
 * compiling a set costs more than linearly in its patterns (the ~110 of the first group take ~20 ms
 * as one set, about a third of that in sets of 8), while each set is one more pass over the text —
 * cheap below ONE_SHOT_SMALL_TEXT, a loss on a file of megabytes, which keeps the two sets.
 */
const ONE_SHOT_SET_SIZE = 8;
const ONE_SHOT_SMALL_TEXT = 64 * 1024;

/**
 * What every match of `pattern` starts with (after a leading `\b`), when its syntax says so plainly:
 * the characters before the first class, group, escape sequence, wildcard or optional character,
 * with no alternation at the top level; '' when there are none. Case-sensitive: flags such as
 * `(?i)` come in a group, where the prefix has already ended.
 */
export function requiredPrefix(pattern: string): string {
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '[') {
      // A class: `]` right after `[` or `[^` is a member, not its end.
      i += pattern[i + 1] === '^' ? 2 : 1;
      if (pattern[i] === ']') i++;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return '';
  }
  let prefix = '';
  for (let i = pattern.startsWith('\\b') ? 2 : 0; i < pattern.length;) {
    let char = pattern[i]!;
    let length = 1;
    if (char === '\\') {
      // An escaped punctuation character is itself; a letter or digit (\d, \b, \x41, \Q) is not.
      const next = pattern[i + 1];
      if (next === undefined || /[A-Za-z0-9]/.test(next)) break;
      char = next;
      length = 2;
    } else if ('[](){}|.?*+^$'.includes(char)) break;
    const quantifier = pattern[i + length];
    if (quantifier === '?' || quantifier === '*' || quantifier === '{') break;
    prefix += char;
    if (quantifier === '+') break;
    i += length;
  }
  return prefix;
}

export interface RuleSetOptions {
  /**
   * Build the combined sets on the first run rather than now, for its text: small sets for a short
   * text, and none of the rules whose required prefix it lacks. For an engine that scans one text
   * and exits (`sluice scan`): later texts would miss those rules. Default false: a gateway compiles
   * everything at start-up, and its sets are the two of setGroup.
   */
  oneShot?: boolean;
}

export class RuleSet {
  /** undefined until built; null when a combined set did not compile (rules then run one by one). */
  private sets: SetGroup | null | undefined;
  private readonly keywords: KeywordIndex;

  constructor(readonly rules: readonly CompiledRule[], options: RuleSetOptions = {}) {
    this.keywords = new KeywordIndex(rules);
    for (const rule of rules) rule.keywordIds = this.keywords.idsOf(rule.keywords);
    if (!options.oneShot) this.sets = this.buildSets(Infinity);
  }

  /** The combined sets; for one text, without the rules that cannot match it (their required prefix is absent). */
  private buildSets(setSize: number, text?: string): SetGroup | null {
    const groups: CompiledRule[][] = [[], []];
    for (const rule of this.rules) {
      if (text !== undefined) {
        const prefix = requiredPrefix(rule.pattern);
        if (prefix.length >= 2 && !text.includes(prefix)) continue;
      }
      groups[setGroup(rule)]!.push(rule);
    }
    const sets: SetGroup = [];
    try {
      for (const group of groups) {
        // Consecutive slices: a set's sorted matches keep the group's rule order, so findings come out in the same order.
        for (let i = 0; i < group.length; i += setSize) {
          const members = group.slice(i, i + setSize);
          sets.push({ set: new RE2.Set(members.map((rule) => rule.trigger ?? rule.pattern)), members });
        }
      }
    } catch {
      // Every pattern compiled on its own; if a combined set does not, run them one by one.
      return null;
    }
    return sets;
  }

  run(text: string, out: Finding[]): void {
    if (this.rules.length === 0 || text.length === 0) return;
    const ctx = new ScanContext(text, this.keywords);
    if (this.sets === undefined) this.sets = this.buildSets(text.length < ONE_SHOT_SMALL_TEXT ? ONE_SHOT_SET_SIZE : Infinity, text);
    const sets = this.sets;
    if (!sets) {
      for (const rule of this.rules) runRule(rule, ctx, out);
      return;
    }
    for (const { set, members } of sets) {
      let matched: number[];
      try {
        matched = set.match(text);
      } catch {
        // This set's DFA ran out of memory on this text: run its rules one by one (slower, same result).
        for (const rule of members) runRule(rule, ctx, out);
        continue;
      }
      for (const index of matched) runRule(members[index]!, ctx, out);
    }
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
    const sticky = rule.sticky();
    sticky.lastIndex = at - windowStart;
    const m = sticky.exec(window);
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
  const matches = text.match(rule.global());
  if (!matches) return;
  let cursor = 0;
  for (const value of matches) {
    if (!value) continue;
    if (rule.prefilter && !rule.prefilter(value)) continue;
    const found = locate(rule, text, value, cursor);
    if (!found) continue;
    cursor = found.at + value.length;
    const { m } = found;
    const g = rule.group ?? 0;
    const span = m ? m.indices?.[g] : [found.at, found.at + value.length];
    if (!span) continue;
    let [start, end] = span;
    let score = rule.score;
    let type = rule.type;
    if (rule.validate) {
      const candidate: Candidate = { value: m ? m[g]! : value, start, end, text, groups: m ?? [value], lineStart: ctx.lineStart };
      const verdict = rule.validate(candidate);
      if (verdict === false) continue;
      if (typeof verdict === 'number') score = verdict;
      else if (typeof verdict === 'object') {
        if (verdict.score !== undefined) score = verdict.score;
        if (verdict.start !== undefined) start = verdict.start;
        if (verdict.end !== undefined) end = verdict.end;
        if (verdict.type !== undefined) type = verdict.type;
      }
    }
    out.push({ type, start, end, score, detector: rule.detector });
  }
}
