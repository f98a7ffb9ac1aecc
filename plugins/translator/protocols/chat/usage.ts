// Chat usage ⇄ IR usage. Chat's prompt_tokens include cached reads (and, when the upstream was
// Anthropic, cache writes); the IR keeps the classes disjoint.
import { usageFrom, type JsonObject, type JsonValue, type Usage } from '../../../../core/index.js';

const CHAT = { family: 'openai', operation: 'chat' } as const;

/** IR usage from a Chat body or chunk; undefined when it carries no `usage` object. */
export function usageToIr(body: JsonValue): Usage | undefined {
  return usageFrom(CHAT, body);
}

export function usageFromIr(u: Usage): JsonObject {
  const prompt = u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens;
  return {
    prompt_tokens: prompt,
    completion_tokens: u.outputTokens,
    total_tokens: prompt + u.outputTokens,
    prompt_tokens_details: { cached_tokens: u.cacheReadTokens },
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens },
  };
}
