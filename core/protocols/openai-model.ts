// Whether a model name is one of OpenAI's own, behind the same Chat protocol as every other server's:
// OpenAI's models take messages in any order and read a tool's output as less trusted than a user's
// or system's words, where strict servers (Mistral's API, vLLM with Mistral's tokenizer, chat
// templates such as Qwen's) refuse a system message but first. The translator and the view's note
// both choose their form by it. Dated ids (`gpt-4o-2024-08-06`) and OpenRouter's `openai/` prefix
// match their family.

const OPENAI_MODEL = /^(?:openai\/)?(?:gpt-|o\d|chatgpt-)/;

/** Whether the model is one of OpenAI's own (any other name is another server's). */
export function isOpenAIModel(model: string): boolean {
  return OPENAI_MODEL.test(model);
}
