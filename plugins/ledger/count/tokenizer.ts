// The gateway's side of the tokenizer thread: started on first use, unref'd (it never keeps the
// process alive), each job answered or timed out. A failure leaves the row without a local count.
import { Worker } from 'node:worker_threads';
import type { Encoding } from './encoding.js';

export interface TokenCounter {
  /** Token counts of `texts` in order, or undefined when the tokenizer is unavailable or too slow. */
  count(encoding: Encoding, texts: string[]): Promise<number[] | undefined>;
  /** Loads an encoding in the background (about a second of the tokenizer thread's CPU, ~60 MB). */
  warm(encoding: Encoding): void;
  close(): Promise<void>;
}

interface Pending { resolve(counts: number[] | undefined): void; timer: NodeJS.Timeout }

export function createTokenCounter(opts: { timeoutMs: number; onError(err: Error): void }): TokenCounter {
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const settle = (id: number, counts: number[] | undefined) => {
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(counts);
  };
  const failAll = () => { for (const id of [...pending.keys()]) settle(id, undefined); };
  let batch: { id: number; encoding: Encoding; texts: string[] }[] = [];
  const flush = () => {
    const jobs = batch;
    batch = [];
    if (jobs.length === 0) return;
    try {
      (worker ??= start()).postMessage(jobs);
    } catch (err) {
      opts.onError(err as Error);
      for (const j of jobs) settle(j.id, undefined);
    }
  };
  const start = (): Worker => {
    const w = new Worker(new URL('./count-worker.js', import.meta.url));
    w.unref();
    w.on('message', (answers: { id: number; counts?: number[]; error?: string }[]) => {
      for (const m of answers) {
        if (m.error) opts.onError(new Error(m.error));
        settle(m.id, m.counts);
      }
    });
    w.on('error', (err) => { opts.onError(err); worker = undefined; failAll(); });
    w.on('exit', () => { if (worker === w) worker = undefined; failAll(); });
    return w;
  };
  return {
    count(encoding, texts) {
      return new Promise((resolve) => {
        const id = nextId++;
        // The first job waits for the encoding to load (most of a second): the timeout allows it.
        const timer = setTimeout(() => settle(id, undefined), opts.timeoutMs);
        timer.unref();
        pending.set(id, { resolve, timer });
        batch.push({ id, encoding, texts });
        // The rows of one writer cycle ask together: send them as one message.
        if (batch.length === 1) setImmediate(flush);
      });
    },
    warm(encoding) {
      void this.count(encoding, ['']);
    },
    async close() {
      failAll();
      const w = worker;
      worker = undefined;
      if (w) await w.terminate();
    },
  };
}
