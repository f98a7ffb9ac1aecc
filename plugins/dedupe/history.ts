// The agent's recent history, read from the conversation the client resends: the steps since the
// human last spoke, and what they add up to under the thresholds. Stateless by design — everything
// comes from the request, so any instance can judge any request.
import type { RequestView, Segment, ToolCallInfo, ToolEvent } from '../../core/index.js';
import { callSetKey, StepComparer } from './compare.js';
import { cycleFinding, findCycle, findFailureStreak, findRepeatedCall, periodicTail, trailingRun } from './detect.js';
import type { Thresholds } from './options.js';
import { pairToolEvents } from './pair.js';
import type { LoopFinding, LoopLevel, RatedFinding, Step } from './types.js';

/**
 * The last turn in which the user wrote something that is not a tool result, or -1. Loops are
 * looked for after it only: a human who steps in (after a warning, or after a blocked turn's
 * final message) starts a fresh history — else a blocked agent could never be talked out of it.
 */
export function lastHumanTurn(segments: readonly Segment[], events: readonly ToolEvent[]): number {
  let e = events.length - 1;
  for (let s = segments.length - 1; s >= 0; s--) {
    const seg = segments[s]!;
    if (seg.kind !== 'user') continue;
    while (e >= 0 && events[e]!.turn > seg.turn) e--;
    let carriesResult = false;
    for (let k = e; k >= 0 && events[k]!.turn === seg.turn && !carriesResult; k--) carriesResult = events[k]!.type === 'result';
    // A text part beside tool results (Claude Code's system reminders) is not the human speaking.
    if (!carriesResult) return seg.turn;
  }
  return -1;
}

export function rate(finding: LoopFinding, t: Thresholds): LoopLevel | undefined {
  const blockAt = finding.type === 'TOOL_CYCLE' ? t.cycleBlockAt : finding.type === 'TOOL_FAILURE_STREAK' ? t.failureBlockAt : t.blockAt;
  return finding.count >= blockAt ? 'block' : finding.count >= t.warnAt ? 'warn' : undefined;
}

export class LoopHistory {
  private readonly steps: StepComparer;

  constructor(steps: readonly Step[]) {
    this.steps = new StepComparer(steps);
  }

  /** Tool events in conversation order; `afterTurn` leaves out everything up to that turn. */
  static fromEvents(events: readonly ToolEvent[], afterTurn = -1): LoopHistory {
    return new LoopHistory(pairToolEvents(events, afterTurn));
  }

  /** The history since the human last spoke. */
  static fromView(view: RequestView): LoopHistory {
    const events = view.toolEvents();
    return LoopHistory.fromEvents(events, lastHumanTurn(view.segments(), events));
  }

  get stepCount(): number { return this.steps.length; }

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
    const n = this.steps.length;
    if (calls.length === 0 || n === 0) return [];
    const key = callSetKey(calls);
    const projected: LoopFinding[] = [];
    if (this.steps.answered(n - 1) && this.steps.callKey(n - 1) === key) {
      projected.push({ type: 'REPEATED_TOOL_CALL', count: trailingRun(this.steps) + 1, tools: this.steps.tools(n - 1) });
    }
    const tail = periodicTail(this.steps, t.maxPeriod);
    if (tail && this.steps.callKey(n - tail.period) === key) {
      projected.push(cycleFinding(this.steps, { period: tail.period, length: tail.length + 1 }));
    }
    return rated(projected, t).filter((f) => f.level === 'block');
  }
}

const SEVERITY: Record<LoopLevel, number> = { block: 2, warn: 1 };

function rated(findings: readonly LoopFinding[], t: Thresholds): RatedFinding[] {
  const out: RatedFinding[] = [];
  for (const f of findings) {
    const level = rate(f, t);
    if (level) out.push({ ...f, level });
  }
  return out.sort((a, b) => SEVERITY[b.level] - SEVERITY[a.level]);
}
