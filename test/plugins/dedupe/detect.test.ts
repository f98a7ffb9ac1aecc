// The three loop shapes on plain event lists: run lengths, periods, repetitions, and how they combine.
import { expect } from 'chai';
import type { ToolEvent } from '../../../core/index.js';
import { LoopHistory } from '../../../plugins/dedupe/history.js';
import { DEFAULTS, summary, thresholds } from './helpers.js';

/** Events for steps written as `tool(arg)=result`; `!` before the result marks an error result. */
function events(...steps: string[]): ToolEvent[] {
  const out: ToolEvent[] = [];
  steps.forEach((s, k) => {
    const m = /^(\w+)\(([^)]*)\)=(!?)(.*)$/.exec(s)!;
    const id = `c${k}`;
    out.push({ type: 'call', id, name: m[1]!, arguments: JSON.stringify({ arg: m[2] }), turn: 2 * k, path: [] });
    out.push({ type: 'result', callId: id, name: undefined, text: m[4]!, isError: m[3] === '!', turn: 2 * k + 1, path: [] });
  });
  return out;
}
const repeat = <T>(n: number, ...xs: T[]): T[] => Array.from({ length: n }, () => xs).flat();
const detect = (evs: ToolEvent[], maxPeriod = 5) => LoopHistory.fromEvents(evs).detect(maxPeriod).map((f) => `${f.type}:${f.count}${f.period ? `/${f.period}` : ''}`);

describe('dedupe: detection', () => {
  it('a run of identical steps is a repeated call, never also a cycle', () => {
    expect(detect(events('ls(a)=x', ...repeat(4, 'cat(f)=y')))).to.deep.equal(['REPEATED_TOOL_CALL:4']);
    expect(detect(events('cat(f)=y'))).to.deep.equal([]);
  });

  it('a cycle counts complete repetitions of its shortest period', () => {
    expect(detect(events(...repeat(3, 'a()=1', 'b()=2')))).to.deep.equal(['TOOL_CYCLE:3/2']);
    expect(detect(events(...repeat(2, 'a()=1', 'b()=2'), 'a()=1'))).to.deep.equal(['TOOL_CYCLE:2/2']);
    expect(detect(events('z()=0', ...repeat(2, 'a()=1', 'b()=2', 'c()=3')))).to.deep.equal(['TOOL_CYCLE:2/3']);
    // A B A C is no cycle; A B A B with the last B's result changed is not either.
    expect(detect(events('a()=1', 'b()=2', 'a()=1', 'c()=2'))).to.deep.equal([]);
    expect(detect(events('a()=1', 'b()=2', 'a()=1', 'b()=3'))).to.deep.equal([]);
  });

  it('a period inside the cycle (A A B A A B) is found at its full length', () => {
    expect(detect(events(...repeat(3, 'a()=1', 'a()=1', 'b()=2')))).to.deep.equal(['TOOL_CYCLE:3/3']);
  });

  it('looks for periods up to max_period only', () => {
    const six = repeat(3, 'a()=1', 'b()=2', 'c()=3', 'd()=4', 'e()=5', 'f()=6');
    expect(detect(events(...six), 5)).to.deep.equal([]);
    expect(detect(events(...six), 6)).to.deep.equal(['TOOL_CYCLE:3/6']);
  });

  it('the same call alternating between two results is a cycle of 2 (a toggle that gets nowhere)', () => {
    expect(detect(events(...repeat(3, 'flip()=on', 'flip()=off')))).to.deep.equal(['TOOL_CYCLE:3/2']);
  });

  it('the error flag is part of the result', () => {
    expect(detect(events('cat(f)=nope', 'cat(f)=!nope', 'cat(f)=nope'))).to.deep.equal([]);
  });

  it('a failing call repeated is both a repeated call and a failure streak; the most serious comes first', () => {
    const history = LoopHistory.fromEvents(events(...repeat(5, 'sh(x)=!boom')));
    expect(summary(history.findings(DEFAULTS))).to.deep.equal(['REPEATED_TOOL_CALL:block:5', 'TOOL_FAILURE_STREAK:warn:5']);
    expect(summary(history.findings(thresholds({ block_at: 9, failures: { block_at: 4 } })))).to.deep.equal(['TOOL_FAILURE_STREAK:block:5', 'REPEATED_TOOL_CALL:warn:5']);
  });

  it('a failure streak is one tool: another tool failing the same way ends it', () => {
    expect(detect(events('sh(1)=!denied', 'sh(2)=!denied', 'py(3)=!denied', 'sh(4)=!denied'))).to.deep.equal([]);
    expect(detect(events('py(3)=!denied', 'sh(1)=!denied', 'sh(2)=!denied'))).to.deep.equal(['TOOL_FAILURE_STREAK:2']);
  });

  it('reports counts below warn_at from detect, and only rated ones from findings', () => {
    const history = LoopHistory.fromEvents(events(...repeat(2, 'cat(f)=y')));
    expect(history.detect(5).map((f) => f.count)).to.deep.equal([2]);
    expect(history.findings(DEFAULTS)).to.deep.equal([]);
  });

});
