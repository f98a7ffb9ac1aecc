// What counts as a failed tool result, the same in every protocol (README "What counts as a
// failure"): a search that finds nothing (exit 1, no output) is an answer, so six of them with
// different patterns are no streak (QA F3); exit 2 and up, or exit 1 with an error message, still
// fail; Gemini's {output: "Error: …"} fails as the same text does elsewhere (QA F4). And the log
// line of a finding carries one `level` (QA F5).
import { expect } from 'chai';
import { runPlugin } from '../../../core/testing/index.js';
import { createLogger } from '../../../core/observability/logger.js';
import type { JsonObject } from '../../../core/index.js';
import dedupe from '../../../plugins/dedupe/index.js';
import { isFailure, resultVerdict } from '../../../plugins/dedupe/failure.js';
import { buildRequest, CLIENTS, codexExec, geminiShell, geminiShellFull, shellCall, type ClientName, type ScriptResult, type Script } from './clients.js';
import { findingsOf, summary } from './helpers.js';

const PATTERNS = ['fooBar', 'TODO_X', 'legacyInit', 'oldApi', 'deprecatedFn', 'removeMe'];

/** Each client's result for `rg -n PATTERN` that found nothing: exit status 1, no output. */
const NO_MATCH: Record<ClientName, readonly ((i: number) => ScriptResult)[]> = {
  codex: [
    () => ({ output: codexExec('', 1) }), // exec_command
    () => ({ output: '{"output":"","metadata":{"exit_code":1,"duration_seconds":0.0}}' }), // shell, JSON form
    (i) => ({ output: `Exit code: 1\nWall time: 0.${i} seconds\nOutput:\n` }), // shell, text form
  ],
  'claude-code': [
    () => ({ output: 'Exit code 1', error: true }),
    () => ({ output: 'Exit code 1\n\n', error: true }),
  ],
  'gemini-cli': [
    () => ({ output: geminiShell('', 1) }),
    (i) => ({ output: `<untrusted_context>\nOutput: (empty)\nExit Code: 1\nProcess Group PGID: ${4000 + i}\n</untrusted_context>` }),
    // The full form names the command, so searches with different patterns never read alike:
    // its quiet exit is checked in the verdict table below.
  ],
  // Chat has no shell format of its own: an SDK agent forwards what its shell tool prints.
  'openai-chat': [
    () => ({ output: codexExec('', 1) }),
    () => ({ output: 'Exit code: 1\n' }),
  ],
};

/** Each client's result for a search that really failed, the same error every time. */
const REAL_FAILURES: Record<ClientName, readonly ScriptResult[]> = {
  codex: [
    { output: codexExec('bash: line 1: rg: command not found\n', 127) },
    { output: codexExec('rg: src/nope: No such file or directory (os error 2)\n', 2) },
    { output: codexExec('Traceback (most recent call last):\n  File "find.py", line 3\nModuleNotFoundError: No module named \'regex\'\n', 1) },
    { output: '{"output":"rg: command not found\\n","metadata":{"exit_code":127,"duration_seconds":0.0}}' },
  ],
  'claude-code': [
    { output: 'Exit code 127\n/bin/bash: line 1: rg: command not found', error: true },
    { output: 'Exit code 1\ncat: config.yaml: No such file or directory', error: true },
    { output: 'Exit code 2\nrg: src/nope: No such file or directory (os error 2)', error: true },
  ],
  'gemini-cli': [
    { output: geminiShell('bash: line 1: rg: command not found', 127) },
    { output: geminiShell('cat: config.yaml: No such file or directory', 1) },
    { output: geminiShellFull('rg -n x', '(empty)', 1).replace('Error: (none)', 'Error: spawn rg ENOENT') },
  ],
  'openai-chat': [
    { output: codexExec('bash: rg: command not found\n', 127) },
    { output: 'Exit code: 1\ncat: config.yaml: No such file or directory\n' },
  ],
};

function searches(client: ClientName, result: (i: number) => ScriptResult): Script {
  return {
    prompt: 'Find every use of the old API',
    steps: PATTERNS.map((p, i) => ({ calls: [shellCall(client, `rg -n ${p}`)], results: [result(i)] })),
  };
}

