// Result normalisation: what changes on every call although nothing happened is replaced; what
// could be the tool's real answer is kept.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { looksFailed } from '../../../plugins/dedupe/failure.js';
import { NORMALISATION_RULES, normaliseResult, normaliseTempComponent } from '../../../plugins/dedupe/normalise.js';
import { codexExec, geminiShell, geminiShellFull } from './clients.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const same = (a: string, b: string) => expect(normaliseResult(a), `${a}\n~\n${b}`).to.equal(normaliseResult(b));
const differ = (a: string, b: string) => expect(normaliseResult(a), `${a}\n~\n${b}`).to.not.equal(normaliseResult(b));

describe('dedupe: result normalisation', () => {
  it('Codex exec output: chunk id, wall time and a running session id; the exit code and token count stay', () => {
    same(codexExec('hello\n'), codexExec('hello\n'));
    same('Chunk ID: 1a2b3c\nWall time: 0.0123 seconds\nProcess exited with code 0\nOriginal token count: 3\nOutput:\nok',
      'Chunk ID: ffe001\nWall time: 2.5000 seconds\nProcess exited with code 0\nOriginal token count: 3\nOutput:\nok');
    same('Chunk ID: 9\nWall time: 1.0 seconds\nProcess running with session ID 3\nOriginal token count: 1\nOutput:\n',
      'Chunk ID: a\nWall time: 1.0 seconds\nProcess running with session ID 14\nOriginal token count: 1\nOutput:\n');
    // apply_patch's header and the older "Wall time 3.7 seconds" form.
    same('Exit code: 0\nWall time: 0.1 seconds\nOutput:\nSuccess. Updated the following files:\nM src/a.ts', 'Exit code: 0\nWall time: 0.4 seconds\nOutput:\nSuccess. Updated the following files:\nM src/a.ts');
    same('Script completed\nWall time 3.7 seconds\nOutput:\nx', 'Script completed\nWall time 0.1 seconds\nOutput:\nx');
    differ(codexExec('hello\n', 0), codexExec('hello\n', 1));
    differ(codexExec('hello\n'), codexExec('hullo\n'));
  });

  it('Gemini CLI shell output: process group id and background pids, also inside a JSON-escaped result', () => {
    same(geminiShell('ok'), geminiShell('ok'));
    same(geminiShellFull('ls', 'a b'), geminiShellFull('ls', 'a b'));
    same('{"output":"Output: ok\\nProcess Group PGID: 4596"}', '{"output":"Output: ok\\nProcess Group PGID: 81"}');
    differ(geminiShell('ok'), geminiShell('ok', 1));
    differ(geminiShell('ok'), geminiShell('not ok'));
  });

  it('clock readings: ISO 8601, RFC 2822, date(1), time of day, epoch seconds and ms in time fields', () => {
    same('started 2026-11-22T10:00:01.123Z', 'started 2026-11-22T10:07:59.001Z');
    same('at 2026-11-22 10:00:01+01:00 ok', 'at 2026-11-23 09:13:00+01:00 ok');
    same('Date: Sun, 22 Nov 2026 10:00:01 +0000', 'Date: Mon, 23 Nov 2026 11:00:01 +0000');
    same('Sun Nov 22 10:00:01 UTC 2026', 'Sun Nov 22 10:00:09 UTC 2026');
    same('[12:34:56.789] INFO ready', '[12:35:01.002] INFO ready');
    same('{"status":"ok","timestamp":1700000000000}', '{"status":"ok","timestamp":1700000004321}');
    same('{"created_at": 1700000000, "updatedAt": 1700000000123, "ts": 1700000001}', '{"created_at": 1700000009, "updatedAt": 1700000009999, "ts": 1700000002}');
    differ('{"status":"ok","count":1700000000}', '{"status":"ok","count":1700000001}');
    differ('release 2026-11-22', 'release 2026-11-23'); // a date alone is content
    differ('{"status":"queued","at":"2026-11-22T10:00:01Z"}', '{"status":"running","at":"2026-11-22T10:00:05Z"}');
  });

  it('durations where something says they are one', () => {
    same('3 passed in 0.12s', '3 passed in 1.50s');
    same('Ran 12 tests in 0.034s\n\nOK', 'Ran 12 tests in 0.101s\n\nOK');
    same('build took 1.23s', 'build took 45ms');
    same('elapsed: 3m 12s', 'elapsed: 0m 2s');
    same('Done in 2.34s.', 'Done in 0.8s.');
    same('ok  \tgithub.com/acme/app\t0.012s', 'ok  \tgithub.com/acme/app\t0.240s');
    same('--- PASS: TestParse (0.00s)', '--- PASS: TestParse (0.12s)');
    same('  ✓ parses numbers (3 ms)\n  5 passing (25ms)', '  ✓ parses numbers (9 ms)\n  5 passing (31ms)');
    same('Tests:       5 passed, 5 total\nTime:        1.234 s', 'Tests:       5 passed, 5 total\nTime:        0.9 s');
    same('real\t0m0.003s\nuser\t0m0.001s\nsys\t0m0.002s', 'real\t0m1.203s\nuser\t0m0.501s\nsys\t0m0.102s');
    same('Finished `dev` profile [unoptimized + debuginfo] target(s) in 0.05s', 'Finished `dev` profile [unoptimized + debuginfo] target(s) in 12.40s');
    // Codex's JSON shell result, compact as Codex writes it and spaced; other tools' keyed durations without a unit.
    same('{"output":"error[E0425]\\n","metadata":{"exit_code":101,"duration_seconds":3.1}}', '{"output":"error[E0425]\\n","metadata":{"exit_code":101,"duration_seconds":3.4}}');
    same('{"output": "ok", "metadata": {"exit_code": 0, "duration_seconds": 0.0}}', '{"output": "ok", "metadata": {"exit_code": 0, "duration_seconds": 12.5}}');
    same('{"status":"done","durationMs":1532}', '{"status":"done","durationMs":98}');
    same("{'rows': 3, 'elapsed_ms': 12}", "{'rows': 3, 'elapsed_ms': 40}");
    differ('{"output":"ok","metadata":{"exit_code":0,"duration_seconds":0.1}}', '{"output":"ok","metadata":{"exit_code":1,"duration_seconds":0.1}}');
    differ('{"rows":3,"duration_seconds":1}', '{"rows":4,"duration_seconds":1}');
    differ('timeout: 30s', 'timeout: 60s'); // a setting, not a measurement
    differ('found in 5 files', 'found in 6 files');
    differ('3 passed in 0.12s', '2 passed, 1 failed in 0.12s');
  });

  it('temp paths with random parts', () => {
    same('wrote /tmp/tmpk3j_x9zq/out.json', 'wrote /tmp/tmp0a8b1c2d/out.json');
    same('cd /tmp/tmp.Xq3Rt9aBcD && ls', 'cd /tmp/tmp.abcdefghij && ls');
    same('/tmp/jest-AbCdEf/cache', '/tmp/jest-x1Y2z3/cache');
    same('/tmp/pytest-of-dev/pytest-12/test_read0/data.csv', '/tmp/pytest-of-dev/pytest-13/test_read0/data.csv');
    same('/var/folders/zz/zyxvpxvq6csfxvn_n0000000000000/T/build-3f9a2c1b7d/log', '/var/folders/zz/zyxvpxvq6csfxvn_n0000000000000/T/build-88aa11bb22/log');
    same('C:\\Users\\dev\\AppData\\Local\\Temp\\tmp1a2b3c4d\\x.txt', 'C:\\Users\\dev\\AppData\\Local\\Temp\\tmp9z8y7x6w\\x.txt');
    differ('/tmp/build/output.txt', '/tmp/build/input.txt');
    differ('/home/dev/tmp1a2b3c4d/x', '/home/dev/tmp9z8y7x6w/x'); // not under a temp root
    expect(normaliseTempComponent('output')).to.equal('output');
    expect(normaliseTempComponent('pytest-of-dev')).to.equal('pytest-of-dev');
    expect(normaliseTempComponent('report-2026.txt')).to.equal('report-*.txt');
  });

  it('process ids, request ids and object addresses', () => {
    same('server started, pid 4242', 'server started, pid 4311');
    same('{"error":"throttled","request_id":"req_011CTa1b2c3d"}', '{"error":"throttled","request_id":"req_011CTzz9y8x7"}');
    same('x-request-id: 4f1c0a2e-1234-4bcd-8def-0123456789ab', 'x-request-id: 9e2d3b4f-5678-4abc-9def-abcdef012345');
    same('<app.Client object at 0x7f3a2b1c4d50>', '<app.Client object at 0x7f00aa11bb22>');
  });

  it('keeps UUIDs and ids that are not in a volatile position (they may be what the tool returned)', () => {
    differ('Created issue 4f1c0a2e-1234-4bcd-8def-0123456789ab', 'Created issue 9e2d3b4f-5678-4abc-9def-abcdef012345');
    differ('{"id":"4f1c0a2e-1234-4bcd-8def-0123456789ab"}', '{"id":"9e2d3b4f-5678-4abc-9def-abcdef012345"}');
    differ('commit 3f9a2c1b7d', 'commit 88aa11bb22');
  });

  it('keeps progress, counts, versions, line:column positions and short clock-like values', () => {
    differ('{"status":"in_progress","completed":3}', '{"status":"in_progress","completed":4}');
    differ('progress 45%', 'progress 46%');
    differ('v1.2.3', 'v1.2.4');
    differ('src/a.ts:12:34 error TS2345', 'src/a.ts:12:35 error TS2345');
    differ('score 12:34', 'score 12:35');
  });

  it('is idempotent and trims the ends', () => {
    for (const text of [codexExec('x'), geminiShellFull('ls', 'y'), 'took 1.2s at 2026-11-22T10:00:01Z in /tmp/tmpk3j_x9zq']) {
      expect(normaliseResult(normaliseResult(text))).to.equal(normaliseResult(text));
    }
    same('  ok\n', 'ok');
  });

  it('every rule is documented in the README', () => {
    const readme = readFileSync(path.join(repoRoot, 'plugins/dedupe/README.md'), 'utf8');
    for (const name of NORMALISATION_RULES) expect(readme, name).to.include(`**${name}**`);
  });
});

