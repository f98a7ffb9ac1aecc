// The gateway's side of the tokenizer thread: started on first use, unref'd (it never keeps the
// process alive), each job answered or timed out. A failure leaves the row without a local count.
import { Worker } from 'node:worker_threads';
import { ENCODINGS, type Encoding } from './encoding.js';

export interface TokenCounter {
  /** Token counts of `texts` in order, or undefined when the tokenizer is unavailable or too slow. */
  count(encoding: Encoding, texts: string[]): Promise<number[] | undefined>;
  /** Loads an encoding in the background (about a second of the tokenizer thread's CPU, ~60 MB). */
  warm(encoding: Encoding): void;
  close(): Promise<void>;
}

interface Pending { resolve(counts: number[] | undefined): void; encoding: Encoding; texts: string[] }

/** One batch for the thread: each distinct text of a writer cycle once, per encoding. */
export interface CountBatch { id: number; lists: { encoding: Encoding; texts: string[] }[] }
/** The thread's answer: counts per list, in the order sent, or the reason there are none. */
export interface CountAnswer { id: number; counts: (number[] | { error: string })[] }

interface Inflight {
  jobs: Pending[];
  /** Per encoding: a text's position in the list sent. */
  index: Map<string, number>[];
  timer: NodeJS.Timeout;
}

export function createTokenCounter(opts: { timeoutMs: number; onError(err: Error): void }): TokenCounter {
  let worker: Worker | undefined;
  let nextId = 1;
  const inflight = new Map<number, Inflight>();
  let queued: Pending[] = [];

  const settle = (id: number, answer: CountAnswer | undefined) => {
    const batch = inflight.get(id);
    if (!batch) return;
    inflight.delete(id);
    clearTimeout(batch.timer);
    for (const job of batch.jobs) {
      const e = ENCODINGS.indexOf(job.encoding);
      const counts = answer?.counts[e];
      if (!Array.isArray(counts)) { job.resolve(undefined); continue; }
      const index = batch.index[e]!;
      job.resolve(job.texts.map((t) => counts[index.get(t)!]!));
    }
  };
  const failAll = () => { for (const id of [...inflight.keys()]) settle(id, undefined); };

  const flush = () => {
    const jobs = queued;
    queued = [];
    if (jobs.length === 0) return;
    const id = nextId++;
    // The rows of one writer cycle share much of their text (a system prompt; the history an agent
    // resends every turn): each distinct text is sent and counted once.
    const index = ENCODINGS.map(() => new Map<string, number>());
    const lists = ENCODINGS.map((encoding) => ({ encoding, texts: [] as string[] }));
    for (const job of jobs) {
      const e = ENCODINGS.indexOf(job.encoding);
      const seen = index[e]!;
      const list = lists[e]!.texts;
      for (const t of job.texts) if (!seen.has(t)) { seen.set(t, list.length); list.push(t); }
    }
    // One timer per batch. The first batch waits for the encoding to load (most of a second): the timeout allows it.
    const timer = setTimeout(() => settle(id, undefined), opts.timeoutMs);
    timer.unref();
    inflight.set(id, { jobs, index, timer });
    try {
      const batch: CountBatch = { id, lists };
      (worker ??= start()).postMessage(batch);
    } catch (err) {
      opts.onError(err as Error);
      settle(id, undefined);
    }
  };
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
  return {
    count(encoding, texts) {
      return new Promise((resolve) => {
        queued.push({ resolve, encoding, texts });
        // The rows of one writer cycle ask together: one message, one timer.
        if (queued.length === 1) setImmediate(flush);
      });
    },
    warm(encoding) {
      void this.count(encoding, ['']);
    },
    async close() {
      for (const job of queued) job.resolve(undefined);
      queued = [];
      failAll();
      const w = worker;
      worker = undefined;
      if (w) await w.terminate();
    },
  };
}
