// Runs bin/sluice.js as a user would: a child process, its exit code, stdout and stderr.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { main } from '../../core/cli/main.js';

export const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/sluice.js');

/** The environment without a config named by SLUICE_CONFIG, so discovery is what the test sets. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  if (!('SLUICE_CONFIG' in extra)) delete env['SLUICE_CONFIG'];
  return env;
}

export function sluice(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  // A deadline for a hung command only: a quick command took over 10 s with several suites on two cores.
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: opts.cwd, env: cleanEnv(opts.env), timeout: 60_000 });
}

/**
 * The same command through main() in this process, with the CLI's injectable Io (what bin/sluice.js
 * calls, minus Node's start-up: half a second of CPU per spawn): its lines, a plugin command's
 * streams and a command's log lines all land in `stdout` and `stderr`, in the order written. Not for
 * `start` (one that must refuse its config: refusedStartInProcess), a command that needs its own cwd or environment, or the bin shim's own behaviour (exit
 * codes set on the process, a reader gone): those still run as processes, a few per command family.
 */
export async function sluiceInProcess(args: string[], opts: { stdin?: string } = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (add: (text: string) => void) => new Writable({ write(chunk: Buffer, _encoding, done) { add(chunk.toString('utf8')); done(); } });
  const streams = {
    stdin: Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]),
    stdout: sink((t) => { stdout += t; }),
    stderr: sink((t) => { stderr += t; }),
  };
  const status = await main(args, { out: (l) => { stdout += l + '\n'; }, err: (l) => { stderr += l + '\n'; }, streams: () => streams });
  return { status, stdout, stderr };
}

/**
 * `sluice start …` on a config that start must refuse (a bad plugin, option or route: exit 1 before
 * anything listens), through main() in this process like sluiceInProcess: the same start() and the
 * same message, minus a child process (~0.45 s of CPU each). start() prepares the serving process
 * before it reads the config — a SIGHUP listener (a reload asked while starting) and V8's
 * allocation-site pretenuring off — and a refused start leaves both, which the real binary drops
 * by exiting: they are undone here, so the mocha worker is as before. A config that start takes
 * would listen here and never return: the test then times out (it does not pass). Files keep the
 * real binary for what main()'s return cannot show (the exit code the shim sets), a few per family.
 */
export async function refusedStartInProcess(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const sighup = new Set(process.listeners('SIGHUP'));
  const named = `${process.execArgv.join(' ')} ${process.env['NODE_OPTIONS'] ?? ''}`;
  try {
    return await sluiceInProcess(['start', ...args]);
  } finally {
    for (const listener of process.listeners('SIGHUP')) if (!sighup.has(listener)) process.off('SIGHUP', listener);
    if (!/allocation[-_]site[-_]pretenuring/.test(named)) setFlagsFromString('--allocation-site-pretenuring');
  }
}

/**
 * Runs a command whose reader has gone before it writes, as `sluice … | head` once head has its
 * line: the pipe's read end is closed, so every write fails with EPIPE.
 */
export async function sluiceReaderGone(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, stderr };
}

export interface Started {
  child: ChildProcess;
  url: string;
  lines: Record<string, unknown>[];
  stop(): Promise<void>;
}

/** `sluice start …` until it logs "listening"; rejects with its stderr if it exits first. */
export function startSluice(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Started> {
  const child = spawn(process.execPath, [bin, 'start', ...args], { cwd: opts.cwd, env: cleanEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try { lines.push(JSON.parse(line) as Record<string, unknown>); } catch { continue; }
        const last = lines[lines.length - 1]!;
        if (last['msg'] === 'listening') resolve({ child, url: String(last['url']), lines, stop });
      }
    });
    child.once('exit', (code) => reject(new Error(`sluice start exited with ${code} before listening: ${stderr}`)));
    setTimeout(() => { void stop(); reject(new Error(`sluice start did not listen within 20 s: ${stderr}`)); }, 20_000).unref();
  });
}

/** A stack trace's frames look like "    at fn (file:line:col)". */
export const STACK_FRAME = /^\s+at .+[:(]/m;
