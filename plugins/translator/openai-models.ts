// What OpenAI's models accept that the other protocols do not constrain. OpenAI's models without
// reasoning refuse a reasoning effort ("Unsupported parameter: 'reasoning_effort' is not supported
// with this model", `reasoning.effort` on Responses), and Claude Code and Gemini CLI ask for
// thinking on every turn: sent to those models, every translated turn would fail. Dated ids
// (`gpt-4o-2024-08-06`) and OpenRouter's `openai/` prefix match their family.

/** OpenAI's model families without reasoning; o-series, gpt-5 and later reason. */
const NO_REASONING = /^(?:openai\/)?(?:gpt-4o|gpt-4\.1|gpt-4\.5|gpt-4(?:-|$)|gpt-3\.5|chatgpt-4o)/;

/**
 * Whether the model takes a reasoning effort. A name not in the list — a reasoning model, or
 * another server's model behind an OpenAI-compatible API — gets the effort as the client asked.
 */
export function takesReasoningEffort(model: string): boolean {
  return !NO_REASONING.test(model);
}
