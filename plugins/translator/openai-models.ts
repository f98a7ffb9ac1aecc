// What OpenAI's models accept that the other protocols do not constrain, from OpenAI's model
// pages; a request outside these is a 400 there, and Claude Code and Gemini CLI send what Claude
// and Gemini take on every turn, so a translated request is fitted to them instead:
// - models without reasoning refuse a reasoning effort ("Unsupported parameter:
//   'reasoning_effort' is not supported with this model", `reasoning.effort` on Responses);
// - each model has a largest output ("max_tokens is too large: 32000. This model supports at most
//   16384 completion tokens"), below the 32000–128000 Claude Code asks for;
// - reasoning models take only the default sampling ("Unsupported parameter: 'top_p' is not
//   supported with this model", "'temperature' does not support 0.7 ... Only the default (1)"),
//   and Gemini CLI sends temperature 1 with topP 0.95 on every turn.
// Dated ids (`gpt-4o-2024-08-06`) and OpenRouter's `openai/` prefix match their family.

/**
 * OpenAI's model families without reasoning; o-series, gpt-5 and later reason — except
 * `gpt-5-chat(-latest)`, ChatGPT's snapshot, which refuses `reasoning.effort` like gpt-4o.
 */
const NO_REASONING = /^(?:openai\/)?(?:gpt-4o|gpt-4\.1|gpt-4\.5|gpt-4(?:-|$)|gpt-3\.5|chatgpt-4o|gpt-5-chat)/;

/** OpenAI's models that always reason: o-series, and gpt-5 with its -mini/-nano/-codex variants. */
const ALWAYS_REASONING = /^(?:openai\/)?(?:o\d|gpt-5(?:-|$))/;
/** gpt-5.1 and later reason only when an effort other than `none` is asked… */
const REASONING_ON_ASK = /^(?:openai\/)?gpt-5\./;
/**
 * …except gpt-5.5 and later, and the pro models, which reason when no effort is given: "gpt-5.5
 * defaults to medium reasoning effort" (OpenAI's reasoning guide; gpt-5.1 to 5.4 default to
 * `none`), and gpt-5.4-pro takes only medium, high and xhigh (its model page).
 */
const REASONING_BY_DEFAULT = /^(?:openai\/)?gpt-5\.(?:[5-9]|\d{2,}|\d+-pro)/;

/**
 * A sampling value (temperature, top_p) as the model takes it, given the reasoning effort the
 * request sends: a reasoning OpenAI model refuses any but the default 1, so another value is left
 * out (the model samples at its default anyway).
 */
export function samplingFor(model: string, value: number, effort: string | undefined): number | undefined {
  return value === 1 || !reasons(model, effort) ? value : undefined;
}

/**
 * A presence or frequency penalty as the model takes it: reasoning models refuse any but the
 * default 0 ("Unsupported parameter: 'presence_penalty' is not supported with this model"), as
 * they refuse sampling values.
 */
export function penaltyFor(model: string, value: number, effort: string | undefined): number | undefined {
  return value === 0 || !reasons(model, effort) ? value : undefined;
}

/** Whether the model reasons on this request, given the effort it is sent. */
function reasons(model: string, effort: string | undefined): boolean {
  if (ALWAYS_REASONING.test(model)) return true;
  return REASONING_ON_ASK.test(model) && (effort === undefined ? REASONING_BY_DEFAULT.test(model) : effort !== 'none');
}

/** Names of OpenAI's own models (a name outside these is another server's, behind an OpenAI-compatible API). */
const OPENAI_MODEL = /^(?:openai\/)?(?:gpt-|o\d|chatgpt-)/;

/** Whether the model is one of OpenAI's own (any other name is another server's). */
export function isOpenAIModel(model: string): boolean {
  return OPENAI_MODEL.test(model);
}
/** OpenAI's models with a verbosity control: the gpt-5 family, but for ChatGPT's gpt-5-chat snapshot. */
const VERBOSITY = /^(?:openai\/)?gpt-5(?!-chat)/;

