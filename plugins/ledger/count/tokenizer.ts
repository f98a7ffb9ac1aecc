// The gateway's side of the tokenizer thread: started on first use, unref'd (it never keeps the
// process alive), each batch answered or timed out. A failure leaves the rows without a local count.
import { Worker } from 'node:worker_threads';
import type { Encoding } from './encoding.js';

export interface TokenCounter {
  /**
   * Token counts of each list's texts, in order — one message to the thread for all the lists (the
   * writer sends a cycle's distinct texts at once) — or undefined for a list that could not be
   * counted (the tokenizer unavailable or too slow, an unknown encoding).
   */
  countLists(lists: readonly CountList[]): Promise<(number[] | undefined)[]>;
  /** Token counts of `texts` in order, or undefined when the tokenizer is unavailable or too slow. */
  count(encoding: Encoding, texts: string[]): Promise<number[] | undefined>;
  /** Loads an encoding in the background (about a second of the tokenizer thread's CPU, ~60 MB). */
  warm(encoding: Encoding): void;
  close(): Promise<void>;
}

export interface CountList { encoding: Encoding; texts: string[] }
/** One batch for the thread. */
export interface CountBatch { id: number; lists: readonly CountList[] }
/** The thread's answer: counts per list, in the order sent, or the reason there are none. */
export interface CountAnswer { id: number; counts: (number[] | { error: string })[] }

interface Inflight { resolve(counts: (number[] | undefined)[]): void; lists: number; timer: NodeJS.Timeout }

export function createTokenCounter(opts: { timeoutMs: number; onError(err: Error): void }): TokenCounter {
  let worker: Worker | undefined;
  let nextId = 1;
  const inflight = new Map<number, Inflight>();

  const settle = (id: number, answer: CountAnswer | undefined) => {
    const batch = inflight.get(id);
    if (!batch) return;
    inflight.delete(id);
    clearTimeout(batch.timer);
    const out = new Array<number[] | undefined>(batch.lists);
    for (let i = 0; i < batch.lists; i++) {
      const c = answer?.counts[i];
      out[i] = Array.isArray(c) ? c : undefined;
    }
    batch.resolve(out);
  };
  const failAll = () => { for (const id of [...inflight.keys()]) settle(id, undefined); };

  const start = (): Worker => {
    const w = new Worker(new URL('./count-worker.js', import.meta.url));
    w.unref();
    w.on('message', (answer: CountAnswer) => {
      for (const c of answer.counts) if (!Array.isArray(c)) opts.onError(new Error(c.error));
      settle(answer.id, answer);
    });
    w.on('error', (err) => { opts.onError(err); worker = undefined; failAll(); });
    w.on('exit', () => { if (worker === w) worker = undefined; failAll(); });
    return w;
  };

  const countLists = (lists: readonly CountList[]): Promise<(number[] | undefined)[]> => new Promise((resolve) => {
    const id = nextId++;
    // One timer per batch. The first batch waits for the encoding to load (most of a second): the timeout allows it.
    const timer = setTimeout(() => settle(id, undefined), opts.timeoutMs);
    timer.unref();
    inflight.set(id, { resolve, lists: lists.length, timer });
    try {
      const batch: CountBatch = { id, lists };
      (worker ??= start()).postMessage(batch);
    } catch (err) {
      opts.onError(err as Error);
      settle(id, undefined);
    }
  });

  return {
    countLists,
    async count(encoding, texts) {
      return (await countLists([{ encoding, texts }]))[0];
    },
    warm(encoding) {
      void countLists([{ encoding, texts: [''] }]);
    },
    async close() {
      failAll();
      const w = worker;
      worker = undefined;
      if (w) await w.terminate();
    },
  };
}
