// The loop detector over conversations built the way Claude Code, Codex, Gemini CLI and an OpenAI
// SDK agent build them: loops noted at warn_at and stopped at block_at, cycles of period 2 and 3,
// failure streaks, canonical arguments, and the cases that must never be flagged.
import { expect } from 'chai';
import { createResponseView, type JsonObject } from '../../../core/index.js';
import { buildRequest, CLIENTS, responseWithCalls, shellCall, shellOutput, type ClientName, type Script, type ScriptStep, type ToolStep } from './clients.js';
import { DEFAULTS, findingsOf, historyOf, summary, thresholds } from './helpers.js';

/** `pytest -q` passing with nothing changed: only the duration differs from run to run. */
const pytestPass = (k: number) => `...                                                                      [100%]\n3 passed in 0.${10 + k}s`;

function steps(client: ClientName, n: number, step: (k: number) => { command: string; output: string; exitCode?: number }): ScriptStep[] {
  return Array.from({ length: n }, (_, k) => {
    const s = step(k);
    return { calls: [shellCall(client, s.command)], results: [shellOutput(client, s.output, s.exitCode)] };
  });
}

const script = (stepsList: ScriptStep[]): Script => ({ prompt: 'Make the tests pass.', steps: stepsList });

for (const client of CLIENTS) {
  describe(`dedupe over ${client} conversations`, () => {
    const rerunTests = (n: number) => steps(client, n, (k) => ({ command: 'pytest -q tests/test_api.py', output: pytestPass(k) }));

    it('notes a loop at warn_at and stops it at block_at, though every output carries fresh volatile parts', () => {
      const seen = [1, 2, 3, 4, 5, 6].map((n) => summary(findingsOf(buildRequest(client, script(rerunTests(n))))));
      expect(seen).to.deep.equal([
        [], [],
        ['REPEATED_TOOL_CALL:warn:3'], ['REPEATED_TOOL_CALL:warn:4'],
        ['REPEATED_TOOL_CALL:block:5'], ['REPEATED_TOOL_CALL:block:6'],
      ]);
    });

    it('names the tool in the finding', () => {
      const [finding] = findingsOf(buildRequest(client, script(rerunTests(5))));
      expect(finding!.tools).to.deep.equal([shellCall(client, 'x').name]);
    });

    it('follows the thresholds it is given', () => {
      const request = buildRequest(client, script(rerunTests(4)));
      expect(summary(findingsOf(request, thresholds({ warn_at: 2, block_at: 4 })))).to.deep.equal(['REPEATED_TOOL_CALL:block:4']);
      expect(summary(findingsOf(request, thresholds({ warn_at: 5, block_at: 8 })))).to.deep.equal([]);
    });

    it('finds a cycle of period 2: noted at 3 repetitions, stopped at 5', () => {
      const ab = (reps: number) => steps(client, 2 * reps, (k) => (k % 2 === 0
        ? { command: 'cat config/app.yaml', output: 'port: 8080\nlog_level: info' }
        : { command: 'curl -s localhost:8080/health', output: '{"status":"starting","checked_at":"2026-11-22T10:00:0' + (k % 10) + 'Z"}' }));
      expect(summary(findingsOf(buildRequest(client, script(ab(2)))))).to.deep.equal([]);
      expect(summary(findingsOf(buildRequest(client, script(ab(3)))))).to.deep.equal(['TOOL_CYCLE:warn:3/2']);
      const blocked = findingsOf(buildRequest(client, script(ab(5))));
      expect(summary(blocked)).to.deep.equal(['TOOL_CYCLE:block:5/2']);
      expect(blocked[0]!.tools).to.deep.equal([shellCall(client, 'x').name]);
    });

    it('finds a cycle of period 3, also when the history stops part-way through a repetition', () => {
      const files = ['src/a.ts', 'src/b.ts', 'src/c.ts'];
      const abc = (n: number) => steps(client, n, (k) => ({ command: `cat ${files[k % 3]}`, output: `export const ${'abc'[k % 3]} = ${k % 3};` }));
      expect(summary(findingsOf(buildRequest(client, script(abc(9)))))).to.deep.equal(['TOOL_CYCLE:warn:3/3']);
      expect(summary(findingsOf(buildRequest(client, script(abc(11)))))).to.deep.equal(['TOOL_CYCLE:warn:3/3']);
      expect(summary(findingsOf(buildRequest(client, script(abc(15)))))).to.deep.equal(['TOOL_CYCLE:block:5/3']);
    });

    it('finds a tool failing the same way with different arguments: noted at warn_at, stopped at failures.block_at', () => {
      const traceback = 'Traceback (most recent call last):\n  File "<string>", line 1, in <module>\nModuleNotFoundError: No module named \'django\'';
      const failing = (n: number) => steps(client, n, (k) => ({ command: `python -c "import django; print(${k})"`, output: traceback, exitCode: 1 }));
      expect(summary(findingsOf(buildRequest(client, script(failing(2)))))).to.deep.equal([]);
      expect(summary(findingsOf(buildRequest(client, script(failing(3)))))).to.deep.equal(['TOOL_FAILURE_STREAK:warn:3']);
      expect(summary(findingsOf(buildRequest(client, script(failing(5)))))).to.deep.equal(['TOOL_FAILURE_STREAK:warn:5']);
      expect(summary(findingsOf(buildRequest(client, script(failing(6)))))).to.deep.equal(['TOOL_FAILURE_STREAK:block:6']);
    });

    it('does not count different errors, or a success in between, as a streak', () => {
      const errors = steps(client, 8, (k) => ({ command: `cat missing${k}.txt`, output: `cat: missing${k}.txt: No such file or directory`, exitCode: 1 }));
      expect(findingsOf(buildRequest(client, script(errors)))).to.deep.equal([]);
      const broken = steps(client, 8, (k) => (k === 4
        ? { command: 'pip install django', output: 'Successfully installed django-5.1' }
        : { command: `python -c "import django; print(${k})"`, output: 'ModuleNotFoundError: No module named \'django\'', exitCode: 1 }));
      expect(summary(findingsOf(buildRequest(client, script(broken))))).to.deep.equal(['TOOL_FAILURE_STREAK:warn:3']);
    });

    it('never flags the same tool with different arguments', () => {
      const reads = steps(client, 40, (k) => ({ command: `sed -n '1,200p' src/module${k}.ts`, output: 'export {};\n' }));
      expect(findingsOf(buildRequest(client, script(reads)))).to.deep.equal([]);
    });

    it('never flags the same arguments with different results (a job whose status changes)', () => {
      const polls = steps(client, 12, (k) => ({ command: 'gh run view 4242 --json status,jobs', output: `{"status":"in_progress","completed_jobs":${k},"total_jobs":12}` }));
      expect(findingsOf(buildRequest(client, script(polls)))).to.deep.equal([]);
    });

    it('canonicalises arguments: key order, whitespace and number spelling do not make calls different', () => {
      const n = 5;
      const request = buildRequest(client, script(rerunTests(n).map((s, k) => {
        if (!('calls' in s)) return s;
        const args = s.calls[0]!.args;
        // Every other turn sends the same arguments with the keys the other way round.
        const reversed: JsonObject = {};
        for (const key of Object.keys(args).reverse()) reversed[key] = args[key]!;
        return { ...s, calls: [{ ...s.calls[0]!, args: k % 2 ? reversed : args }] };
      })));
      respaceArguments(request.body);
      const spellings = new Set(argumentSpellings(request.body));
      if (client === 'openai-chat' || client === 'codex') expect(spellings.size).to.equal(2);
      expect(summary(findingsOf(request))).to.deep.equal(['REPEATED_TOOL_CALL:block:5']);
    });

    it('starts afresh after the human speaks (after a warning, or after a blocked turn)', () => {
      const run = rerunTests(5);
      const afterHuman = [...run.slice(0, 4), { user: 'Stop re-running the tests; look at the fixture instead.' }, ...rerunTests(2)];
      expect(findingsOf(buildRequest(client, script(afterHuman)))).to.deep.equal([]);
      const afterBlock = [...run, { user: 'ok, carry on' }, ...rerunTests(3)];
      expect(summary(findingsOf(buildRequest(client, script(afterBlock))))).to.deep.equal(['REPEATED_TOOL_CALL:warn:3']);
      // A request that ends with the human's message has no trailing loop at all.
      expect(findingsOf(buildRequest(client, script([...run, { user: 'why?' }])))).to.deep.equal([]);
    });

    it('counts a turn of parallel calls as one step, whatever order the calls come in', () => {
      const both = (k: number): ScriptStep => {
        const calls = [shellCall(client, 'cat a.txt'), shellCall(client, 'cat b.txt')];
        const results = [shellOutput(client, 'alpha'), shellOutput(client, 'beta')];
        return k % 2 ? { calls: calls.reverse(), results: results.reverse() } : { calls, results };
      };
      const request = buildRequest(client, script(Array.from({ length: 5 }, (_, k) => both(k))));
      const findings = findingsOf(request);
      expect(summary(findings)).to.deep.equal(['REPEATED_TOOL_CALL:block:5']);
      expect(findings[0]!.tools).to.deep.equal([shellCall(client, 'x').name]);
      // One result of the pair changing breaks the run.
      const changed = script([...Array.from({ length: 4 }, (_, k) => both(k)), {
        calls: [shellCall(client, 'cat a.txt'), shellCall(client, 'cat b.txt')],
        results: [shellOutput(client, 'alpha'), shellOutput(client, 'beta, edited')],
      }]);
      expect(findingsOf(buildRequest(client, changed))).to.deep.equal([]);
    });

    it('finds the loop when call ids repeat in every turn (models that number calls call_0, call_1 …)', () => {
      const request = buildRequest(client, script(rerunTests(5)), { callId: (_s, i) => `call_${i}` });
      expect(summary(findingsOf(request))).to.deep.equal(['REPEATED_TOOL_CALL:block:5']);
    });

    it('inspect_response: flags a new call that would make the trailing run reach block_at', () => {
      const pytest = shellCall(client, 'pytest -q tests/test_api.py');
      const newCalls = (calls = [pytest]) => {
        const response = responseWithCalls(client, calls);
        return createResponseView(response.protocol, response.body).toolCalls();
      };
      const four = historyOf(buildRequest(client, script(rerunTests(4))));
      expect(summary(four.projectNewCalls(newCalls(), DEFAULTS))).to.deep.equal(['REPEATED_TOOL_CALL:block:5']);
      expect(four.projectNewCalls(newCalls([shellCall(client, 'pytest -q tests/test_db.py')]), DEFAULTS)).to.deep.equal([]);
      const three = historyOf(buildRequest(client, script(rerunTests(3))));
      expect(three.projectNewCalls(newCalls(), DEFAULTS)).to.deep.equal([]);
      // The next step of a cycle at its fourth repetition makes the fifth.
      const ab = steps(client, 9, (k) => (k % 2 === 0 ? { command: 'cat a', output: 'a' } : { command: 'cat b', output: 'b' }));
      const cycling = historyOf(buildRequest(client, script(ab)));
      expect(summary(cycling.projectNewCalls(newCalls([shellCall(client, 'cat b')]), DEFAULTS))).to.deep.equal(['TOOL_CYCLE:block:5/2']);
      expect(cycling.projectNewCalls(newCalls([shellCall(client, 'cat a')]), DEFAULTS)).to.deep.equal([]);
    });
  });
}

