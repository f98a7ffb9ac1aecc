// The price list Sluice ships, used beneath `pricing:` from the config (the config's entries win).
//
// OPERATORS MUST CHECK THESE. They are the list prices (USD per million tokens, standard tier, no
// batch or priority discounts) that OpenAI, Anthropic and Google published as of PRICES_AS_OF, as
// best the authors knew them when writing this file; providers change prices, add models and
// rename them, and nothing here is fetched or updated at run time. Put your contract's prices, or
// any model missing here, under `pricing:` in sluice.yaml. A model that matches nothing costs
// null (reported as unpriced), never 0.
//
// Conventions:
// - `input` is the price of input tokens NOT served from cache (Sluice keeps the classes disjoint,
//   whatever the provider's usage shape: see docs/ledger.md).
// - `cached_read` is the cache-hit price; `cache_write` is Anthropic's 5-minute cache write (1.25 ×
//   input). Its 1-hour cache writes, which its usage reports apart
//   (`cache_creation.ephemeral_1h_input_tokens`), cost 2 × input: `cache_write_1h`, which defaults
//   to that, so no entry here spells it out.
// - Reasoning / thinking tokens are output tokens at the output price (how all three bill them).
// - `long_context`: the whole request is priced at these rates once the prompt (input + cache read
//   + cache write tokens) exceeds the threshold (Gemini 2.5 Pro and 1.5 past 200k / 128k tokens,
//   Claude Sonnet 4 / 4.5 past 200k tokens with the 1M-context beta).
// - Google's context-cache storage (per hour) and audio/image-specific input prices are not
//   modelled: text prices apply.
// - Globs are narrow on purpose (dated snapshots and known aliases) so a new model with a similar
//   name shows up as unpriced instead of silently getting an older model's price. Within this
//   table an exact name wins, then the first matching glob in the order below.
import type { TokenPrices } from './price-table.js';

/** When these prices were last checked against the providers' published price pages. */
export const PRICES_AS_OF = '2025-10-01';

