// A prompt that does not fit the model's context window, as each provider family reports it (a 400),
// read so it can be said again in another family's words. Clients act on it: Claude Code compacts
// the conversation on an Anthropic error whose message contains "prompt is too long", reading how
// much to cut from "N tokens > M maximum"; OpenAI clients (Codex) look for the code
// `context_length_exceeded`. Said in a foreign family's words, it reaches them as a dead end.
import { asNumber } from './json.js';
import type { ApiFamily, JsonObject } from './types.js';

export interface ContextOverflow {
  /** Tokens the prompt took, when the provider said. */
  actual: number | undefined;
  /** The model's context window, when the provider said. */
  limit: number | undefined;
}

/** OpenAI and compatible servers: "maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens" (vLLM: "you requested 5000 tokens"). */
const OPENAI_LIMIT = /maximum context length is (\d+)/i;
const OPENAI_ACTUAL = /(?:resulted in|requested) (\d+) tokens/i;
/** Anthropic: "prompt is too long: 212345 tokens > 200000 maximum". */
const ANTHROPIC = /prompt is too long/i;
const ANTHROPIC_COUNTS = /(\d+)\s*tokens?\s*>\s*(\d+)/i;
/** Google: "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576)." */
const GEMINI = /input token count(?: \((\d+)\))? exceeds the maximum number of tokens allowed(?: \((\d+)\))?/i;

const count = (digits: string | undefined): number | undefined => (digits === undefined ? undefined : Number(digits));

/** The overflow an upstream's 400 error body reports, or undefined for any other error. */
export function contextOverflow(family: ApiFamily, body: JsonObject | string, status: number): ContextOverflow | undefined {
  if (status !== 400 || typeof body !== 'object') return undefined;
  const inner = body['error'];
  if (!inner || typeof inner !== 'object' || Array.isArray(inner)) return undefined;
  // The provider's sentence comes first; a bounded head keeps the patterns' work bounded whatever it sent.
  const message = typeof inner['message'] === 'string' ? inner['message'].slice(0, 1000) : '';
  switch (family) {
    case 'openai': {
      // llama.cpp's server: type exceed_context_size_error with n_prompt_tokens and n_ctx.
      if (inner['type'] === 'exceed_context_size_error') {
        return { actual: asNumber(inner['n_prompt_tokens']), limit: asNumber(inner['n_ctx']) };
      }
      const limit = OPENAI_LIMIT.exec(message);
      if (inner['code'] !== 'context_length_exceeded' && !limit) return undefined;
      return { actual: count(OPENAI_ACTUAL.exec(message)?.[1]), limit: count(limit?.[1]) };
    }
    case 'anthropic': {
      if (!ANTHROPIC.test(message)) return undefined;
      const counts = ANTHROPIC_COUNTS.exec(message);
      return { actual: count(counts?.[1]), limit: count(counts?.[2]) };
    }
    case 'gemini': {
      const m = GEMINI.exec(message);
      return m ? { actual: count(m[1]), limit: count(m[2]) } : undefined;
    }
  }
}

/** Anthropic's own wording, which Claude Code parses. */
export function anthropicOverflowMessage(overflow: ContextOverflow, original: string): string {
  return overflow.actual !== undefined && overflow.limit !== undefined
    ? `prompt is too long: ${overflow.actual} tokens > ${overflow.limit} maximum`
    : `prompt is too long: ${original}`;
}
