// CPU time of a process over all its threads (the tokenizer's, V8's GC and compiler helpers,
// libuv's), at nanosecond resolution from each thread's schedstat (/proc/<pid>/stat counts ticks).
import { readdirSync, readFileSync } from 'node:fs';

/** µs of CPU so far, every thread of `pid` (a process id, or 'self'). */
export function threadsCpuUs(pid: number | 'self'): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try { ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]); } catch { /* the thread ended */ }
  }
  return ns / 1000;
}
