// What Anthropic's models accept that the other protocols do not constrain: the largest
// `max_tokens` each takes, and whether `temperature` and `top_p` may come together. From
// Anthropic's models overview and migration guide; a request outside these is a 400 there, so a
// translated request is fitted to them instead (docs/translation.md, "Request fields").
// Dated ids (`-20241022`) and `-latest` aliases match their family.

const VERSION = '(?:-\\d{8}|-latest)?$';

/** Largest max_tokens by model family, only where it is below what Sluice would send anyway or is known exactly. */
const MAX_OUTPUT: readonly (readonly [RegExp, number])[] = [
  [new RegExp(`^claude-3-(?:haiku|sonnet|opus)${VERSION}`), 4096],
  [new RegExp(`^claude-3-5-(?:haiku|sonnet)${VERSION}`), 8192],
  [new RegExp(`^claude-3-7-sonnet${VERSION}`), 64000],
  [new RegExp(`^claude-opus-4(?:-0|-1)?${VERSION}`), 32000],
  [new RegExp(`^claude-sonnet-4(?:-0)?${VERSION}`), 64000],
  [new RegExp(`^claude-(?:sonnet|haiku|opus)-4-5${VERSION}`), 64000],
];

/**
 * Claude models before Opus 4.1. They still take temperature and top_p together (from Opus 4.1 on,
 * Anthropic refuses the pair: "temperature and top_p cannot both be specified for this model"),
 * and they have no structured outputs (`output_config.format` is a 400 there). A model newer than
 * this list is assumed to be like Opus 4.1 and later.
 */
const BEFORE_OPUS_4_1 = new RegExp(`^claude-(?:3-(?:haiku|sonnet|opus|5-haiku|5-sonnet|7-sonnet)|sonnet-4(?:-0)?|opus-4(?:-0)?)${VERSION}`);

/** The largest max_tokens the model takes, or undefined for a model not in the table. */
export function maxOutputTokens(model: string): number | undefined {
  for (const [pattern, max] of MAX_OUTPUT) if (pattern.test(model)) return max;
  return undefined;
}

/**
 * Whether the model takes temperature and top_p in one request. A name that is not a Claude
 * model's is another server speaking the Messages API (Kimi, GLM, MiniMax…), held to Anthropic's
 * older contract: it gets both, as the client asked.
 */
export function acceptsTemperatureWithTopP(model: string): boolean {
  return !model.startsWith('claude-') || BEFORE_OPUS_4_1.test(model);
}

/**
 * Whether the model takes `output_config.format` (structured outputs: Opus 4.1, the 4.5 models and
 * later). Another server speaking the Messages API is sent what the client asked, as before.
 */
export function takesStructuredOutputs(model: string): boolean {
  return !model.startsWith('claude-') || !BEFORE_OPUS_4_1.test(model);
}
