// Where the CLI writes: injectable so tests can call main() without a child process.
export interface Io {
  out(line: string): void;
  err(line: string): void;
}

/**
 * A reader that stops early (`sluice config schema | head`) closes the pipe, and the next write
 * fails with EPIPE. Node ignores SIGPIPE, so the command would die on an unhandled 'error' event with
 * a stack trace; like other Unix tools it ends quietly instead: the reader has all it asked for.
 * Attached on a stream's first use here, not at start-up: `sluice start` logs to fd 1 directly, and
 * merely touching process.stdout would open a second handle on a piped fd 1 (and make it non-blocking).
 */
const guarded = new WeakSet<NodeJS.WriteStream>();
/** The stream, ending the process quietly on EPIPE (once per stream); plugin commands get theirs through it too. */
export function quietOnEpipe(s: NodeJS.WriteStream): NodeJS.WriteStream {
  if (!guarded.has(s)) {
    guarded.add(s);
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  return s;
}
function writer(stream: () => NodeJS.WriteStream): (line: string) => void {
  return (line) => { quietOnEpipe(stream()).write(line + '\n'); };
}

export const stdio: Io = { out: writer(() => process.stdout), err: writer(() => process.stderr) };
