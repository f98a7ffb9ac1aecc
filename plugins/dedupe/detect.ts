// The three loop shapes, each read backwards from the end of the history (step 0 is the last) and
// stopped at the first step that breaks it. Counts only: thresholds are applied by the caller.
import type { StepComparer } from './compare.js';
import type { LoopFinding } from './types.js';

/** Steps at the end that equal the last one (1 for a history that ends in a new step; 0 if empty or open). */
export function trailingRun(steps: StepComparer): number {
  if (!steps.has(0) || !steps.answered(0)) return 0;
  let run = 1;
  while (steps.has(run) && steps.same(0, run)) run++;
  return run;
}

/** REPEATED_TOOL_CALL: the history ends in two or more identical steps (calls and results). */
export function findRepeatedCall(steps: StepComparer): LoopFinding | undefined {
  const run = trailingRun(steps);
  if (run < 2) return undefined;
  return { type: 'REPEATED_TOOL_CALL', count: run, tools: steps.tools(0) };
}

export interface PeriodicTail {
  /** Steps in one repetition. */
  readonly period: number;
  /** Steps at the end that follow the period (complete repetitions and a partial one). */
  readonly length: number;
}

/**
 * The longest periodic tail with a period of 2..maxPeriod steps that repeats at least twice, the
 * shorter period on a tie. A period made of a shorter one (A A, A B A B) is not a period of its
 * own: A A A A is a repeated call, A B A B A B a cycle of 2.
 */
export function periodicTail(steps: StepComparer, maxPeriod: number): PeriodicTail | undefined {
  let best: PeriodicTail | undefined;
  for (let p = 2; p <= maxPeriod && steps.has(2 * p - 1); p++) {
    // Primitivity looks at the last p steps only: checked first, so a long run of one repeated step
    // (A A A …, not a period of 2..5) is not walked once per period.
    if (!isPrimitive(steps, p)) continue;
    let matched = 0;
    while (steps.has(matched + p) && steps.same(matched, matched + p)) matched++;
    const length = matched + p;
    if (length < 2 * p) continue;
    if (!best || length > best.length) best = { period: p, length };
  }
  return best;
}

/** No shorter period q (dividing p) repeats within the last p steps. */
function isPrimitive(steps: StepComparer, p: number): boolean {
  for (let q = 1; q < p; q++) {
    if (p % q !== 0) continue;
    let repeats = true;
    for (let k = 0; k + q < p && repeats; k++) repeats = steps.same(k, k + q);
    if (repeats) return false;
  }
  return true;
}

/** TOOL_CYCLE: the same sequence of 2..maxPeriod steps repeats at the end; count = repetitions. */
export function findCycle(steps: StepComparer, maxPeriod: number): LoopFinding | undefined {
  const tail = periodicTail(steps, maxPeriod);
  return tail && cycleFinding(steps, tail);
}

export function cycleFinding(steps: StepComparer, tail: PeriodicTail): LoopFinding {
  const tools: string[] = [];
  for (let k = tail.period - 1; k >= 0; k--) {
    for (const name of steps.tools(k)) if (!tools.includes(name)) tools.push(name);
  }
  return { type: 'TOOL_CYCLE', count: Math.floor(tail.length / tail.period), period: tail.period, tools };
}

/**
 * TOOL_FAILURE_STREAK: the history ends in two or more steps in which one tool failed with the
 * same (normalised) error, whatever the arguments were.
 */
export function findFailureStreak(steps: StepComparer): LoopFinding | undefined {
  if (!steps.has(0)) return undefined;
  const key = steps.failureKey(0);
  if (key === undefined) return undefined;
  let count = 1;
  while (steps.has(count) && steps.failureKey(count) === key) count++;
  if (count < 2) return undefined;
  return { type: 'TOOL_FAILURE_STREAK', count, tools: steps.tools(0) };
}
