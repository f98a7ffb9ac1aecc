// The command line as a newcomer meets it: help, usage on mistakes (never a stack trace), exit codes.
// --help, no command and --version run the real binary; the usage of each command and each mistake
// go through the same main() in-process.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { STACK_FRAME, bin, cleanEnv, sluice, sluiceInProcess, sluiceReaderGone } from './run-cli.js';

describe('sluice CLI: help and usage', () => {
  it('--help prints the commands and exits 0', () => {
    const r = sluice(['--help']);
    expect(r.status, r.stderr).to.equal(0);
    for (const command of ['start', 'init', 'config validate', 'plugins', 'scan']) expect(r.stdout).to.include(`sluice ${command}`);
    expect(r.stdout).to.match(/SLUICE_HOME/);
    expect(r.stderr).to.equal('');
  });

  it('no command prints the usage on stderr and exits 1', () => {
    const r = sluice([]);
    expect(r.status).to.equal(1);
    expect(r.stderr).to.match(/^sluice: no command given\n/).and.to.include('sluice start');
  });

  for (const args of [['start', '--help'], ['start', '-h'], ['help', 'start']]) {
    it(`${args.join(' ')} prints the start usage and exits 0`, async () => {
      const r = await sluiceInProcess(args);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/^Usage: sluice start \[--config FILE\] \[--port N\] \[--host H\]/).and.to.include('--port N');
    });
  }

  const mistakes: [string[], RegExp, string][] = [
    [['start', '--bogus'], /^sluice: unknown option '--bogus'\n/, 'Usage: sluice start'],
    [['start', '--port'], /^sluice: option '-p, --port <value>' argument missing\n/, 'Usage: sluice start'],
    [['start', '--port', 'http'], /^sluice: --port must be a port number from 0 to 65535, got 'http'\n/, 'Usage: sluice start'],
    [['start', 'extra'], /^sluice: unexpected argument 'extra'\n/, 'Usage: sluice start'],
    [['config', 'validate', '--strict'], /^sluice: unknown option '--strict'\n/, 'Usage: sluice config validate'],
    [['config', 'check'], /^sluice: unknown sub-command 'check'\n/, 'Usage: sluice config validate'],
    [['plugins', '-x'], /^sluice: unknown option '-x'\n/, 'Usage: sluice plugins'],
    [['init', 'a', 'b'], /^sluice: unexpected argument 'b'\n/, 'Usage: sluice init'],
    [['--verbose'], /^sluice: unknown option '--verbose'\n/, 'sluice start [--config FILE]'],
    [['frobnicate'], /^sluice: unknown command 'frobnicate'\n/, 'sluice start [--config FILE]'],
  ];
  for (const [args, first, usage] of mistakes) {
    it(`${args.join(' ')}: one line, the usage, exit 1, no stack trace`, async () => {
      const r = await sluiceInProcess(args);
      expect(r.status, r.stderr).to.equal(1);
      expect(r.stderr).to.match(first).and.to.include(usage);
      expect(r.stderr).to.not.match(STACK_FRAME);
      expect(r.stdout).to.equal('');
    });
  }

  it('--version prints the package version', () => {
    const r = sluice(['--version']);
    expect(r.status).to.equal(0);
    expect(r.stdout.trim()).to.match(/^\d+\.\d+\.\d+/);
  });

  it('a reader that stops early (`sluice config schema | head -c 100`) ends the command quietly, not with an EPIPE stack trace', async () => {
    const { code, stderr } = await sluiceReaderGone(['config', 'schema']);
    expect(stderr).to.not.match(STACK_FRAME);
    expect(stderr).to.not.include('EPIPE');
    expect(code).to.equal(0);
  });

  it('a reader that stops early does not change the exit code: `sluice scan | head -1` that found something is still 1', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'sluice-scan-pipe-')), 'pii.txt');
    writeFileSync(file, 'mail me at john.doe@example.com\n'.repeat(5000)); // findings enough to fill the pipe
    const { code, stderr } = await sluiceReaderGone(['scan', file]);
    expect(stderr).to.not.match(STACK_FRAME);
    expect(stderr).to.not.include('EPIPE');
    expect(code).to.equal(1);
  });

  it('an output that cannot be written (a full disk) ends the command with one line and exit 1, not a stack', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [bin, 'config', 'schema'], { env: cleanEnv(), stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
      expect(r.status).to.equal(1);
      expect(r.stderr).to.equal('sluice: cannot write the output: ENOSPC: no space left on device, write\n');
    } finally {
      closeSync(full);
    }
  });
});

