// Making a directory and its missing parents, one level at a time. Node 20's `mkdir(dir, {
// recursive: true })` never returns for a path under /proc (sync and async alike): mkdir there
// fails with ENOENT although the parent exists, and Node's recursion takes that as a missing parent
// and tries again, for ever — a mistyped spill_dir or database path hung start-up with no output.
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

const code = (err: unknown) => (err as NodeJS.ErrnoException | null)?.code;

const notADirectory = (p: string) => Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${p}'`), { code: 'ENOTDIR', syscall: 'mkdir', path: p });

/**
 * `mkdir -p`; throws the failing level's own error (ENOENT, EACCES, ENOTDIR…). Synchronous: it runs
 * at start-up and in commands, never on a request's path.
 */
export function makeDirSync(dir: string): void {
  const missing: string[] = [];
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    try {
      if (!statSync(at).isDirectory()) throw notADirectory(at);
      break;
    } catch (err) {
      if (code(err) !== 'ENOENT') throw err;
    }
    missing.push(at);
    if (path.dirname(at) === at) break;
  }
  for (const d of missing.reverse()) {
    try { mkdirSync(d); } catch (err) { if (code(err) !== 'EEXIST') throw err; }
  }
}