describe('dedupe: failure shapes in text', () => {
  it('reads exit codes from the headers clients put around shell output', () => {
    expect(looksFailed(codexExec('boom', 2))).to.equal(true);
    expect(looksFailed(codexExec('fine', 0))).to.equal(false);
    expect(looksFailed('Exit code 1\nls: cannot access x')).to.equal(true);
    expect(looksFailed(geminiShellFull('ls nope', 'ls: cannot access nope: No such file or directory', 2))).to.equal(true);
    expect(looksFailed(geminiShellFull('true', 'ok', 0))).to.equal(false);
    expect(looksFailed('{"output":"Output: x\\nExit Code: 127\\nProcess Group PGID: 1"}')).to.equal(true);
    expect(looksFailed('{"metadata":{"duration_seconds":0.1,"exit_code":1},"output":"x"}')).to.equal(true);
  });

  it('reads error openings and JSON error objects, not words that merely start alike', () => {
    for (const t of ['Error: ENOENT', 'ERROR no such table', 'error[E0425]: cannot find value', 'Traceback (most recent call last):\n ...', 'fatal: not a git repository', '<tool_use_error>File has not been read yet</tool_use_error>', '{"error":"not found"}', '  Failed to connect']) {
      expect(looksFailed(t), t).to.equal(true);
    }
    for (const t of ['errors.ts:12: export class', 'failedTests: 0', 'No errors found', 'exit code 0 is success', '']) {
      expect(looksFailed(t), t).to.equal(false);
    }
  });

  it('looks for exit codes only near the start and end of a long output', () => {
    const middle = 'x'.repeat(1000) + '\nProcess exited with code 1\n' + 'y'.repeat(1000);
    expect(looksFailed(middle)).to.equal(false);
  });
});