describe('dedupe over Gemini conversations without call ids', () => {
  it('pairs responses to calls by order and name, parallel calls included', () => {
    const step = (k: number): ToolStep => ({
      calls: [{ name: 'read_file', args: { path: 'a.txt' } }, { name: 'run_shell_command', args: { command: 'date' } }, { name: 'read_file', args: { path: 'b.txt' } }],
      results: [{ output: 'alpha' }, { output: `Output: Sun Nov 22 10:00:0${k} UTC 2026\nProcess Group PGID: ${4000 + k}` }, { output: 'beta' }],
    });
    const request = buildRequest('gemini-cli', script(Array.from({ length: 5 }, (_, k) => step(k))), { geminiIds: false });
    expect(summary(findingsOf(request))).to.deep.equal(['REPEATED_TOOL_CALL:block:5']);
    // Swapping the two read_file results in the last turn changes what each call returned.
    const swapped = buildRequest('gemini-cli', script([...Array.from({ length: 4 }, (_, k) => step(k)), {
      calls: step(4).calls,
      results: [{ output: 'beta' }, step(4).results[1]!, { output: 'alpha' }],
    }]), { geminiIds: false });
    expect(findingsOf(swapped)).to.deep.equal([]);
  });
});

/** Chat and Responses carry arguments as JSON text: respell every other one with spaces and 10000.0. */
function respaceArguments(body: JsonObject): void {
  let k = 0;
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) { v.forEach(visit); return; }
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o['arguments'] === 'string' && (o['type'] === 'function_call' || 'name' in o)) {
      if (k++ % 2) o['arguments'] = JSON.stringify(JSON.parse(o['arguments'] as string), null, 2).replace('10000', '10000.0');
    }
    for (const value of Object.values(o)) visit(value);
  };
  visit(body);
}

/** The raw arguments text of every call in a Chat or Responses body. */
function argumentSpellings(body: JsonObject): string[] {
  const out: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) { v.forEach(visit); return; }
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o['arguments'] === 'string') out.push(o['arguments'] as string);
    for (const value of Object.values(o)) visit(value);
  };
  visit(body);
  return out;
}
