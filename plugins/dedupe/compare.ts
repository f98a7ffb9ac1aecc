// When two steps are the same: the same calls (tool name + canonical arguments, in any order within
// the step) with the same results (byte-equal, or equal once volatile parts are normalised). Steps
// are numbered from the end (0 is the last). Every key is computed on first use and kept:
// detection walks back from the end and stops at the first difference, so a long history costs
// only its trailing steps.
import type { ToolCallInfo, ToolResultInfo } from '../../core/index.js';
import { isFailure } from './failure.js';
import { normaliseResult } from './normalise.js';
import type { StepSource } from './pair.js';
import type { PairedCall, Step } from './types.js';

const FIELD = '\u0000';
const ITEM = '\u0001';

export function callKey(call: ToolCallInfo): string {
  // Trimmed: a freeform tool's input (Codex's apply_patch) is the raw text in the history's view but
  // trimmed by canonicalArguments when read from a stream, so the same patch made two keys and
  // inspect_response never saw a streamed repeat. Canonical JSON has nothing to trim.
  return call.name + FIELD + call.arguments.trim();
}

/** The key of a set of calls made together (order within a turn does not matter). */
export function callSetKey(calls: readonly ToolCallInfo[]): string {
  if (calls.length === 1) return callKey(calls[0]!);
  return calls.map(callKey).sort().join(ITEM);
}

export class StepComparer {
  private readonly callKeys: (string | undefined)[] = [];
  private readonly ordered: (readonly PairedCall[] | undefined)[] = [];
  private readonly failureKeys: (string | null | undefined)[] = [];
  private readonly normalised = new Map<ToolResultInfo, string>();

  constructor(private readonly source: StepSource) {}

  /** Whether the history has a step `i` steps before its last. */
  has(i: number): boolean {
    return this.source.at(i) !== undefined;
  }

  /** Whether every call of step `i` has its result. An open step equals no other step. */
  answered(i: number): boolean {
    for (const pair of this.step(i).calls) if (pair.result === undefined) return false;
    return true;
  }

  callKey(i: number): string {
    let key = this.callKeys[i];
    if (key === undefined) {
      const calls = this.pairs(i);
      key = calls.length === 1 ? callKey(calls[0]!.call) : calls.map((p) => callKey(p.call)).join(ITEM);
      this.callKeys[i] = key;
    }
    return key;
  }

  /** The same calls with the same results. */
  same(i: number, j: number): boolean {
    if (this.callKey(i) !== this.callKey(j) || !this.answered(i) || !this.answered(j)) return false;
    const a = this.pairs(i);
    const b = this.pairs(j);
    for (let k = 0; k < a.length; k++) if (!this.sameResult(a[k]!.result!, b[k]!.result!)) return false;
    return true;
  }

  sameResult(x: ToolResultInfo, y: ToolResultInfo): boolean {
    return x.isError === y.isError && (x.text === y.text || this.normalisedText(x) === this.normalisedText(y))
      && (x.attachments ?? '') === (y.attachments ?? '');
  }

  normalisedText(result: ToolResultInfo): string {
    let text = this.normalised.get(result);
    if (text === undefined) {
      text = normaliseResult(result.text);
      this.normalised.set(result, text);
    }
    return text;
  }

  /**
   * For failure streaks: the tool and its normalised error text when every call of step `i` failed
   * and all are calls of one tool; undefined otherwise. Arguments are not part of it: a model that
   * varies its arguments and hits the same error again is what a streak is.
   */
  failureKey(i: number): string | undefined {
    let key = this.failureKeys[i];
    if (key === undefined) {
      key = this.computeFailureKey(i) ?? null;
      this.failureKeys[i] = key;
    }
    return key ?? undefined;
  }

  /** The tools of step `i`, each name once, in call order. */
  tools(i: number): string[] {
    const names: string[] = [];
    for (const pair of this.step(i).calls) if (!names.includes(pair.call.name)) names.push(pair.call.name);
    return names;
  }

  private computeFailureKey(i: number): string | undefined {
    const calls = this.step(i).calls;
    if (calls.length === 0 || !this.answered(i)) return undefined;
    const name = calls[0]!.call.name;
    const texts: string[] = [];
    for (const pair of calls) {
      if (pair.call.name !== name || !isFailure(pair.result!)) return undefined;
      texts.push(this.normalisedText(pair.result!));
    }
    return name + FIELD + texts.sort().join(ITEM);
  }

  private step(i: number): Step {
    const step = this.source.at(i);
    if (!step) throw new RangeError(`no step ${i} before the last`);
    return step;
  }

  /** The step's calls sorted by call key (ties keep their order), so parallel calls compare as a set. */
  private pairs(i: number): readonly PairedCall[] {
    let pairs = this.ordered[i];
    if (pairs === undefined) {
      const calls = this.step(i).calls;
      pairs = calls.length < 2 ? calls : [...calls].sort((a, b) => compareStrings(callKey(a.call), callKey(b.call)));
      this.ordered[i] = pairs;
    }
    return pairs;
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