describe('dedupe: what counts as a failure', () => {
  for (const client of CLIENTS) {
    describe(client, () => {
      NO_MATCH[client].forEach((shape, k) => {
        it(`six searches that found nothing (exit 1, no output; shape ${k + 1}) give no finding`, () => {
          expect(summary(findingsOf(buildRequest(client, searches(client, shape))))).to.deep.equal([]);
        });
      });

      REAL_FAILURES[client].forEach((failure, k) => {
        it(`six different calls failing the same real way (shape ${k + 1}) are a streak: noted at 3, blocked at 6`, () => {
          const script = searches(client, () => failure);
          expect(summary(findingsOf(buildRequest(client, { ...script, steps: script.steps.slice(0, 3) })))).to.deep.equal(['TOOL_FAILURE_STREAK:warn:3']);
          expect(summary(findingsOf(buildRequest(client, script)))).to.deep.equal(['TOOL_FAILURE_STREAK:block:6']);
        });
      });
    });
  }

  describe('one judgement for every protocol (Gemini {output} included)', () => {
    const texts = ['Error: permission denied', 'Traceback (most recent call last):\n  File "x.py", line 1\nPermissionError: [Errno 13]'];
    const readFile = (client: ClientName, i: number) => ({ name: client === 'claude-code' ? 'Read' : 'read_file', args: { path: `/etc/app/${PATTERNS[i]!}.conf` } });
    for (const text of texts) {
      for (const client of CLIENTS) {
        it(`${client}: "${text.slice(0, 16)}…" from a tool, six paths: noted at 3, blocked at 6`, () => {
          // No protocol flag anywhere: the text alone decides (Gemini CLI answers {output: text}).
          const script: Script = { prompt: 'read the configs', steps: PATTERNS.map((_, i) => ({ calls: [readFile(client, i)], results: [{ output: text }] })) };
          expect(summary(findingsOf(buildRequest(client, { ...script, steps: script.steps.slice(0, 3) })))).to.deep.equal(['TOOL_FAILURE_STREAK:warn:3']);
          expect(summary(findingsOf(buildRequest(client, script)))).to.deep.equal(['TOOL_FAILURE_STREAK:block:6']);
        });
      }
    }
  });

  it('resultVerdict: shell shapes, JSON results and plain text', () => {
    const cases: [string, string][] = [
      [codexExec('', 1), 'quiet'],
      [codexExec(' \n\t\n', 1), 'quiet'],
      [codexExec('src/a.ts:3:oldApi()', 0), 'none'],
      [codexExec('1c1\n< a\n---\n> b', 1), 'failed'], // exit 1 with output still counts (diff's output is rarely the same twice)
      [codexExec('', 2), 'failed'],
      ['Exit code 1', 'quiet'],
      ['Error: Exit code 1', 'quiet'],
      ['Exit code 1\nzsh: command not found: rg', 'failed'],
      [geminiShellFull('test -f x', '(empty)', 1), 'quiet'],
      [geminiShellFull('x', '(empty)', 1).replace('Error: (none)', 'Error: spawn ENOENT'), 'failed'],
      ['{"output":"<untrusted_context>\\nOutput: (empty)\\nExit Code: 1\\nProcess Group PGID: 7\\n</untrusted_context>"}', 'quiet'],
      ['{"output":"Error: permission denied"}', 'failed'],
      ['{"content":"Traceback (most recent call last):\\n x"}', 'failed'],
      ['{"output":"","metadata":{"exit_code":1,"duration_seconds":0}}', 'quiet'],
      ['{"output":"Error: x","metadata":{"exit_code":0}}', 'none'], // the process succeeded; its output is content
      ['{"error":"not found"}', 'failed'],
      ['{"code":404,"error":{"message":"nope"}}', 'failed'],
      ['{"data":{"rows":[]},"error":null}', 'none'],
      ['{"error":"cut sho', 'failed'],
      ['{"output":"","metadata":{"exit_code":1}}\n  ', 'quiet'], // whitespace after the object: still read as one
      ['{ "exit_code": 2 ', 'none'], // no closing brace: not parsed, and no exit label in the text
      ['{"exit_code":3}', 'failed'],
      ['Exit code: -1\n', 'failed'],
      ['', 'none'],
    ];
    for (const [text, verdict] of cases) expect(resultVerdict(text), JSON.stringify(text)).to.equal(verdict);
  });

  it('a quiet exit 1 is an answer even where the protocol flags it (Claude Code is_error); other flagged results fail', () => {
    const result = (text: string, isError: boolean) => ({ callId: 'c', name: undefined, text, isError, turn: 1, path: [] });
    expect(isFailure(result('Exit code 1', true))).to.equal(false);
    expect(isFailure(result('File does not exist.', true))).to.equal(true);
    expect(isFailure(result('Exit code 1\nNo such file or directory', true))).to.equal(true);
    expect(isFailure(result('fine', false))).to.equal(false);
  });
});

describe('dedupe: the log line of a finding (one level; blocks at warn)', () => {
  const loop = (times: number): JsonObject => buildRequest('openai-chat', {
    prompt: 'p', steps: Array.from({ length: times }, () => ({ calls: [shellCall('openai-chat', 'npm run build')], results: [{ output: 'error TS2304: Cannot find name x' }] })),
  }).body;
  const ANSWER = { id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] };

  async function logLines(times: number, level: 'info' | 'warn', options: Record<string, unknown> = {}): Promise<string[]> {
    const lines: string[] = [];
    const logger = createLogger({ level, write: (line) => { lines.push(line); }, pretty: false }).child({ plugin: 'dedupe' });
    await runPlugin(dedupe, { options, path: '/v1/chat/completions', body: loop(times), upstream: { json: ANSWER }, host: { logger } });
    return lines.filter((l) => l.includes('loop detected'));
  }

  it('a block: one `level` key (warn), what was done under `action`', async () => {
    const [line] = await logLines(5, 'info');
    expect(line, 'logged').to.be.a('string');
    expect(line!.match(/"level":/g), line).to.have.length(1);
    expect(JSON.parse(line!)).to.include({ level: 'warn', action: 'blocked', reached: 'block', type: 'REPEATED_TOOL_CALL', count: 5, mode: 'enforce' });
  });

  it('a note logs at info; with logging.level warn the note is quiet and a block still shows', async () => {
    const [note] = await logLines(3, 'info');
    expect(note!.match(/"level":/g)).to.have.length(1);
    expect(JSON.parse(note!)).to.include({ level: 'info', action: 'noted', reached: 'warn' });
    expect(await logLines(3, 'warn')).to.deep.equal([]);
    expect(await logLines(5, 'warn')).to.have.length(1);
  });

  it('monitor: the action is recorded (nothing was blocked), still at warn when the block threshold is reached', async () => {
    const [line] = await logLines(5, 'info', { mode: 'monitor' });
    expect(JSON.parse(line!)).to.include({ level: 'warn', action: 'recorded', reached: 'block', mode: 'monitor' });
  });
});
