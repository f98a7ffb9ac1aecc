// Each provider's usage shape, normalised into disjoint classes: `input` never includes cached
// tokens (OpenAI and Gemini count them inside the prompt, Anthropic outside), reasoning is part of
// output (Gemini reports thoughts apart from candidates), and split stream reports merge.
import { expect } from 'chai';
import { mergeUsage, usageFrom } from '../../../core/protocols/usage.js';
import type { Usage } from '../../../core/protocols/types.js';

const chat = { family: 'openai', operation: 'chat' } as const;
const responses = { family: 'openai', operation: 'responses' } as const;
const messages = { family: 'anthropic', operation: 'messages' } as const;
const generate = { family: 'gemini', operation: 'generate' } as const;
const u = (inputTokens: number, outputTokens: number, cacheReadTokens: number, cacheWriteTokens: number, reasoningTokens: number): Usage =>
  ({ inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, reasoningTokens, estimated: false });

describe('usage shapes, normalised', () => {
  it('OpenAI Chat: cached tokens come out of prompt_tokens; reasoning stays inside completion_tokens', () => {
    expect(usageFrom(chat, { usage: { prompt_tokens: 1200, completion_tokens: 300, prompt_tokens_details: { cached_tokens: 1024 }, completion_tokens_details: { reasoning_tokens: 200 } } }))
      .to.deep.equal(u(176, 300, 1024, 0, 200));
    expect(usageFrom(chat, { usage: { prompt_tokens: 10, completion_tokens: 2 } })).to.deep.equal(u(10, 2, 0, 0, 0));
    // A chunk with `usage: null` (include_usage, before the end) carries none.
    expect(usageFrom(chat, { choices: [{ delta: { content: 'x' } }], usage: null })).to.equal(undefined);
    // Usage on a chunk that also carries choices (the final chunk on some servers) is still usage.
    expect(usageFrom(chat, { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 1 } })).to.deep.equal(u(5, 1, 0, 0, 0));
  });

  it('DeepSeek (Chat): cache hits reported as prompt_cache_hit_tokens come out of prompt_tokens as cached reads', () => {
    // DeepSeek's shape: prompt_tokens = prompt_cache_hit_tokens + prompt_cache_miss_tokens, no prompt_tokens_details.
    expect(usageFrom(chat, { usage: { prompt_tokens: 1000, completion_tokens: 20, total_tokens: 1020, prompt_cache_hit_tokens: 896, prompt_cache_miss_tokens: 104 } }))
      .to.deep.equal(u(104, 20, 896, 0, 0));
    // Where both are given, OpenAI's field is read (the same figure).
    expect(usageFrom(chat, { usage: { prompt_tokens: 1000, completion_tokens: 20, prompt_cache_hit_tokens: 896, prompt_tokens_details: { cached_tokens: 896 } } }))
      .to.deep.equal(u(104, 20, 896, 0, 0));
  });

  it('OpenRouter (Chat) and Responses: cache writes, *_tokens_details.cache_write_tokens, come out of prompt_tokens as cache writes', () => {
    // OpenRouter's documented shape (usage accounting), for a Claude model writing its cache.
    expect(usageFrom(chat, { usage: { prompt_tokens: 194, completion_tokens: 2, total_tokens: 196, cost: 0.95, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 100, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } } }))
      .to.deep.equal(u(94, 2, 0, 100, 0));
    expect(usageFrom(chat, { usage: { prompt_tokens: 3000, completion_tokens: 10, prompt_tokens_details: { cached_tokens: 2000, cache_write_tokens: 900 } } }))
      .to.deep.equal(u(100, 10, 2000, 900, 0));
    // The Responses shape names them the same (Azure's input_tokens_details.cache_write_tokens).
    expect(usageFrom(responses, { usage: { input_tokens: 3000, input_tokens_details: { cached_tokens: 2000, cache_write_tokens: 900 }, output_tokens: 10 } }))
      .to.deep.equal(u(100, 10, 2000, 900, 0));
  });

  it('xAI (Chat): reasoning_tokens outside completion_tokens (total = prompt + completion + reasoning) are added to output', () => {
    // Grok's documented answer (Vertex AI's partner-model page): 663 + 50 + 124 = 837.
    expect(usageFrom(chat, { usage: { completion_tokens: 50, completion_tokens_details: { accepted_prediction_tokens: 0, audio_tokens: 0, reasoning_tokens: 124, rejected_prediction_tokens: 0 }, cost_in_usd_ticks: 0, num_sources_used: 0, prompt_tokens: 663, prompt_tokens_details: { audio_tokens: 0, cached_tokens: 654, image_tokens: 0, text_tokens: 663 }, total_tokens: 837 } }))
      .to.deep.equal(u(9, 174, 654, 0, 124));
    // The same model through OpenRouter, which counts them inside (241 + 163 = 404): as OpenAI.
    expect(usageFrom(chat, { usage: { completion_tokens: 241, completion_tokens_details: { reasoning_tokens: 204 }, prompt_tokens: 163, prompt_tokens_details: { cached_tokens: 162, cache_write_tokens: 0 }, total_tokens: 404 } }))
      .to.deep.equal(u(1, 241, 162, 0, 204));
    // No total: OpenAI's reading.
    expect(usageFrom(chat, { usage: { completion_tokens: 50, completion_tokens_details: { reasoning_tokens: 124 }, prompt_tokens: 663 } })).to.deep.equal(u(663, 50, 0, 0, 124));
  });

  it('OpenAI-compatible embeddings that report only total_tokens (Voyage AI): the total, less any output, is the input — not a billed 0', () => {
    const embeddings = { family: 'openai', operation: 'embeddings' } as const;
    // Voyage's /v1/embeddings answers `usage: { total_tokens }` alone.
    expect(usageFrom(embeddings, { object: 'list', data: [], model: 'voyage-3.5', usage: { total_tokens: 42 } })).to.deep.equal(u(42, 0, 0, 0, 0));
    expect(usageFrom(chat, { usage: { total_tokens: 50, completion_tokens: 8 } })).to.deep.equal(u(42, 8, 0, 0, 0));
    // OpenAI's own shape is read as before.
    expect(usageFrom(embeddings, { usage: { prompt_tokens: 7, total_tokens: 7 } })).to.deep.equal(u(7, 0, 0, 0, 0));
  });

  it('OpenAI Responses: input_tokens include cached; the terminal event wraps the response', () => {
    const usage = { input_tokens: 500, input_tokens_details: { cached_tokens: 100 }, output_tokens: 80, output_tokens_details: { reasoning_tokens: 64 } };
    expect(usageFrom(responses, { usage })).to.deep.equal(u(400, 80, 100, 0, 64));
    expect(usageFrom(responses, { type: 'response.completed', response: { usage } })).to.deep.equal(u(400, 80, 100, 0, 64));
    expect(usageFrom(responses, { type: 'response.created', response: { usage: null } })).to.equal(undefined);
  });

  it('Anthropic: input_tokens already exclude cache reads and writes; message_start and message_delta merge', () => {
    const start = usageFrom(messages, { type: 'message_start', message: { usage: { input_tokens: 12, cache_read_input_tokens: 3000, cache_creation_input_tokens: 500, output_tokens: 1 } } })!;
    expect(start).to.deep.equal(u(12, 1, 3000, 500, 0));
    const delta = usageFrom(messages, { type: 'message_delta', usage: { output_tokens: 240 } })!;
    expect(mergeUsage(start, delta)).to.deep.equal(u(12, 240, 3000, 500, 0));
    // Newer servers repeat the cumulative input figures on message_delta: the same result.
    const full = usageFrom(messages, { type: 'message_delta', usage: { input_tokens: 12, cache_read_input_tokens: 3000, cache_creation_input_tokens: 500, output_tokens: 240 } })!;
    expect(mergeUsage(start, full)).to.deep.equal(u(12, 240, 3000, 500, 0));
  });

  it('Anthropic: thinking is inside output_tokens; reasoning is output_tokens_details.thinking_tokens where given, else 0 (docs/ledger.md)', () => {
    expect(usageFrom(messages, { usage: { input_tokens: 30, output_tokens: 90, output_tokens_details: { thinking_tokens: 40 } } })).to.deep.equal(u(30, 90, 0, 0, 40));
    // Its usual shape names no thinking figure: all of it is output, none reasoning.
    expect(usageFrom(messages, { usage: { input_tokens: 30, output_tokens: 90 } })).to.deep.equal(u(30, 90, 0, 0, 0));
  });

  it('Anthropic: one-hour cache writes are kept apart (within cache writes) for their own price, through a stream merge', () => {
    const usage = { input_tokens: 600, cache_read_input_tokens: 300, cache_creation_input_tokens: 100, output_tokens: 1, cache_creation: { ephemeral_5m_input_tokens: 40, ephemeral_1h_input_tokens: 60 } };
    const start = usageFrom(messages, { type: 'message_start', message: { usage } })!;
    expect(start).to.deep.equal({ ...u(600, 1, 300, 100, 0), cacheWrite1hTokens: 60 });
    expect(mergeUsage(start, usageFrom(messages, { type: 'message_delta', usage: { output_tokens: 200 } })!)).to.deep.equal({ ...u(600, 200, 300, 100, 0), cacheWrite1hTokens: 60 });
    // Five-minute writes only: no field at all (the usual shape).
    expect(usageFrom(messages, { usage: { ...usage, cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 0 } } })).to.deep.equal(u(600, 1, 300, 100, 0));
  });

  it('Gemini: cached tokens come out of promptTokenCount, thoughts are added to output, tool-use prompts are input', () => {
    expect(usageFrom(generate, { usageMetadata: { promptTokenCount: 130, cachedContentTokenCount: 30, candidatesTokenCount: 40, thoughtsTokenCount: 10 } }))
      .to.deep.equal(u(100, 50, 30, 0, 10));
    // Built-in tools (search, code execution) bill their own prompt beside promptTokenCount.
    expect(usageFrom(generate, { usageMetadata: { promptTokenCount: 100, toolUsePromptTokenCount: 25, candidatesTokenCount: 5 } }))
      .to.deep.equal(u(125, 5, 0, 0, 0));
  });
});
