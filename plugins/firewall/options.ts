// The firewall's detection options (the `with:` block of `use: firewall`). Every pattern must
// compile with RE2 here, at option-parse time, so a bad pattern is a start-up error naming it.
import RE2 from 're2';
import { t, type Infer } from '../../core/index.js';

function compilesWithRe2(pattern: string): boolean {
  try {
    new RE2(pattern);
    return true;
  } catch {
    return false;
  }
}

const re2Pattern = t.refine(t.string({ minLength: 1 }), 'a regular expression RE2 can compile (no look-around, no back-references)', compilesWithRe2);
const score = t.number({ min: 0, max: 1 });

const entitySetting = t.union(
  t.boolean(),
  t.object({ enabled: t.default(t.boolean(), true), min_score: t.optional(score) }),
);

export const customPatternSchema = t.object({
  /** Names the pattern in errors and is the default entity type. */
  name: t.string({ minLength: 1 }),
  /** Entity type reported (default: the name, upper-cased). */
  type: t.optional(t.string({ minLength: 1 })),
  pattern: re2Pattern,
  score: t.default(score, 0.8),
  /** Only report a match when one of these words (case-insensitive) is near it. */
  keywords: t.optional(t.array(t.string({ minLength: 1 }))),
  /** Capture group that is the finding (default 0: the whole match). */
  group: t.optional(t.number({ min: 0, integer: true })),
});

export const presidioSchema = t.object({
  /** Base URL of presidio-analyzer, e.g. http://127.0.0.1:5002 */
  url: t.string({ minLength: 1 }),
  language: t.default(t.string({ minLength: 2 }), 'en'),
  /** Entity types to ask for (default: all the analyzer supports). */
  entities: t.optional(t.array(t.string({ minLength: 1 }))),
  score_threshold: t.default(score, 0.5),
  timeout_ms: t.default(t.number({ min: 1, max: 60000, integer: true }), 500),
  /** What a failed or slow sidecar call means: carry on with built-in findings, or block. */
  on_error: t.default(t.oneOf(['allow', 'block'] as const), 'allow'),
});

export const firewallOptions = t.object({
  secrets: t.object({ enabled: t.default(t.boolean(), true) }),
  pii: t.object({
    enabled: t.default(t.boolean(), true),
    /** Drop private, loopback, link-local, CGNAT, benchmarking and documentation IP ranges (default); false reports them at score 0.6. */
    ignore_private_ips: t.default(t.boolean(), true),
  }),
  /** Findings below this score are dropped. */
  min_score: t.default(score, 0.5),
  /** Per entity type: `false` to disable, or `{ enabled, min_score }`. */
  entities: t.default(t.record(entitySetting, { keyName: 'entity types' }), {}),
  custom: t.default(t.array(customPatternSchema), []),
  allowlist: t.object({
    /** Exact values never reported (e.g. a public test card, a support address). */
    values: t.default(t.array(t.string()), []),
    /** Patterns (RE2) a whole finding must match to be dropped. */
    patterns: t.default(t.array(re2Pattern), []),
  }),
  presidio: t.optional(presidioSchema),
});

export type FirewallOptions = Infer<typeof firewallOptions>;
export type CustomPattern = Infer<typeof customPatternSchema>;
export type PresidioOptions = Infer<typeof presidioSchema>;
