// Chunkings of a byte transcript for "the decoder gives the same events wherever the bytes are cut".
// Splitting into two at every offset costs one whole decode per byte (tens of thousands for a
// recorded stream); these plans put a chunk boundary at every offset in `stride` decodes instead,
// plus a few seeded two-piece splits so a big first chunk followed by a partial line is exercised too.
import { prng } from './prng.js';

export interface SplitPlan {
  /** What to print when this plan fails, enough to replay it. */
  label: string;
  chunks: Uint8Array[];
}

export interface SplitOptions {
  /** Bytes between the cuts of one pass. */
  stride: number;
  /**
   * How many passes: by default all `stride` of them, so every offset 1 … length − 1 is a boundary
   * exactly once; fewer (for transcripts too big to cover whole) picks that many phases by seed.
   */
  passes?: number;
  /** Two-piece splits at offsets drawn from the seed. */
  singles?: number;
  seed?: number;
}

/**
 * Pass p cuts at p, p + stride, p + 2·stride, …: over all passes 1 ≤ p ≤ stride every offset is a
 * boundary once (inside UTF-8 sequences, CRLFs, field names and JSON alike). Then `singles`
 * two-piece splits at seeded offsets.
 */
export function splitPlans(bytes: Uint8Array, { stride, passes, singles = 32, seed = 0x5eed }: SplitOptions): SplitPlan[] {
  const r = prng(seed);
  const plans: SplitPlan[] = [];
  const phases = Math.min(stride, Math.max(bytes.length - 1, 0));
  const chosen = passes === undefined || passes >= phases
    ? Array.from({ length: phases }, (_, i) => i + 1)
    : Array.from({ length: passes }, () => 1 + r.int(phases));
  for (const p of chosen) {
    const chunks: Uint8Array[] = [bytes.subarray(0, p)];
    for (let at = p; at < bytes.length; at += stride) chunks.push(bytes.subarray(at, Math.min(at + stride, bytes.length)));
    plans.push({ label: `cut at ${p} + k·${stride}`, chunks });
  }
  for (let n = 0; n < singles && bytes.length > 1; n++) {
    const at = 1 + r.int(bytes.length - 1);
    plans.push({ label: `split at ${at}`, chunks: [bytes.subarray(0, at), bytes.subarray(at)] });
  }
  return plans;
}

/** Every boundary the plans put in (to check that no offset is missed). */
export function boundaries(plans: SplitPlan[]): Set<number> {
  const out = new Set<number>();
  for (const { chunks } of plans) {
    let at = 0;
    for (const c of chunks.slice(0, -1)) { at += c.length; out.add(at); }
  }
  return out;
}
