// Gemini usageMetadata ⇄ IR usage. Gemini's promptTokenCount includes cachedContentTokenCount and
// its thoughtsTokenCount is separate from candidatesTokenCount; the IR keeps input classes
// disjoint and counts reasoning inside outputTokens (as OpenAI's completion_tokens and Anthropic's
// output_tokens do), so every family reports the same total.
import { asNumber, asObject, type JsonObject, type JsonValue, type Usage } from '../../../../core/index.js';

export function usageFromGemini(metadata: JsonValue | undefined): Usage | undefined {
  const u = asObject(metadata);
  if (!u) return undefined;
  const prompt = asNumber(u['promptTokenCount']) ?? 0;
  const cached = asNumber(u['cachedContentTokenCount']) ?? 0;
  // Tokens of tool-use prompts (code execution, search results) are billed as input but not in promptTokenCount.
  const toolPrompt = asNumber(u['toolUsePromptTokenCount']) ?? 0;
  const thoughts = asNumber(u['thoughtsTokenCount']) ?? 0;
  return {
    inputTokens: Math.max(0, prompt - cached) + toolPrompt,
    outputTokens: (asNumber(u['candidatesTokenCount']) ?? 0) + thoughts,
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
    reasoningTokens: thoughts,
    estimated: false,
  };
}

export function usageToGemini(usage: Usage): JsonObject {
  // Gemini has no cache-write class: those tokens were read as prompt, so they count there.
  const cached = usage.cacheReadTokens;
  const prompt = usage.inputTokens + cached + usage.cacheWriteTokens;
  const thoughts = Math.min(usage.reasoningTokens, usage.outputTokens);
  const candidates = usage.outputTokens - thoughts;
  const out: JsonObject = { promptTokenCount: prompt, candidatesTokenCount: candidates, totalTokenCount: prompt + candidates + thoughts };
  if (cached > 0) out['cachedContentTokenCount'] = cached;
  if (thoughts > 0) out['thoughtsTokenCount'] = thoughts;
  return out;
}
