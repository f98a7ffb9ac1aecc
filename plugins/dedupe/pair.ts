// Pairs tool calls with their results and groups them into steps, for every protocol.
//
// Ids first: Chat, Responses and Anthropic always carry them, and so does Gemini CLI. Gemini calls
// from other clients often have none; their results name the tool and follow the calls they answer
// in order, so an id-less result answers the first unanswered call of that name in the latest step.
// Ids can repeat across turns (some models number calls call_0, call_1 … in every turn), so an id
// names the earliest call with that id that is still unanswered.
import type { ToolCallInfo, ToolEvent, ToolResultInfo } from '../../core/index.js';
import type { Step } from './types.js';

interface OpenPair { call: ToolCallInfo; result: ToolResultInfo | undefined }

/**
 * Steps in conversation order. A step is a maximal run of consecutive calls (one model turn's
 * calls: Chat, Anthropic and Gemini keep them in one message, Responses as consecutive items)
 * with the results that answer them. Events in turns up to `afterTurn` are left out.
 */
export function pairToolEvents(events: readonly ToolEvent[], afterTurn = -1): Step[] {
  const steps: { calls: OpenPair[] }[] = [];
  const unansweredById = new Map<string, OpenPair[]>();
  let lastWasCall = false;
  for (const event of events) {
    if (event.turn <= afterTurn) continue;
    if (event.type === 'call') {
      if (!lastWasCall || steps.length === 0) steps.push({ calls: [] });
      const pair: OpenPair = { call: event, result: undefined };
      steps[steps.length - 1]!.calls.push(pair);
      if (event.id !== undefined) {
        const queue = unansweredById.get(event.id);
        if (queue) queue.push(pair);
        else unansweredById.set(event.id, [pair]);
      }
      lastWasCall = true;
      continue;
    }
    lastWasCall = false;
    const pair = answeredCall(event, unansweredById, steps[steps.length - 1]);
    if (pair) pair.result = event;
  }
  return steps;
}

function answeredCall(result: ToolResultInfo, byId: Map<string, OpenPair[]>, latest: { calls: OpenPair[] } | undefined): OpenPair | undefined {
  if (result.callId !== undefined) {
    const queue = byId.get(result.callId);
    if (queue) {
      while (queue.length && queue[0]!.result !== undefined) queue.shift();
      const pair = queue.shift();
      if (pair) return pair;
    }
    // An id no call has is an orphan (a compacted history), unless the result also names its tool
    // (Gemini: the client may have given the response an id the model's call never had).
    if (result.name === undefined) return undefined;
  }
  if (!latest) return undefined;
  for (const pair of latest.calls) {
    if (pair.result === undefined && (result.name === undefined || pair.call.name === result.name)) return pair;
  }
  return undefined;
}

