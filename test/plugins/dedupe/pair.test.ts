// Pairing calls with their results, and grouping them into steps.
import { expect } from 'chai';
import { createRequestView, parseProtocolName, type JsonObject, type ToolEvent } from '../../../core/index.js';
import { StepComparer } from '../../../plugins/dedupe/compare.js';
import { trailingRun } from '../../../plugins/dedupe/detect.js';
import { pairToolEvents, TrailingSteps } from '../../../plugins/dedupe/pair.js';
import type { Step } from '../../../plugins/dedupe/types.js';

let turn = 0;
const call = (name: string, id?: string, args = '{}', t = turn): ToolEvent => ({ type: 'call', id, name, arguments: args, turn: t, path: [] });
const result = (text: string, callId?: string, name?: string, t = turn): ToolEvent => ({ type: 'result', callId, name, text, isError: false, turn: t, path: [] });

/** Each step as `name(args)=result` strings; `?` for a call without a result. */
const shape = (steps: readonly Step[]) => steps.map((s) => s.calls.map((p) => `${p.call.name}${p.call.arguments === '{}' ? '' : p.call.arguments}=${p.result?.text ?? '?'}`));

describe('dedupe: pairing calls with results', () => {
  beforeEach(() => { turn = 0; });

  it('pairs by id whatever order the results come in, and groups consecutive calls into one step', () => {
    const events = [call('a', 'c1'), call('b', 'c2'), call('c', 'c3'), result('rc', 'c3'), result('ra', 'c1'), result('rb', 'c2'), call('d', 'c4'), result('rd', 'c4')];
    expect(shape(pairToolEvents(events))).to.deep.equal([['a=ra', 'b=rb', 'c=rc'], ['d=rd']]);
  });

  it('pairs id-less results by name and order within the latest step (Gemini)', () => {
    const events = [call('read'), call('sh'), call('read'), result('r1', undefined, 'read'), result('s1', undefined, 'sh'), result('r2', undefined, 'read')];
    expect(shape(pairToolEvents(events))).to.deep.equal([['read=r1', 'sh=s1', 'read=r2']]);
    // Results listed in another order than the calls still go to the right tool.
    const reordered = [call('read'), call('sh'), result('s1', undefined, 'sh'), result('r1', undefined, 'read')];
    expect(shape(pairToolEvents(reordered))).to.deep.equal([['read=r1', 'sh=s1']]);
  });

  it('pairs a Gemini response whose id the call never had, by its name', () => {
    const events = [call('sh'), result('out', 'run_shell_command_1795340633261_0', 'sh')];
    expect(shape(pairToolEvents(events))).to.deep.equal([['sh=out']]);
  });

  it('leaves a result with an unknown id and no name unpaired (a compacted history), and its call open', () => {
    const events = [call('sh', 'toolu_1'), result('out', 'toolu_gone')];
    expect(shape(pairToolEvents(events))).to.deep.equal([['sh=?']]);
  });

  it('never pairs a result with a call of an earlier step by order', () => {
    const events = [call('sh', undefined, '{}', 0), call('sh', undefined, '{}', 2), result('late', undefined, 'sh', 3)];
    // Calls with no result between them are one step (a cancelled call leaves no result); the
    // result answers the first unanswered call of that step.
    expect(shape(pairToolEvents(events))).to.deep.equal([['sh=late', 'sh=?']]);
    const separated = [call('sh', undefined, '{}', 0), result('first', undefined, 'sh', 1), call('sh', undefined, '{}', 2), result('second', undefined, 'sh', 3), result('stray', undefined, 'sh', 3)];
    expect(shape(pairToolEvents(separated))).to.deep.equal([['sh=first'], ['sh=second']]);
    // A result is only ever paired within the step it follows, even by id.
    const late = [call('a', 'c1', '{}', 0), call('b', 'c2', '{}', 0), result('rb', 'c2', undefined, 1), call('d', 'c3', '{}', 2), result('rd', 'c3', undefined, 3), result('ra', 'c1', undefined, 3)];
    expect(shape(pairToolEvents(late))).to.deep.equal([['a=?', 'b=rb'], ['d=rd']]);
  });

  it('pairs ids that repeat in every turn with the call still waiting for them', () => {
    const events = [call('a', 'call_0'), result('r1', 'call_0'), call('a', 'call_0'), result('r2', 'call_0'), call('a', 'call_0'), result('r3', 'call_0')];
    expect(shape(pairToolEvents(events))).to.deep.equal([['a=r1'], ['a=r2'], ['a=r3']]);
  });

  it('leaves out events up to afterTurn', () => {
    const events = [call('a', 'x', '{}', 0), result('r', 'x', undefined, 1), call('b', 'y', '{}', 3), result('s', 'y', undefined, 4)];
    expect(shape(pairToolEvents(events, 1))).to.deep.equal([['b=s']]);
  });

  it('an unanswered call in the middle breaks a run', () => {
    const events: ToolEvent[] = [];
    for (let k = 0; k < 5; k++) {
      events.push(call('sh', `c${k}`, '{"cmd":"ls"}', 2 * k));
      if (k !== 2) events.push(result('a.txt', `c${k}`, undefined, 2 * k + 1));
    }
    // With no result between them, the calls of turns 4 and 6 form one step; it differs from the
    // last step, so the run is that last step alone (it would be 5 with every result there).
    expect(shape(pairToolEvents(events)).map((s) => s.length)).to.deep.equal([1, 1, 2, 1]);
    expect(trailingRun(new StepComparer(new TrailingSteps(events)))).to.equal(1);
  });
});

