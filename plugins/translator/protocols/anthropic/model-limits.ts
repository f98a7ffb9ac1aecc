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
  // Every Claude 5 model (Opus 5 / 5.5, Sonnet 5 / 5.5, Haiku 5.5, Fable, Mythos): 128K.
  [new RegExp(`^claude-(?:opus|sonnet|haiku|fable|mythos)-5(?:-\\d)?${VERSION}`), 128000],
];

/**
 * Claude models that think only adaptively and sample only at their defaults: Opus 4.7 and later,
 * and the Claude 5 family. On these `thinking: {type: "enabled", budget_tokens}` is a 400
 * ("\"thinking.type.enabled\" is not supported for this model. Use \"thinking.type.adaptive\" and
 * \"output_config.effort\""), and so is a non-default temperature, top_p or top_k (Anthropic's
 * Sonnet 5 and Opus 5.5 pages; its list of models that reject sampling parameters). A newer Claude
 * (a 6) is assumed to follow them, as Anthropic's every release since 4.7 has.
 */
const ADAPTIVE_ONLY = new RegExp(`^claude-(?:opus-4-(?:[7-9]|\\d{2})|(?:opus|sonnet|haiku|fable|mythos)-(?:[5-9]|\\d{2})(?:-\\d+)?|mythos-preview)${VERSION}`);

/**
 * Claude models whose thinking cannot be turned off: `thinking: {type: "disabled"}` is a 400 there
 * (Opus 5.5 and Fable 5.1 per Anthropic's "What's new in Claude Opus 5.5"; Fable 5 and the Mythos
 * models think adaptively only). The lowest effort is the nearest they come to no thinking.
 */
const ALWAYS_THINKING = new RegExp(`^claude-(?:opus-5-5|fable-5(?:-\\d+)?|mythos-(?:5(?:-\\d+)?|preview))${VERSION}`);

/** Whether the model takes thinking only as `{type: "adaptive"}` with `output_config.effort`, and no sampling values. */
export function adaptiveThinkingOnly(model: string): boolean {
  return ADAPTIVE_ONLY.test(model);
}

/** Whether the model refuses `thinking: {type: "disabled"}` (it always thinks). */
export function alwaysThinks(model: string): boolean {
  return ALWAYS_THINKING.test(model);
}

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
