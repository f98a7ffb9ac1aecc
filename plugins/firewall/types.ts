// The detection engine's public types.

/** One detected entity. Offsets are UTF-16 string indexes into the scanned text, end exclusive. */
export interface Finding {
  /** Entity type, e.g. EMAIL_ADDRESS, CREDIT_CARD, OPENAI_API_KEY (Presidio's names where one exists). */
  type: string;
  start: number;
  end: number;
  /** Confidence from 0 to 1. */
  score: number;
  /** Which detector produced it: 'secrets' | 'pii' | 'custom' | 'presidio'. */
  detector: string;
}

/** What a validator says about a regex match: reject, accept, or accept with a new score, span and/or type (one of the rule's `types`). */
export type Verdict = boolean | number | { score?: number; start?: number; end?: number; type?: string };

/** A regex match handed to a validator. `value` is the finding's text (the capture group when one is set). */
export interface Candidate {
  value: string;
  start: number;
  end: number;
  /** The whole text being scanned (for context checks around the match). */
  text: string;
  /** Capture groups of the match (index 0 is the whole match). */
  groups: ReadonlyArray<string | undefined>;
  /**
   * Where the line holding position `at` starts (`text.lastIndexOf('\n', at) + 1`), remembered from
   * the previous call on this text: a long line with many matches would otherwise be read back to its
   * start once per match.
   */
  lineStart(at: number): number;
}

/** A detection rule: an RE2 pattern plus cheap gates that decide whether it needs to run at all. */
export interface RuleSpec {
  type: string;
  /** Every type the validator may report (a rule that tells several providers apart); default `[type]`. */
  types?: readonly string[];
  /** RE2 syntax. Compiled once at start-up. */
  pattern: string;
  score: number;
  /** Case-sensitive literal prefixes of the token (stripped before the placeholder/entropy test). */
  literals?: readonly string[];
  /**
   * What the engine's single RE2.Set pass looks for to decide whether this rule runs (default: the
   * pattern). A broad pattern with a counter and no literal (`[A-Za-z0-9+/]{32,}`) multiplies the
   * combined DFA's states until its cache thrashes on key-dense text; such a rule is triggered by
   * the words it needs nearby instead.
   */
  trigger?: string;
  /** Lower-case words: the pattern runs only when one occurs in the lower-cased text. */
  keywords?: readonly string[];
  /** Capture group whose span is the finding (default: the whole match). */
  group?: number;
  /** The validator reads capture groups other than the finding's (costs an extra exec per match). */
  needsGroups?: boolean;
  /** Cheap test on the whole matched string, run before the match is located (saves a regex exec per rejected match). */
  prefilter?: (match: string) => boolean;
  /** Extra checks on the candidate (checksum, placeholder, context). */
  validate?: (candidate: Candidate) => Verdict;
}
