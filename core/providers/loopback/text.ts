// Deterministic helpers for the offline loopback model.
import { createHash } from 'node:crypto';

/** Rough token count (≈4 characters a token) for usage figures that stay stable across runs. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.max(1, Math.ceil(text.length / 4));
}

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
 * A unit-length vector derived from the text: same input, same embedding. SHAKE256 reads the text
 * once and stretches its digest to any length, so the cost is the text plus the vector, not their
 * product (one hash of the whole text per eight values made 4096 dimensions of a long text slow).
 */
export function embed(text: string, dimensions: number): number[] {
  const bytes = createHash('shake256', { outputLength: dimensions * 4 }).update(text).digest();
  const out = new Array<number>(dimensions);
  let squares = 0;
  for (let i = 0; i < dimensions; i++) {
    const x = bytes.readInt32LE(i * 4) / 2 ** 31;
    out[i] = x;
    squares += x * x;
  }
  const norm = Math.sqrt(squares) || 1;
  for (let i = 0; i < dimensions; i++) out[i] = out[i]! / norm;
  return out;
}
