// The tokenizer thread: loading an encoding takes most of a second and counting a long prompt
// about a millisecond, so neither runs on the gateway's event loop. Jobs come in batches (one
// message per writer cycle, not per row: a message costs more than counting a short text), each
// distinct text once. Counts are remembered by a hash of the text (never the text): an agent
// resends its whole history every turn, so all but the newest messages were counted before.
import { hash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { Generations } from './generations.js';
import { textCounter, type Encoder, type TextCounter } from './text-counter.js';
import type { CountAnswer, CountBatch } from './tokenizer.js';

/**
 * Where the direct count cannot be used (text-counter.ts), gpt-tokenizer splits each text with
 * `String.prototype.matchAll`, which by the spec builds a new matcher from its pattern through
 * `RegExp[Symbol.species]` on every call. V8 finds the clone's compiled code in a cache that a full
 * GC empties, and this thread has one after most idle spells (V8's memory reducer, marking the
 * encoding's ~60 MB): the next count then parsed and compiled o200k's Unicode-class pattern again,
 * 5–9 ms each time — most of this thread's CPU under load (perf, bench/results/ledger.md round 13).
 * Here the species hands back one matcher per pattern, kept, so its compiled code is too. Sound
 * because nothing else runs in this thread and a count reads its matches to the end before the next
 * begins (matchAll resets `lastIndex` itself). The direct count keeps its own copy of the pattern.
 */
const matchers = new WeakMap<RegExp, RegExp>();
function reusedMatcher(pattern: RegExp, flags: string): RegExp {
  let m = matchers.get(pattern);
  if (m?.flags !== flags) matchers.set(pattern, (m = new RegExp(pattern, flags)));
  return m;
}
Object.defineProperty(RegExp, Symbol.species, { value: reusedMatcher, configurable: true });

const encoders = new Map<string, Promise<TextCounter>>();
const load = (name: string): Promise<TextCounter> => {
  let e = encoders.get(name);
  if (!e) {
    if (name !== 'o200k_base' && name !== 'cl100k_base') return Promise.reject(new Error(`unknown encoding ${name}`));
    // The module's default export is the encoding's GptEncoding (whose internals the direct count reads).
    e = (import(`gpt-tokenizer/encoding/${name}`) as Promise<Encoder & { default?: Encoder }>).then((m) => textCounter(m.default ?? m));
    encoders.set(name, e);
  }
  return e;
};

/** Texts shorter than this are counted rather than looked up (the hash would cost about as much). */
const CACHE_FROM_CHARS = 256;
/** Counts remembered per encoding, in two generations (the older dropped whole when the newer fills). */
const GENERATION = 20_000;
const caches = new Map<string, Generations<number>>();

function countAll(name: string, enc: TextCounter, texts: string[]): number[] {
  let cache = caches.get(name);
  if (!cache) caches.set(name, (cache = new Generations(GENERATION)));
  const out = new Array<number>(texts.length);
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i]!;
    if (t.length < CACHE_FROM_CHARS) { out[i] = enc.count(t); continue; }
    const key = hash('sha1', t, 'base64');
    let n = cache.get(key);
    if (n === undefined) cache.set(key, (n = enc.count(t)));
    out[i] = n;
  }
  return out;
}

parentPort!.on('message', (batch: CountBatch) => {
  void Promise.all(batch.lists.map(async ({ encoding, texts }) => {
    if (texts.length === 0) return [];
    try {
      return countAll(encoding, await load(encoding), texts);
    } catch (err) {
      return { error: (err as Error).message };
    }
  })).then((counts) => parentPort!.postMessage({ id: batch.id, counts } satisfies CountAnswer));
});