/**
 * Whether the model takes a verbosity other than medium: OpenAI's models before gpt-5 refuse it
 * ("Unsupported value: 'low' is not supported with the 'gpt-4.1' model. Supported values are:
 * 'medium'"); another server's model gets it as the client asked.
 */
export function takesVerbosity(model: string): boolean {
  return VERBOSITY.test(model) || !isOpenAIModel(model);
}

/** OpenAI takes at most four stop sequences (Gemini five, Anthropic more). */
const MAX_STOP_SEQUENCES = 4;

/**
 * The stop sequences as the model takes them, given the reasoning effort the request sends: a
 * reasoning OpenAI model refuses `stop` outright ("Unsupported parameter: 'stop' is not supported
 * with this model"), so it gets none; others get the first four.
 */
export function stopFor(model: string, stop: readonly string[], effort: string | undefined): string[] {
  if (ALWAYS_REASONING.test(model)) return [];
  if (REASONING_ON_ASK.test(model) && effort !== undefined && effort !== 'none') return [];
  return stop.slice(0, MAX_STOP_SEQUENCES);
}

/**
 * Whether the model takes a reasoning effort. A name not in the list — a reasoning model, or
 * another server's model behind an OpenAI-compatible API — gets the effort as the client asked.
 */
export function takesReasoningEffort(model: string): boolean {
  return !NO_REASONING.test(model);
}

/**
 * The reasoning effort as the model takes it. gpt-5.1 and later have `none` instead of `minimal`
 * ("Unsupported value: 'minimal' is not supported with the 'gpt-5.1' model. Supported values are:
 * 'none', 'low', 'medium', and 'high'"; gpt-5.2 on add `xhigh`, OpenAI's API reference), and
 * Gemini CLI (thinkingLevel MINIMAL) or a Chat client written for gpt-5 still asks for it: the
 * nearest level they take is `low` (`none` would switch reasoning off).
 */
export function effortFor(model: string, effort: string): string {
  return effort === 'minimal' && REASONING_ON_ASK.test(model) ? 'low' : effort;
}

const FAMILY = '^(?:openai\\/)?';

/** Largest output tokens by model family, most specific first. */
const MAX_OUTPUT: readonly (readonly [RegExp, number])[] = [
  // gpt-4o's first snapshot: 4096 (16384 from gpt-4o-2024-08-06 on, which the gpt-4o alias names).
  [new RegExp(`${FAMILY}gpt-4o-2024-05-13`), 4096],
  [new RegExp(`${FAMILY}(?:gpt-4o|chatgpt-4o|gpt-4\\.5)`), 16384],
  [new RegExp(`${FAMILY}gpt-4\\.1`), 32768],
  [new RegExp(`${FAMILY}(?:gpt-4-turbo|gpt-4-\\d{4}-preview|gpt-3\\.5)`), 4096],
  [new RegExp(`${FAMILY}gpt-4(?:-\\d{4})?$`), 8192],
  [new RegExp(`${FAMILY}o1-mini`), 65536],
  [new RegExp(`${FAMILY}o1-preview`), 32768],
  [new RegExp(`${FAMILY}(?:o1|o3|o4-mini)(?:-|$)`), 100000],
  // ChatGPT's gpt-5 snapshot answers at most 16384, not the reasoning gpt-5's 128000.
  [new RegExp(`${FAMILY}gpt-5-chat`), 16384],
  [new RegExp(`${FAMILY}gpt-5`), 128000],
];

/** The largest output the model takes, or undefined for a name not in the table (left as asked). */
export function maxOutputTokens(model: string): number | undefined {
  for (const [pattern, max] of MAX_OUTPUT) if (pattern.test(model)) return max;
  return undefined;
}

/** `asked` brought down to the model's largest output. */
export function fittedMaxTokens(model: string, asked: number): number {
  const max = maxOutputTokens(model);
  return max !== undefined && asked > max ? max : asked;
}