export const DEFAULT_PRICES: Record<string, TokenPrices> = {
  // ── OpenAI ──────────────────────────────────────────────────────────────────────────────────
  'gpt-5-mini': { input: 0.25, cached_read: 0.025, output: 2 },
  'gpt-5-mini-2025*': { input: 0.25, cached_read: 0.025, output: 2 },
  'gpt-5-nano': { input: 0.05, cached_read: 0.005, output: 0.4 },
  'gpt-5-nano-2025*': { input: 0.05, cached_read: 0.005, output: 0.4 },
  'gpt-5': { input: 1.25, cached_read: 0.125, output: 10 },
  'gpt-5-2025*': { input: 1.25, cached_read: 0.125, output: 10 },
  'gpt-5-chat-latest': { input: 1.25, cached_read: 0.125, output: 10 },
  'gpt-4.1-mini*': { input: 0.4, cached_read: 0.1, output: 1.6 },
  'gpt-4.1-nano*': { input: 0.1, cached_read: 0.025, output: 0.4 },
  'gpt-4.1': { input: 2, cached_read: 0.5, output: 8 },
  'gpt-4.1-2025*': { input: 2, cached_read: 0.5, output: 8 },
  'gpt-4o-mini': { input: 0.15, cached_read: 0.075, output: 0.6 },
  'gpt-4o-mini-2024-07-18': { input: 0.15, cached_read: 0.075, output: 0.6 },
  'gpt-4o': { input: 2.5, cached_read: 1.25, output: 10 },
  'gpt-4o-2024-08-06': { input: 2.5, cached_read: 1.25, output: 10 },
  'gpt-4o-2024-11-20': { input: 2.5, cached_read: 1.25, output: 10 },
  'gpt-4o-2024-05-13': { input: 5, output: 15 },
  'chatgpt-4o-latest': { input: 5, output: 15 },
  'gpt-4-turbo*': { input: 10, output: 30 },
  'gpt-4': { input: 30, output: 60 },
  'gpt-4-0613': { input: 30, output: 60 },
  // The older gpt-3.5-turbo snapshots cost more than the current one (0125, which the alias serves).
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  'gpt-3.5-turbo-0125': { input: 0.5, output: 1.5 },
  'gpt-3.5-turbo-1106': { input: 1, output: 2 },
  'gpt-3.5-turbo-0613': { input: 1.5, output: 2 },
  'gpt-3.5-turbo-0301': { input: 1.5, output: 2 },
  'gpt-3.5-turbo-instruct*': { input: 1.5, output: 2 },
  'gpt-3.5-turbo-16k*': { input: 3, output: 4 },
  'o4-mini': { input: 1.1, cached_read: 0.275, output: 4.4 },
  'o4-mini-2025*': { input: 1.1, cached_read: 0.275, output: 4.4 },
  'o3-mini': { input: 1.1, cached_read: 0.55, output: 4.4 },
  'o3-mini-2025*': { input: 1.1, cached_read: 0.55, output: 4.4 },
  'o3-pro': { input: 20, output: 80 },
  'o3-pro-2025*': { input: 20, output: 80 },
  // o3's price was cut in June 2025 (from 10 / 40).
  'o3': { input: 2, cached_read: 0.5, output: 8 },
  'o3-2025*': { input: 2, cached_read: 0.5, output: 8 },
  'o1-mini': { input: 1.1, cached_read: 0.55, output: 4.4 },
  'o1-mini-2024*': { input: 1.1, cached_read: 0.55, output: 4.4 },
  'o1': { input: 15, cached_read: 7.5, output: 60 },
  'o1-2024*': { input: 15, cached_read: 7.5, output: 60 },
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  'text-embedding-ada-002': { input: 0.1, output: 0 },

  // ── Anthropic (cache read 0.1 × input, 5-minute cache write 1.25 × input) ──────────────────────
  'claude-opus-4-1*': { input: 15, cached_read: 1.5, cache_write: 18.75, output: 75 },
  'claude-opus-4-0': { input: 15, cached_read: 1.5, cache_write: 18.75, output: 75 },
  'claude-opus-4-20250514': { input: 15, cached_read: 1.5, cache_write: 18.75, output: 75 },
  'claude-sonnet-4-5*': {
    input: 3, cached_read: 0.3, cache_write: 3.75, output: 15,
    long_context: { above_input_tokens: 200_000, input: 6, cached_read: 0.6, cache_write: 7.5, output: 22.5 },
  },
  'claude-sonnet-4-0': {
    input: 3, cached_read: 0.3, cache_write: 3.75, output: 15,
    long_context: { above_input_tokens: 200_000, input: 6, cached_read: 0.6, cache_write: 7.5, output: 22.5 },
  },
  'claude-sonnet-4-20250514': {
    input: 3, cached_read: 0.3, cache_write: 3.75, output: 15,
    long_context: { above_input_tokens: 200_000, input: 6, cached_read: 0.6, cache_write: 7.5, output: 22.5 },
  },
  'claude-3-7-sonnet*': { input: 3, cached_read: 0.3, cache_write: 3.75, output: 15 },
  'claude-3-5-sonnet*': { input: 3, cached_read: 0.3, cache_write: 3.75, output: 15 },
  'claude-haiku-4-5*': { input: 1, cached_read: 0.1, cache_write: 1.25, output: 5 },
  'claude-3-5-haiku*': { input: 0.8, cached_read: 0.08, cache_write: 1, output: 4 },
  'claude-3-opus*': { input: 15, cached_read: 1.5, cache_write: 18.75, output: 75 },
  'claude-3-haiku*': { input: 0.25, cached_read: 0.03, cache_write: 0.3, output: 1.25 },

  // ── Google Gemini (paid tier; thinking tokens billed as output) ─────────────────────────────────
  'gemini-2.5-pro*': {
    input: 1.25, cached_read: 0.31, output: 10,
    long_context: { above_input_tokens: 200_000, input: 2.5, cached_read: 0.625, output: 15 },
  },
  'gemini-2.5-flash-lite*': { input: 0.1, cached_read: 0.025, output: 0.4 },
  'gemini-2.5-flash': { input: 0.3, cached_read: 0.075, output: 2.5 },
  'gemini-2.5-flash-preview*': { input: 0.3, cached_read: 0.075, output: 2.5 },
  'gemini-2.0-flash-lite*': { input: 0.075, output: 0.3 },
  'gemini-2.0-flash': { input: 0.1, cached_read: 0.025, output: 0.4 },
  'gemini-2.0-flash-001': { input: 0.1, cached_read: 0.025, output: 0.4 },
  'gemini-1.5-pro*': {
    input: 1.25, output: 5,
    long_context: { above_input_tokens: 128_000, input: 2.5, output: 10 },
  },
  'gemini-1.5-flash-8b*': {
    input: 0.0375, output: 0.15,
    long_context: { above_input_tokens: 128_000, input: 0.075, output: 0.3 },
  },
  'gemini-1.5-flash*': {
    input: 0.075, output: 0.3,
    long_context: { above_input_tokens: 128_000, input: 0.15, output: 0.6 },
  },
  'gemini-embedding-001': { input: 0.15, output: 0 },
};
