// Deterministic helpers for the offline loopback model.
import { createHash } from 'node:crypto';

// Loopback's usage figures come from the gateway's one estimator, so they stay stable across runs
// and agree with what the ledger and limits estimate.
export { estimateTokens } from '../../protocols/estimate.js';

export function shortHash(text: string, length = 24): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

function clip(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) + '…' : text;
}

export function replyTo(prompt: string): string {
  const clipped = clip(prompt, 200);
  return clipped ? `Loopback reply. You said: ${clipped}` : 'Loopback reply.';
}

export function toolResultReply(name: string, result: string): string {
  return `Tool ${name} returned: ${clip(result, 200)}`;
}

export function reasoningAbout(trigger: string, plan: string): string {
  return `Loopback reasoning. The last turn reads: ${clip(trigger, 120)} Plan: ${clip(plan, 200)}.`;
}

/** Streamed tool arguments arrive in pieces this small, so consumers meet JSON split anywhere. */
export const ARGUMENT_FRAGMENT = 8;

export function fragments(text: string, size = ARGUMENT_FRAGMENT): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** Splits text into stream-sized pieces on word boundaries (whitespace kept with the word). */
export function streamPieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/**
 * A unit-length vector derived from the text: same input, same embedding. The text is read once
 * into a 128-bit seed (cyrb128) that a small generator (sfc32) stretches to any length, so the cost
 * is the text plus the vector, not their product (one SHA-256 of the whole text per eight values
 * made 4096 dimensions of a long text slow), and a batch of short inputs costs no hash set-up each.
 */
export function embed(text: string, dimensions: number): number[] {
  let [a, b, c, d] = seed128(text);
  const out = new Array<number>(dimensions);
  let squares = 0;
  for (let i = 0; i < dimensions; i++) {
    // sfc32: a counter-based generator that passes PractRand; plenty for a deterministic test vector.
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    const x = t / 2 ** 31;
    out[i] = x;
    squares += x * x;
  }
  const norm = Math.sqrt(squares) || 1;
  for (let i = 0; i < dimensions; i++) out[i] = out[i]! / norm;
  return out;
}

/** cyrb128: four 32-bit words mixed from every UTF-16 unit of the text. */
function seed128(text: string): [number, number, number, number] {
  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4; h2 ^= h1; h3 ^= h1; h4 ^= h1;
  return [h1 | 0, h2 | 0, h3 | 0, h4 | 0];
}
