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

/** Tokens of a request's text (every segment, plus a few per turn for the role framing). */
export function estimateRequestTokens(view: RequestView): number {
  let chars = 0;
  for (const s of view.segments()) chars += s.text.length;
  return chars === 0 ? 0 : Math.ceil(chars / 4) + view.turns() * 3;
}
