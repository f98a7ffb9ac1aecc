// Deterministic helpers for the offline loopback model.
import { createHash } from 'node:crypto';

/** Rough token count (≈4 characters a token) for usage figures that stay stable across runs. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.max(1, Math.ceil(text.length / 4));
}

export function shortHash(text: string, length = 24): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** `[[tool:NAME {json}]]` in the prompt asks loopback for a scripted tool call. */
const TOOL_MARKERS = /\[\[tool(?::([A-Za-z0-9_.-]+))?(?:\s+(\{[\s\S]*?\}))?\]\]/g;
const FLAGS = { think: /\[\[think\]\]/, parallel: /\[\[parallel\]\]/ } as const;

/** `[[think]]` asks for a reasoning block first; `[[parallel]]` for every tool marker at once. */
export function hasFlag(text: string, flag: keyof typeof FLAGS): boolean {
  return FLAGS[flag].test(text);
}

export interface ToolRequest {
  name: string | undefined;
  arguments: string;
}

export function findToolMarkers(text: string): ToolRequest[] {
  return [...text.matchAll(TOOL_MARKERS)].map(toolRequest);
}

function toolRequest(m: RegExpMatchArray): ToolRequest {
  let args = '{}';
  if (m[2]) {
    try { args = JSON.stringify(JSON.parse(m[2])); } catch { args = JSON.stringify({ input: m[2] }); }
  }
  return { name: m[1], arguments: args };
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
  return `Loopback reasoning. The last turn reads: ${clip(trigger, 120)} Plan: ${plan}.`;
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

/** A unit-length vector derived from the text: same input, same embedding. */
export function embed(text: string, dimensions: number): number[] {
  const out: number[] = [];
  let block = Buffer.alloc(0);
  for (let i = 0; out.length < dimensions; i++) {
    if (i % 8 === 0) block = createHash('sha256').update(`${i / 8}:${text}`).digest();
    out.push(block.readInt32LE((i % 8) * 4) / 2 ** 31);
  }
  const norm = Math.hypot(...out) || 1;
  return out.map((x) => x / norm);
}
