// OpenAI-compatible servers whose chat templates are stricter than OpenAI's about message order,
// known by their model names (on their own API, vLLM, OpenRouter, Ollama alike). Everything else —
// OpenAI, Llama, DeepSeek, and the names tests and gateways make up — gets messages where the
// client put them, as before: only these templates refuse that order.

/**
 * Mistral's models: a user message after tool messages ("Unexpected role 'user' after role
 * 'tool'"), a system message after an assistant one, and call ids other than nine letters and digits
 * are 400s, on Mistral's API and wherever its tokenizer checks the request.
 */
const MISTRAL = /mistral|mixtral|codestral|devstral|ministral|pixtral|magistral|voxtral/i;
/** Templates that take a system message only first: Mistral's, Qwen's ("System message must be at the beginning"), Gemma's. */
const SYSTEM_FIRST_ONLY = /mistral|mixtral|codestral|devstral|ministral|pixtral|magistral|voxtral|qwen|gemma/i;

export const isMistralModel = (model: string): boolean => MISTRAL.test(model);
export const takesSystemOnlyFirst = (model: string): boolean => SYSTEM_FIRST_ONLY.test(model);
