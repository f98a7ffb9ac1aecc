// Where the CLI writes: injectable so tests can call main() without a child process.
import { writeSync } from 'node:fs';
import type { CommandIO } from '../plugin/contract.js';

export interface Io {
  out(line: string): void;
  err(line: string): void;
  /**
   * The streams a plugin command reads and writes, where a command's log lines go too (its stderr).
   * Without it, the process's (`streamsOf`): an Io that gives its own runs a plugin command
   * in-process with nothing written to the process's stdout or stderr.
   */
  streams?(): CommandIO;
}

/**
 * A reader that stops early (`sluice config schema | head`) closes the pipe, and the next write
 * fails with EPIPE. Node ignores SIGPIPE, so the command would die on an unhandled 'error' event with
 * a stack trace. Like other Unix tools it carries on quietly instead: the reader has all it asked
 * for, what the command writes from then on goes nowhere, and it ends with its own exit code
 * (`sluice scan | head -1` that found something is still 1). Any other failure to write the output
 * (a full disk) ends the command with one line and exit 1, not a stack.
 * Attached on a stream's first use here, not at start-up: `sluice start` logs to fd 1 directly, and
 * merely touching process.stdout would open a second handle on a piped fd 1 (and make it non-blocking).
 */
const guarded = new WeakSet<NodeJS.WriteStream>();
/** The stream, guarded as above (once per stream); plugin commands get theirs through it too. */
export function quietOnEpipe(s: NodeJS.WriteStream): NodeJS.WriteStream {
  if (guarded.has(s)) return s;
  guarded.add(s);
  let sunk = false;
  s.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') {
      if (sunk) return;
      sunk = true;
      // Writes succeed from now on (a callback given is called), and a writer waiting for 'drain'
      // (a full pipe) is let go.
      (s as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => {
        const done = args.findLast((a) => typeof a === 'function') as (() => void) | undefined;
        if (done) process.nextTick(done);
        return true;
      };
      s.emit('drain');
      return;
    }
    try { writeSync(2, `sluice: cannot write the output: ${err.message}\n`); } catch { /* stderr is what failed */ }
    process.exit(1);
  });
  return s;
}
function writer(stream: () => NodeJS.WriteStream): (line: string) => void {
  return (line) => { quietOnEpipe(stream()).write(line + '\n'); };
}

/** The process's streams, guarded as above; stdin made on first access (a command reading a file never makes it). */
function processStreams(): CommandIO {
  return { get stdin() { return process.stdin; }, stdout: quietOnEpipe(process.stdout), stderr: quietOnEpipe(process.stderr) };
}

/** The streams of a command run with `io`: its own, else the process's. */
export function streamsOf(io: Io): CommandIO {
  return io.streams?.() ?? processStreams();
}

export const stdio: Io = { out: writer(() => process.stdout), err: writer(() => process.stderr), streams: processStreams };
