// Pairs tool calls with their results and groups them into steps, for every protocol — read from
// the end of the history and only as far back as detection asks, so a long history costs only its
// trailing steps.
//
// A step is a maximal run of consecutive calls (one model turn's calls: Chat, Anthropic and Gemini
// keep them in one message, Responses as consecutive items) and the run of results that follows
// it. Within a step, results pair with calls by id first (Chat, Responses, Anthropic always carry
// ids, and so does Gemini CLI); Gemini calls from other clients often have none, and their results
// name the tool and follow the calls in order, so an id-less result answers the first unanswered
// call of that name. Ids may repeat across turns (models that number calls call_0, call_1 … in
// every turn): pairing within a step makes that harmless. A result no call of its step answers is
// an orphan (a compacted history), and a call without a result leaves its step open.
import type { ToolCallInfo, ToolEvent, ToolResultInfo } from '../../core/index.js';
import type { Step } from './types.js';

interface OpenPair { call: ToolCallInfo; result: ToolResultInfo | undefined }

/** Steps counted from the end: `at(0)` is the last step, undefined past the start of the history. */
export interface StepSource {
  at(fromEnd: number): Step | undefined;
}

/**
 * Reads steps backwards from the end of `events`, on demand. The history starts after `afterTurn`,
 * and — when `userTurns` (the view's userTextTurns) are given — after the last turn in which the
 * user wrote something and no tool result sits: a human who steps in (after a warning, or after a blocked turn's final
 * message) starts a fresh history, else a blocked agent could never be talked out of its loop.
 */
export class TrailingSteps implements StepSource {
  private readonly steps: Step[] = [];
  private cursor: number;
  private userCursor: number;
  private readonly resultTurns = new Set<number>();
  private ended = false;

  constructor(private readonly events: readonly ToolEvent[], private readonly userTurns: readonly number[] = [], private readonly afterTurn = -1) {
    this.cursor = events.length - 1;
    this.userCursor = userTurns.length - 1;
  }

  at(fromEnd: number): Step | undefined {
    while (this.steps.length <= fromEnd && !this.ended) this.readStep();
    return this.steps[fromEnd];
  }

  /** Every step of the history, in conversation order. */
  all(): Step[] {
    while (!this.ended) this.readStep();
    return [...this.steps].reverse();
  }

  private readStep(): void {
    const events = this.events;
    const resultsEnd = this.cursor;
    while (this.cursor >= 0 && events[this.cursor]!.type === 'result') this.resultTurns.add(events[this.cursor--]!.turn);
    const callsEnd = this.cursor;
    while (this.cursor >= 0 && events[this.cursor]!.type === 'call') this.cursor--;
    if (callsEnd === this.cursor) { this.ended = true; return; } // results with no call before them
    const firstCallTurn = events[this.cursor + 1]!.turn;
    if (firstCallTurn <= this.afterTurn || this.humanSpokeAfter(firstCallTurn)) { this.ended = true; return; }
    this.steps.push(pairStep(events, this.cursor + 1, callsEnd, resultsEnd));
  }

  /** Whether user text after `turn` (not yet looked at) is the user speaking rather than a tool answering. */
  private humanSpokeAfter(turn: number): boolean {
    for (; this.userCursor >= 0; this.userCursor--) {
      const at = this.userTurns[this.userCursor]!;
      if (at <= turn) return false;
      // A text part beside tool results (Claude Code's system reminders) is not the human speaking.
      if (!this.resultTurns.has(at)) return true;
    }
    return false;
  }
}

/** Calls events[from..callsEnd] paired with results events[callsEnd+1..resultsEnd]. */
function pairStep(events: readonly ToolEvent[], from: number, callsEnd: number, resultsEnd: number): Step {
  const calls: OpenPair[] = [];
  for (let i = from; i <= callsEnd; i++) calls.push({ call: events[i] as ToolCallInfo, result: undefined });
  for (let i = callsEnd + 1; i <= resultsEnd; i++) {
    const result = events[i] as ToolResultInfo;
    const pair = answeredCall(result, calls);
    if (pair) pair.result = result;
  }
  return { calls };
}

function answeredCall(result: ToolResultInfo, calls: readonly OpenPair[]): OpenPair | undefined {
  if (result.callId !== undefined) {
    for (const pair of calls) if (pair.result === undefined && pair.call.id === result.callId) return pair;
    // An id no call has is an orphan, unless the result also names its tool (Gemini: the client
    // may have given the response an id the model's call never had).
    if (result.name === undefined) return undefined;
  }
  for (const pair of calls) {
    if (pair.result === undefined && (result.name === undefined || pair.call.name === result.name)) return pair;
  }
  return undefined;
}

/** Every step of `events` after `afterTurn`, in conversation order. */
export function pairToolEvents(events: readonly ToolEvent[], afterTurn = -1): Step[] {
  return new TrailingSteps(events, [], afterTurn).all();
}