describe('dedupe: pairing over the protocol view', () => {
  it('Gemini: calls without ids, responses with client-made ids, parallel calls of one tool', () => {
    const body: JsonObject = {
      contents: [
        { role: 'user', parts: [{ text: 'read both' }] },
        { role: 'model', parts: [{ functionCall: { name: 'read_file', args: { path: 'a' } } }, { functionCall: { name: 'read_file', args: { path: 'b' } } }] },
        { role: 'user', parts: [
          { functionResponse: { id: 'read_file_1_0', name: 'read_file', response: { output: 'A' } } },
          { functionResponse: { id: 'read_file_1_1', name: 'read_file', response: { output: 'B' } } },
        ] },
      ],
    };
    const view = createRequestView(parseProtocolName('gemini.generate'), body);
    expect(shape(pairToolEvents(view.toolEvents()))).to.deep.equal([['read_file{"path":"a"}={"output":"A"}', 'read_file{"path":"b"}={"output":"B"}']]);
  });

  it('Responses: parallel function_call items form one step', () => {
    const body: JsonObject = {
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'go' }] },
        { type: 'function_call', name: 'sh', arguments: '{"cmd":"a"}', call_id: 'c1' },
        { type: 'function_call', name: 'sh', arguments: '{"cmd":"b"}', call_id: 'c2' },
        { type: 'function_call_output', call_id: 'c2', output: 'B' },
        { type: 'function_call_output', call_id: 'c1', output: 'A' },
        { type: 'function_call', name: 'sh', arguments: '{"cmd":"c"}', call_id: 'c3' },
        { type: 'function_call_output', call_id: 'c3', output: 'C' },
      ],
    };
    const view = createRequestView(parseProtocolName('openai.responses'), body);
    expect(shape(pairToolEvents(view.toolEvents()))).to.deep.equal([['sh{"cmd":"a"}=A', 'sh{"cmd":"b"}=B'], ['sh{"cmd":"c"}=C']]);
  });
});

describe('dedupe: reading steps from the end', () => {
  it('reads only as far back as asked', () => {
    const events: ToolEvent[] = [];
    for (let k = 0; k < 1000; k++) events.push(call('sh', `c${k}`, `{"k":${k}}`, 2 * k), result(`r${k}`, `c${k}`, undefined, 2 * k + 1));
    let reads = 0;
    const counted = new Proxy(events, { get(target, key, receiver) { if (typeof key === 'string' && /^\d+$/.test(key)) reads++; return Reflect.get(target, key, receiver); } });
    const steps = new TrailingSteps(counted);
    expect(steps.at(0)!.calls[0]!.result!.text).to.equal('r999');
    expect(steps.at(2)!.calls[0]!.call.arguments).to.equal('{"k":997}');
    expect(reads).to.be.below(50); // a few per step, not per event of the history
    expect(trailingRun(new StepComparer(new TrailingSteps(counted)))).to.equal(1);
    expect(reads).to.be.below(100);
  });

  it('stops at the last turn in which the human spoke, not at text beside tool results', () => {
    const body: JsonObject = {
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'sh', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'x' }] },
        { role: 'user', content: 'try again' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't2', name: 'sh', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't2', content: 'x' }, { type: 'text', text: '<system-reminder>todo list</system-reminder>' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't3', name: 'sh', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't3', content: 'x' }] },
      ],
    };
    const view = createRequestView(parseProtocolName('anthropic.messages'), body);
    const steps = new TrailingSteps(view.toolEvents(), view.userTextTurns());
    expect(shape(steps.all())).to.deep.equal([['sh=x'], ['sh=x']]);
  });
});
