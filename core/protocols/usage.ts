// Reads token usage out of each family's response bodies and stream events.
import { asNumber, asObject } from './json.js';
import type { JsonObject, JsonValue, Protocol, Usage } from './types.js';
import { mergeExtras } from './usage-fees.js';

/** Usage from a JSON response body or a stream event payload; undefined when it carries none. */
export function usageFrom(protocol: Protocol, payload: JsonValue): Usage | undefined {
  const body = asObject(payload);
  if (!body) return undefined;
  switch (protocol.family) {
    case 'openai': {
      const inner = asObject(body['response']); // Responses API stream events wrap the response
      const u = asObject(body['usage']) ?? asObject(inner?.['usage']);
      if (!u) return undefined;
      // Chat: prompt/completion; Responses and embeddings: input/output (or prompt only).
      const output = asNumber(u['completion_tokens']) ?? asNumber(u['output_tokens']) ?? 0;
      // Some OpenAI-compatible embeddings servers report the total alone (Voyage AI's
      // `usage: { total_tokens }`): what is not output is the prompt, not a billed 0.
      const input = asNumber(u['prompt_tokens']) ?? asNumber(u['input_tokens']) ?? Math.max(0, (asNumber(u['total_tokens']) ?? 0) - output);
      const inDetails = asObject(u['prompt_tokens_details']) ?? asObject(u['input_tokens_details']);
      const outDetails = asObject(u['completion_tokens_details']) ?? asObject(u['output_tokens_details']);
      // DeepSeek reports its cache hits as prompt_cache_hit_tokens (beside prompt_cache_miss_tokens),
      // not in prompt_tokens_details; both count them inside prompt_tokens, as OpenAI does.
      const cached = asNumber(inDetails?.['cached_tokens']) ?? asNumber(u['prompt_cache_hit_tokens']) ?? 0;
      // OpenRouter names the cache writes of the models that bill them (Claude's, at 1.25 × input)
      // prompt_tokens_details.cache_write_tokens, also counted inside prompt_tokens; Responses
      // servers that bill them (Azure's) input_tokens_details.cache_write_tokens.
      const written = asNumber(inDetails?.['cache_write_tokens']) ?? 0;
      const reasoning = asNumber(outDetails?.['reasoning_tokens']) ?? 0;
      // OpenAI counts cached tokens inside prompt_tokens; we keep classes disjoint.
      return {
        inputTokens: Math.max(0, input - cached - written), outputTokens: output + reasoningOutside(u, input, output, reasoning),
        cacheReadTokens: cached, cacheWriteTokens: written, reasoningTokens: reasoning, estimated: false,
      };
    }
    case 'anthropic': {
      const u = asObject(body['usage']) ?? asObject(asObject(body['message'])?.['usage']);
      if (!u) return undefined;
      const usage: Usage = {
        inputTokens: asNumber(u['input_tokens']) ?? 0, outputTokens: asNumber(u['output_tokens']) ?? 0,
        cacheReadTokens: asNumber(u['cache_read_input_tokens']) ?? 0, cacheWriteTokens: asNumber(u['cache_creation_input_tokens']) ?? 0,
        reasoningTokens: asNumber(asObject(u['output_tokens_details'])?.['thinking_tokens']) ?? 0, estimated: false,
      };
      // cache_creation_input_tokens is both cache lifetimes together; the split prices them apart.
      const hour = asNumber(asObject(u['cache_creation'])?.['ephemeral_1h_input_tokens']);
      if (hour) usage.cacheWrite1hTokens = hour;
      return usage;
    }
    case 'gemini': {
      const u = asObject(body['usageMetadata']);
      if (!u) return undefined;
      // promptTokenCount includes the cached tokens; the prompt of a built-in tool's call
      // (toolUsePromptTokenCount) is billed as input but counted apart from promptTokenCount.
      const cached = asNumber(u['cachedContentTokenCount']) ?? 0;
      const thoughts = asNumber(u['thoughtsTokenCount']) ?? 0;
      const prompt = (asNumber(u['promptTokenCount']) ?? 0) + (asNumber(u['toolUsePromptTokenCount']) ?? 0);
      return {
        // Thoughts count as output, as OpenAI's completion_tokens include reasoning tokens.
        inputTokens: Math.max(0, prompt - cached), outputTokens: (asNumber(u['candidatesTokenCount']) ?? 0) + thoughts,
        cacheReadTokens: cached, cacheWriteTokens: 0, reasoningTokens: thoughts, estimated: false,
      };
    }
  }
}

/**
 * The reasoning tokens an OpenAI-shaped usage counts outside completion_tokens, else 0. OpenAI's
 * completion_tokens include them; xAI's do not (Grok's reasoning_tokens are "separated from the
 * completion_tokens", and its total_tokens adds the three), which a total equal to prompt +
 * completion + reasoning, and not to prompt + completion, tells apart whoever serves the model.
 */
function reasoningOutside(u: JsonObject, input: number, output: number, reasoning: number): number {
  if (reasoning === 0) return 0;
  const total = asNumber(u['total_tokens']);
  return total === input + output + reasoning ? reasoning : 0;
}

/** Merges a later usage report into an earlier one: Anthropic streams split usage over events. */
export function mergeUsage(prev: Usage | undefined, next: Usage): Usage {
  if (!prev) return next;
  const merged: Usage = {
    inputTokens: next.inputTokens || prev.inputTokens,
    outputTokens: next.outputTokens || prev.outputTokens,
    cacheReadTokens: next.cacheReadTokens || prev.cacheReadTokens,
    cacheWriteTokens: next.cacheWriteTokens || prev.cacheWriteTokens,
    reasoningTokens: next.reasoningTokens || prev.reasoningTokens,
    estimated: prev.estimated && next.estimated,
  };
  const hour = next.cacheWrite1hTokens || prev.cacheWrite1hTokens;
  if (hour) merged.cacheWrite1hTokens = hour;
  mergeExtras(merged, prev, next);
  return merged;
}
