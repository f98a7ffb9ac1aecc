// Counts of short texts that recur — a deployment's system prompts, a client's fixed instructions,
// the same short answer — kept on the gateway's side of the tokenizer thread, so that a writer cycle
// whose texts were all counted before neither asks the thread nor wakes it. Each cycle asked the
// thread again, however often it had counted the same texts: a message cloned, the thread woken
// (dear on small virtual machines: bench/results/ledger.md round 19), gpt-tokenizer run on each
// short text (the thread remembers only texts of 256+ characters, by hash), and the answer cloned
// back, for counts the gateway had been given the cycle before.
//
// Only a text seen at least twice in one cycle is kept: one that recurs within a cycle's few hundred
// rows is likely to recur in the next, while a question asked once (most user messages) would only
// churn the generations, and every text kept outlives the young generation. A text not found here is
// looked up in the cycle's dedupe next, with the hash V8 computed for this lookup (kept in the string).
import type { Encoding } from './encoding.js';
import { Generations } from './generations.js';

/** Texts longer than this are not kept (the thread remembers those by hash, and holding them costs memory). */
export const KNOWN_MAX_CHARS = 256;
/** Texts a generation holds; the older generation is dropped whole when the newer fills. */
const GENERATION = 4096;

/** Token counts of recurring short texts, per encoding (counts are a function of the encoding and the text alone). */
export class KnownCounts {
  private readonly byEncoding = new Map<Encoding, Generations<number>>();

  /** The count of `text` in `encoding`, if it was kept. */
  get(encoding: Encoding, text: string): number | undefined {
    return this.byEncoding.get(encoding)?.get(text);
  }

  /** Keeps a count the tokenizer gave (texts over KNOWN_MAX_CHARS are not kept). */
  remember(encoding: Encoding, text: string, tokens: number): void {
    if (text.length > KNOWN_MAX_CHARS) return;
    let g = this.byEncoding.get(encoding);
    if (!g) this.byEncoding.set(encoding, (g = new Generations(GENERATION)));
    g.set(text, tokens);
  }
}
