// Where the CLI writes: injectable so tests can call main() without a child process.
export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export const stdio: Io = { out: (l) => process.stdout.write(l + '\n'), err: (l) => process.stderr.write(l + '\n') };
