// The agent's recent history, read from the conversation the client resends: the steps since the
// human last spoke, and what they add up to under the thresholds. Stateless by design — everything
// comes from the request, so any instance can judge any request.
import type { RequestView, ToolCallInfo, ToolEvent } from '../../core/index.js';
import { callSetKey, StepComparer } from './compare.js';
import { cycleFinding, findCycle, findFailureStreak, findRepeatedCall, periodicTail, trailingRun } from './detect.js';
import type { Thresholds } from './options.js';
import { TrailingSteps, type StepSource } from './pair.js';
import type { LoopFinding, LoopLevel, RatedFinding } from './types.js';

export function rate(finding: LoopFinding, t: Thresholds): LoopLevel | undefined {
  const blockAt = finding.type === 'TOOL_CYCLE' ? t.cycleBlockAt : finding.type === 'TOOL_FAILURE_STREAK' ? t.failureBlockAt : t.blockAt;
  return finding.count >= blockAt ? 'block' : finding.count >= t.warnAt ? 'warn' : undefined;
}

export class LoopHistory {
  private readonly steps: StepComparer;

  constructor(source: StepSource) {
    this.steps = new StepComparer(source);
  }

  /** Tool events in conversation order; `afterTurn` leaves out everything up to that turn. */
  static fromEvents(events: readonly ToolEvent[], afterTurn = -1): LoopHistory {
    return new LoopHistory(new TrailingSteps(events, [], afterTurn));
  }

  /**
   * The history since the human last spoke (pair.ts says why). Reads the view's tool history and
   * user turns only: no text segments are built, and tool calls and results are canonicalised only
   * as far back as detection reads.
   */
  static fromView(view: RequestView): LoopHistory {
    return new LoopHistory(new TrailingSteps(view.toolEvents(), view.userTextTurns()));
  }

  /** Every loop the history ends in, whatever its count (2 and up). */
  detect(maxPeriod: number): LoopFinding[] {
    const out: LoopFinding[] = [];
    const repeated = findRepeatedCall(this.steps);
    if (repeated) out.push(repeated);
    const cycle = findCycle(this.steps, maxPeriod);
    if (cycle) out.push(cycle);
    const failures = findFailureStreak(this.steps);
    if (failures) out.push(failures);
    return out;
  }

  /** The loops that reach warn_at or a block threshold, most serious first. */
  findings(t: Thresholds): RatedFinding[] {
    return rated(this.detect(t.maxPeriod), t);
  }

  /**
   * What the model's new calls (a response's tool calls, one step) would make of the history if
   * their results were the same again: the findings that would then reach a block threshold. For
   * recording only — the calls are already on their way to the client.
   */
  projectNewCalls(calls: readonly ToolCallInfo[], t: Thresholds): RatedFinding[] {
    if (calls.length === 0 || !this.steps.has(0)) return [];
    const key = callSetKey(calls);
    const projected: LoopFinding[] = [];
    if (this.steps.answered(0) && this.steps.callKey(0) === key) {
      projected.push({ type: 'REPEATED_TOOL_CALL', count: trailingRun(this.steps) + 1, tools: this.steps.tools(0) });
    }
    // The new step continues a cycle when it makes the call the cycle made one period ago.
    const tail = periodicTail(this.steps, t.maxPeriod);
    if (tail && this.steps.callKey(tail.period - 1) === key) {
      projected.push(cycleFinding(this.steps, { period: tail.period, length: tail.length + 1 }));
    }
    return rated(projected, t).filter((f) => f.level === 'block');
  }
}

const SEVERITY: Record<LoopLevel, number> = { block: 2, warn: 1 };

/**
 * A poll repeats by design (`sleep`, a job's status): a run or cycle made only of calls to
 * `exempt_tools` is no loop. A failure streak still is — a poll that fails the same way every time
 * is broken, not waiting.
 */
function expected(f: LoopFinding, t: Thresholds): boolean {
  const exempt = t.exempt;
  return exempt !== undefined && f.type !== 'TOOL_FAILURE_STREAK' && f.tools.every((name) => exempt(name));
}

function rated(findings: readonly LoopFinding[], t: Thresholds): RatedFinding[] {
  const out: RatedFinding[] = [];
  for (const f of findings) {
    if (expected(f, t)) continue;
    const level = rate(f, t);
    if (level) out.push({ ...f, level });
  }
  return out.sort((a, b) => SEVERITY[b.level] - SEVERITY[a.level]);
}
