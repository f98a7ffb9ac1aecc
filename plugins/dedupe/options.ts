// The loop detector's options (the `with:` block of `use: dedupe`), and the thresholds they resolve
// to. Counts are in steps (one model turn's calls); cycles count repetitions of their period.
import { compileGlob, z, type GlobMatcher } from '../../core/index.js';

/** Below 2 nothing repeats; the top keeps a typo (block_at: 5000) from silently disabling blocking. */
const count = z.number().int().min(2).max(1000);

export const dedupeOptions = z.strictObject({
  mode: z.enum(['monitor', 'enforce']).default('enforce')
    .describe('enforce: add the note at warn_at and stop the loop at block_at; monitor: only record findings.'),
  warn_at: count.default(3).describe('A note for the model when the history ends in this many identical steps.'),
  block_at: count.default(5).describe('Answer without calling the upstream when the history ends in this many identical steps.'),
  block_with: z.enum(['message', 'error']).default('message')
    .describe('message: a final assistant turn the client shows; error: a 4xx in the client\'s error envelope.'),
  cycles: z.strictObject({
    max_period: z.number().int().min(2).max(10).default(5)
      .describe('Longest sequence of steps looked for as a repeating cycle (A B A B … up to this many steps).'),
    block_at: count.optional().describe('Repetitions of a cycle that block (default: block_at). warn_at applies too.'),
  }).prefault({}),
  failures: z.strictObject({
    // No schema default: a default of a plain 6 refused `warn_at: 6` (or more) over an option the
    // user never set. thresholdsOf resolves it.
    block_at: count.optional().describe('Trailing steps in which one tool failed with the same error that block (default: 6, or warn_at + 1 when warn_at is 6 or more). warn_at applies too.'),
  }).prefault({}),
  exempt_tools: z.array(z.string().min(1)).default([])
    .describe('Tools (names or * globs) expected to repeat — a sleep, a status poll: identical calls to them are no loop (failure streaks still count).'),
  inspect_response: z.boolean().default(false)
    .describe('Record when a response\'s tool calls would make the trailing run reach block_at (the stream is not held back).'),
}).superRefine((o, ctx) => {
  const above = (value: number | undefined, path: (string | number)[], name: string) => {
    if (value !== undefined && value <= o.warn_at) {
      ctx.addIssue({ code: 'custom', path, input: value, message: `expected ${name} above warn_at (${o.warn_at}), got ${value}` });
    }
  };
  above(o.block_at, ['block_at'], 'block_at');
  above(o.cycles.block_at, ['cycles', 'block_at'], 'cycles.block_at');
  above(o.failures.block_at, ['failures', 'block_at'], 'failures.block_at');
});

export type DedupeOptions = z.output<typeof dedupeOptions>;

/** What detection compares against, resolved once at start-up. */
export interface Thresholds {
  readonly warnAt: number;
  readonly blockAt: number;
  readonly cycleBlockAt: number;
  readonly failureBlockAt: number;
  readonly maxPeriod: number;
  /** Set when `exempt_tools` names any: whether repeats of that tool are expected (a poll). */
  readonly exempt?: GlobMatcher;
}

/** The failure streak's block threshold when not set: 6, kept above warn_at. */
export function defaultFailureBlockAt(warnAt: number): number {
  return Math.max(6, warnAt + 1);
}

export function thresholdsOf(options: DedupeOptions): Thresholds {
  return {
    warnAt: options.warn_at,
    blockAt: options.block_at,
    cycleBlockAt: options.cycles.block_at ?? options.block_at,
    failureBlockAt: options.failures.block_at ?? defaultFailureBlockAt(options.warn_at),
    maxPeriod: options.cycles.max_period,
    ...(options.exempt_tools.length ? { exempt: anyOf(options.exempt_tools.map(compileGlob)) } : {}),
  };
}

function anyOf(matchers: readonly GlobMatcher[]): GlobMatcher {
  return (name) => matchers.some((m) => m(name));
}
