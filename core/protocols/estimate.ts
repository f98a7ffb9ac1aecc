// The one token estimator: about four characters a token, the rule of thumb every provider's docs
// give for English text. Used only where no provider count exists, and always flagged as estimated.
import type { RequestView } from './view/types.js';

export function estimateTokens(text: string): number {
  return estimateTokensOfLength(text.length);
}

/** The same estimate for text known only by its length (a prompt too long to keep, say). */
export function estimateTokensOfLength(chars: number): number {
  return chars === 0 ? 0 : Math.max(1, Math.ceil(chars / 4));
}

/**
 * Tokens of a request's text (every segment, plus a few per turn for the role framing), and the
 * token ids it gives instead of text (requestTokenIds).
 */
export function estimateRequestTokens(view: RequestView): number {
  let chars = 0;
  for (const s of view.segments()) chars += s.text.length;
  return (chars === 0 ? 0 : Math.ceil(chars / 4) + view.turns() * 3) + requestTokenIds(view);
}

/**
 * The token ids a request gives in place of text: OpenAI's embeddings take `input` as one list of
 * integers or a list of such lists, billed a token an id. The view has no text for them (there is
 * none), yet their number is their count, exactly, whatever the tokenizer. 0 for anything else.
 */
export function requestTokenIds(view: RequestView): number {
  const p = view.protocol;
  if (p.family !== 'openai' || p.operation !== 'embeddings') return 0;
  const input = view.body['input'];
  if (!Array.isArray(input)) return 0;
  if (input.length > 0 && input.every((v) => typeof v === 'number')) return input.length;
  let n = 0;
  for (const item of input) if (Array.isArray(item) && item.every((v) => typeof v === 'number')) n += item.length;
  return n;
}
