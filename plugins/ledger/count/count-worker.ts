// The tokenizer thread: loading an encoding takes most of a second and counting a long prompt
// about a millisecond, so neither runs on the gateway's event loop. Jobs come in batches (one
// message per writer cycle, not per row: a message costs more than counting a short text).
import { parentPort } from 'node:worker_threads';

interface Job { id: number; encoding: string; texts: string[] }
interface Encoder { countTokens(text: string, options?: { disallowedSpecial?: Set<string> }): number }

const encoders = new Map<string, Promise<Encoder>>();
const load = (name: string): Promise<Encoder> => {
  let e = encoders.get(name);
  if (!e) {
    if (name !== 'o200k_base' && name !== 'cl100k_base') return Promise.reject(new Error(`unknown encoding ${name}`));
    e = import(`gpt-tokenizer/encoding/${name}`) as Promise<Encoder>;
    encoders.set(name, e);
  }
  return e;
};
// Text that spells a special token (`<|endoftext|>`) is ordinary text to the API: count it as such.
const PLAIN = { disallowedSpecial: new Set<string>() };

parentPort!.on('message', (jobs: Job[]) => {
  void Promise.all(jobs.map(async (job) => {
    try {
      const enc = await load(job.encoding);
      return { id: job.id, counts: job.texts.map((t) => enc.countTokens(t, PLAIN)) };
    } catch (err) {
      return { id: job.id, error: (err as Error).message };
    }
  })).then((answers) => parentPort!.postMessage(answers));
});
