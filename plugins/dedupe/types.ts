// What the loop detector finds. A finding says what repeats, how often, and how serious that is
// under the configured thresholds; the middleware turns the most serious one into a note or a block.
import type { ToolCallInfo, ToolResultInfo } from '../../core/index.js';

export type LoopType = 'REPEATED_TOOL_CALL' | 'TOOL_CYCLE' | 'TOOL_FAILURE_STREAK';

/** `warn`: add a note for the model; `block`: answer without calling the upstream. */
export type LoopLevel = 'warn' | 'block';

export interface LoopFinding {
  readonly type: LoopType;
  /**
   * REPEATED_TOOL_CALL: steps in the trailing run of identical steps; TOOL_CYCLE: complete
   * repetitions of the period; TOOL_FAILURE_STREAK: steps in the trailing streak.
   */
  readonly count: number;
  /** TOOL_CYCLE only: how many steps one repetition has (2..max_period). */
  readonly period?: number;
  /** The tools involved, in the order of the repeating step(s), each name once. */
  readonly tools: readonly string[];
}

export interface RatedFinding extends LoopFinding {
  readonly level: LoopLevel;
}

/** One tool call and the result that answers it (none when the history has no answer for it). */
export interface PairedCall {
  readonly call: ToolCallInfo;
  readonly result: ToolResultInfo | undefined;
}

/**
 * One step of the agent: the calls of one model turn (parallel calls together) with their results.
 * Loops are counted in steps, so five turns that each run the same two calls in parallel are five
 * repetitions, not ten.
 */
export interface Step {
  readonly calls: readonly PairedCall[];
}
