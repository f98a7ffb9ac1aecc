// The price list Sluice ships, used beneath `pricing:` from the config (the config's entries win).
//
// OPERATORS MUST CHECK THESE. They are the list prices (USD per million tokens, standard tier, no
// batch, flex, priority, fast-mode or regional multiples: those are tiers, at the end) that OpenAI,
// Anthropic and Google published as of PRICES_AS_OF, read from the pages named in each section;
// providers change prices, add models and rename them, and nothing here is fetched or updated at
// run time. Put your contract's prices, or any model missing here, under `pricing:` in sluice.yaml.
// A model that matches nothing costs null (reported as unpriced), never 0 — and a model whose
// price could not be sourced when this list was checked is left out on purpose, for that reason.
//
// Conventions:
// - `input` is the price of input tokens NOT served from cache (Sluice keeps the classes disjoint,
//   whatever the provider's usage shape: see docs/ledger.md).
// - `cached_read` is the cache-hit price; `cache_write` is Anthropic's 5-minute cache write (1.25 ×
//   input). Its 1-hour cache writes, which its usage reports apart
//   (`cache_creation.ephemeral_1h_input_tokens`), cost 2 × input: `cache_write_1h`, which defaults
//   to that (true of every Claude model below, checked), so no entry here spells it out.
// - Reasoning / thinking tokens are output tokens at the output price (how all three bill them).
// - `long_context`: the whole request is priced at these rates once the prompt (input + cache read
//   + cache write tokens) exceeds the threshold — every provider below prices "the full session"
//   that way, not just the tokens past it (GPT-5.5 and 5.4 past 272k, Claude Haiku 5.5 past 100k,
//   Gemini 3.1 Pro, 2.5 Pro and 1.5 past 200k / 128k, Claude Sonnet 4 / 4.5 past 200k with the
//   1M-context beta).
// - Google's context-cache storage (per hour) and audio/image-specific input prices are not
//   modelled: text prices apply.
// - Globs are narrow on purpose (dated snapshots and known aliases) so a new model with a similar
//   name shows up as unpriced instead of silently getting an older model's price (`gpt-5.5*`
//   would price gpt-5.5-pro at a sixth of its price, `claude-opus-5*` Opus 5.5 at Opus 5's).
//   Within this table an exact name wins, then the first matching glob in the order below.
// - Service tiers (`tiers`, read from the answer's `service_tier`): the base prices are the standard
//   tier (OpenAI `default`, Anthropic `standard`); a tier an entry does not list costs null. Per-call
//   fees (`web_search`, `web_fetch`, USD per 1,000 calls) where sourced. Both in TIERS_AND_FEES below.
import type { TierPrices, TokenPrices } from './price-table.js';

/**
 * When these prices were last checked (the newest models of each provider against the sources in
 * its section; entries older than 2026 were kept as they were where nothing newer was found).
 */
export const PRICES_AS_OF = '2026-12-07';

// OpenAI's 1.05M-context models, each with its dated snapshots (below).
const GPT_5_5: TokenPrices = {
  input: 5, cached_read: 0.5, output: 30,
  long_context: { above_input_tokens: 272_000, input: 10, cached_read: 1, output: 45 },
};
const GPT_5_4: TokenPrices = {
  input: 2.5, cached_read: 0.25, output: 15,
  long_context: { above_input_tokens: 272_000, input: 5, cached_read: 0.5, output: 22.5 },
};
/** Sonnet 4 and 4.5 (every name they go by), with their premium above 200k input tokens. */
const SONNET_4: TokenPrices = {
  input: 3, cached_read: 0.3, cache_write: 3.75, output: 15,
  long_context: { above_input_tokens: 200_000, input: 6, cached_read: 0.6, cache_write: 7.5, output: 22.5 },
};
/** Gemini 2.5, each model with its dated previews (below). */
const GEMINI_2_5_PRO: TokenPrices = {
  input: 1.25, cached_read: 0.125, output: 10,
  long_context: { above_input_tokens: 200_000, input: 2.5, cached_read: 0.25, output: 15 },
};
const GEMINI_2_5_FLASH: TokenPrices = { input: 0.3, cached_read: 0.03, output: 2.5 };
const GEMINI_2_5_FLASH_LITE: TokenPrices = { input: 0.1, cached_read: 0.01, output: 0.4 };
/** GPT-5, 5.1 and gpt-5-codex: one price; GPT-5.2 and its Codex models another. */
const GPT_5: TokenPrices = { input: 1.25, cached_read: 0.125, output: 10 };
const GPT_5_2: TokenPrices = { input: 1.75, cached_read: 0.175, output: 14 };
const GPT_5_2_PRO: TokenPrices = { input: 21, output: 168 };
/** gpt-5.5-pro and gpt-5.4-pro: one price, no cached-input discount listed. */
const GPT_PRO: TokenPrices = { input: 30, output: 180, long_context: { above_input_tokens: 272_000, input: 60, output: 270 } };

export const DEFAULT_PRICES: Record<string, TokenPrices> = {
  // ── OpenAI ──────────────────────────────────────────────────────────────────────────────────
  // GPT-5.5 / 5.4: OpenAI's pricing page (developers.openai.com/api/docs/pricing) as transcribed on
  // 2026-05-04 (api-evangelist/openai plans) and 2026-06-04 (tokenmix.ai), agreeing; GPT-5.4 and
  // 5.4 pro also from OpenAI's model pages (developers.openai.com/api/docs/models/gpt-5.4, -pro).
  // Long context — "prompts with >272K input tokens are priced at 2x input and 1.5x output for the
  // full session" — from those model pages for 5.4 and 5.4 pro; for 5.5 from OpenAI's docs as
  // quoted by benchr.org and tokencost.app, for 5.5 pro by APIYI's tiers, agreeing. Not priced here
  // for want of two agreeing sources: the gpt-5.6 and gpt-6.x families — put them under `pricing:`
  // from your bill.
  'gpt-5.5': GPT_5_5,
  'gpt-5.5-2026*': GPT_5_5,
  'gpt-5.5-pro': GPT_PRO,
  'gpt-5.5-pro-2026*': GPT_PRO,
  'gpt-5.4-pro': GPT_PRO,
  'gpt-5.4-pro-2026*': GPT_PRO,
  'gpt-5.4': GPT_5_4,
  'gpt-5.4-2026*': GPT_5_4,
  'gpt-5.4-mini': { input: 0.75, cached_read: 0.075, output: 4.5 },
  'gpt-5.4-mini-2026*': { input: 0.75, cached_read: 0.075, output: 4.5 },
  'gpt-5.4-nano': { input: 0.2, cached_read: 0.02, output: 1.25 },
  'gpt-5.4-nano-2026*': { input: 0.2, cached_read: 0.02, output: 1.25 },
  // GPT-5.2 / 5.1 and the Codex models (what Codex CLI runs), checked 2026-12-07: gpt-5.1 and
  // gpt-5-codex from OpenAI's model pages (developers.openai.com/api/docs/models/gpt-5.1,
  // -codex: $1.25 / $0.125 / $10), with apiyi.com's prompt-caching page; gpt-5.2, gpt-5.2-codex and
  // gpt-5.3-codex from GitHub's Copilot price table (github/docs models-and-pricing.yml) and
  // ShellPilot's, agreeing ($1.75 / $0.175 / $14); gpt-5.2-pro from nicolalazzari.ai and
  // benbencodes/llm-prices ($21 / $168). OpenAI's fast-mode table lists their priority prices at
  // twice these. Not priced: gpt-5.1-codex, -codex-mini and -codex-max (one source each).
  'gpt-5.2': GPT_5_2,
  'gpt-5.2-2025*': GPT_5_2,
  'gpt-5.2-pro': GPT_5_2_PRO,
  'gpt-5.2-pro-2025*': GPT_5_2_PRO,
  'gpt-5.2-codex': GPT_5_2,
  'gpt-5.3-codex': GPT_5_2,
  'gpt-5.1': GPT_5,
  'gpt-5.1-2025*': GPT_5,
  'gpt-5-codex': GPT_5,
  // Older than 2026: as checked on 2025-10-01.
  'gpt-5-mini': { input: 0.25, cached_read: 0.025, output: 2 },
  'gpt-5-mini-2025*': { input: 0.25, cached_read: 0.025, output: 2 },
  'gpt-5-nano': { input: 0.05, cached_read: 0.005, output: 0.4 },
  'gpt-5-nano-2025*': { input: 0.05, cached_read: 0.005, output: 0.4 },
  'gpt-5': GPT_5,
  'gpt-5-2025*': GPT_5,
  'gpt-5-chat-latest': GPT_5,
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

  // ── Anthropic (5-minute cache write 1.25 × input, 1-hour 2 × input) ────────────────────────────
  // Anthropic's own pages: the model overviews on platform.claude.com (Opus 5.5: $4 / $20, cache
  // writes $5 / $8, read $0.20; Opus 5 and Sonnet 5) and its pricing page
  // (platform.claude.com/docs/en/about-claude/pricing: Fable 5 / 5.1, Opus 4.5–4.8). Sonnet 5.5's
  // cache read was cut from $0.20 to $0.10 on 2026-10-07, and Haiku 5.5 (released then) is priced
  // by prompt length, $0.10 / $0.50 up to 100k prompt tokens and 5 × that past them on every class:
  // the pricing page as read by kurofune/claudit (2026-10-24), TheKrush/PromptFuel (2026-10-16)
  // and synaps (docs.rs), agreeing. Cache reads are no longer 0.1 × input everywhere (Opus 5.5 and
  // Sonnet 5.5 0.05 ×, Fable 5.1 0.025 ×), so each entry spells its own. Not priced here: Fable 5.2
  // and the Mythos models (limited availability), for want of a second source for their cache
  // prices.
  'claude-opus-5-5*': { input: 4, cached_read: 0.2, cache_write: 5, output: 20 },
  'claude-opus-5': { input: 5, cached_read: 0.5, cache_write: 6.25, output: 25 },
  'claude-sonnet-5-5*': { input: 2, cached_read: 0.1, cache_write: 2.5, output: 10 },
  'claude-sonnet-5': { input: 2, cached_read: 0.2, cache_write: 2.5, output: 10 },
  'claude-haiku-5-5*': {
    input: 0.1, cached_read: 0.01, cache_write: 0.125, output: 0.5,
    long_context: { above_input_tokens: 100_000, input: 0.5, cached_read: 0.05, cache_write: 0.625, output: 2.5 },
  },
  'claude-fable-5-1*': { input: 10, cached_read: 0.25, cache_write: 12.5, output: 50 },
  'claude-fable-5': { input: 10, cached_read: 1, cache_write: 12.5, output: 50 },
  // Opus 4.5 and later cost a third of Opus 4 / 4.1 (which are still sold on Bedrock and Google
  // Cloud). Sonnet 4.6 and Opus 4.6 dropped the long-context premium of Sonnet 4 / 4.5.
  'claude-opus-4-8*': { input: 5, cached_read: 0.5, cache_write: 6.25, output: 25 },
  'claude-opus-4-7*': { input: 5, cached_read: 0.5, cache_write: 6.25, output: 25 },
  'claude-opus-4-6*': { input: 5, cached_read: 0.5, cache_write: 6.25, output: 25 },
  'claude-opus-4-5*': { input: 5, cached_read: 0.5, cache_write: 6.25, output: 25 },
  'claude-sonnet-4-6*': { input: 3, cached_read: 0.3, cache_write: 3.75, output: 15 },
  'claude-opus-4-1*': { input: 15, cached_read: 1.5, cache_write: 18.75, output: 75 },
  'claude-opus-4-0': { input: 15, cached_read: 1.5, cache_write: 18.75, output: 75 },
  'claude-opus-4-20250514': { input: 15, cached_read: 1.5, cache_write: 18.75, output: 75 },
  'claude-sonnet-4-5*': SONNET_4,
  'claude-sonnet-4-0': SONNET_4,
  'claude-sonnet-4-20250514': SONNET_4,
  'claude-3-7-sonnet*': { input: 3, cached_read: 0.3, cache_write: 3.75, output: 15 },
  'claude-3-5-sonnet*': { input: 3, cached_read: 0.3, cache_write: 3.75, output: 15 },
  'claude-haiku-4-5*': { input: 1, cached_read: 0.1, cache_write: 1.25, output: 5 },
  'claude-3-5-haiku*': { input: 0.8, cached_read: 0.08, cache_write: 1, output: 4 },
  'claude-3-opus*': { input: 15, cached_read: 1.5, cache_write: 18.75, output: 75 },
  'claude-3-haiku*': { input: 0.25, cached_read: 0.03, cache_write: 0.3, output: 1.25 },

  // ── Google Gemini (paid tier; thinking tokens billed as output) ─────────────────────────────────
  // Google's pricing page (ai.google.dev/gemini-api/docs/pricing) as transcribed on 2026-09-20 and
  // 2026-10-07 (api-evangelist/gemini, api-evangelist/deepmind). Cache reads, which those
  // transcriptions leave out, are 0.1 × input across Gemini 3: 3.8 Flash $0.075 (LiteLLM's launch
  // notes and APIYI), 3.5 Flash $0.15 (APIYI), 3.5 Flash-Lite $0.03 (sim.ai), 3.1 Pro $0.20 / $0.40
  // past 200k (techjacksolutions.com, 2026-06-09). 3.1 Flash-Lite, which those transcriptions leave
  // out too: Google's page of 2026-03-03 as read by macaron.im, and cloudprice.net, agreeing.
  // Gemini 3.8 Flash is at half price THROUGH 2026-12-31: from 2027-01-01 Google charges $1.50 /
  // $7.50 (cache reads presumably $0.15). Nothing here changes by date: from then on, put
  // `gemini-3.8-flash` under `pricing:` at the new rates (or use a list newer than this one).
  'gemini-3.8-flash': { input: 0.75, cached_read: 0.075, output: 3.75 },
  'gemini-3.5-flash-lite': { input: 0.3, cached_read: 0.03, output: 2.5 },
  'gemini-3.5-flash': { input: 1.5, cached_read: 0.15, output: 9 },
  'gemini-3.1-flash-lite*': { input: 0.25, cached_read: 0.025, output: 1.5 },
  'gemini-3.1-pro*': {
    input: 2, cached_read: 0.2, output: 12,
    long_context: { above_input_tokens: 200_000, input: 4, cached_read: 0.4, output: 18 },
  },
  // Older than 2026: as checked on 2025-10-01 (2.5 Pro and Flash as the 2026 page still lists them),
  // except the 2.5 models' cache reads, 0.1 × input as for Gemini 3 (checked 2026-12-07: Google's
  // page as quoted by Helicone PR 5791 and LiteLLM PRs 18157 / 38215, 2026-08, agreeing; Google
  // Cloud's caching overview, "a 90% discount on cached tokens"). The 0.25 × once listed here was
  // Gemini 2.0 Flash's ratio: cache-heavy 2.5 rows cost 2.5 × their cached input.
  // The 2.5 names are the models and their dated previews (`-preview-03-25`, `-preview-09-2025`),
  // not `gemini-2.5-pro*`: Google's speech models share the prefix (gemini-2.5-flash-preview-tts,
  // gemini-2.5-pro-preview-tts, gemini-2.5-flash-preview-native-audio-dialog: its model list) and
  // bill audio output at several times these rates (the Pro TTS model $1 / $20, OpenRouter's Vertex
  // price, checked 2026-12-07): priced as text models they cost a fraction of their bill.
  'gemini-2.5-pro': GEMINI_2_5_PRO,
  'gemini-2.5-pro-preview-0*': GEMINI_2_5_PRO,
  'gemini-2.5-flash-lite': GEMINI_2_5_FLASH_LITE,
  'gemini-2.5-flash-lite-preview-0*': GEMINI_2_5_FLASH_LITE,
  'gemini-2.5-flash': GEMINI_2_5_FLASH,
  'gemini-2.5-flash-preview-0*': GEMINI_2_5_FLASH,
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

// ── Service tiers and per-call fees (checked 2026-12-07) ───────────────────────────────────────
// OpenAI priority processing: OpenAI's own table (openai.com/api-priority-processing, "excludes long
// context"). Flex: "tokens are priced at Batch API rates" (developers.openai.com/api/docs/guides/
// flex-processing), half of standard, for the models the pricing page lists it for (gpt-5.5 and
// gpt-5.4 per tokenmix.ai's reading of it, 2026-06-04; o3 and o4-mini since flex launched with them:
// o4-mini flex $0.55 / $2.20 at requesty.ai). Scale tier: contract prices, not listed (null).
// OpenAI web search: $10 per 1,000 calls plus search tokens (its pricing page, as quoted in 2026) for
// the GPT-5 and o-series models; the gpt-4o / 4.1 search price is left to `pricing:`.
// Anthropic: batch at half of standard (its pricing page); Priority Tier is sold as a capacity
// commitment with no public per-token price (platform.claude.com/docs/en/api/service-tiers), so
// `priority` rows cost null unless priced under `pricing:`. Web search $10 per 1,000 searches, web
// fetch at no charge beyond its tokens (platform.claude.com/docs/en/agents-and-tools/tool-use/
// web-search-tool, web-fetch-tool). Gemini reports no tier; grounding with Google Search (5,000
// queries a month free, then per 1,000 queries on Gemini 3; per grounded prompt on 2.x) cannot be
// priced per row: a grounded row costs null until `pricing:` gives `web_search`.
const HALF: TierPrices = { multiplier: 0.5 };
const OPENAI_SEARCH = 10;
const OPENAI_EXTRAS: [RegExp, { flex?: TierPrices; priority?: TierPrices; web_search?: number }][] = [
  [/^gpt-5\.5(-2026\*)?$/, { flex: HALF, priority: { input: 12.5, cached_read: 1.25, output: 75 }, web_search: OPENAI_SEARCH }],
  [/^gpt-5\.4(-2026\*)?$/, { flex: HALF, priority: { input: 5, cached_read: 0.5, output: 30 }, web_search: OPENAI_SEARCH }],
  [/^gpt-5\.4-mini/, { priority: { input: 1.5, cached_read: 0.15, output: 9 }, web_search: OPENAI_SEARCH }],
  [/^gpt-5\.4-nano/, { web_search: OPENAI_SEARCH }],
  [/^gpt-5\.2(-2025\*)?$/, { priority: { input: 3.5, cached_read: 0.35, output: 28 }, web_search: OPENAI_SEARCH }],
  [/^gpt-5\.1(-2025\*)?$/, { priority: { input: 2.5, cached_read: 0.25, output: 20 }, web_search: OPENAI_SEARCH }],
  [/^gpt-5-codex$/, { priority: { input: 2.5, cached_read: 0.25, output: 20 } }],
  [/^gpt-5(-2025\*|-chat-latest)?$/, { priority: { input: 2.5, cached_read: 0.25, output: 20 }, web_search: OPENAI_SEARCH }],
  [/^gpt-5-mini/, { priority: { input: 0.45, cached_read: 0.045, output: 3.6 }, web_search: OPENAI_SEARCH }],
  [/^gpt-5-nano/, { web_search: OPENAI_SEARCH }],
  [/^gpt-4\.1(-2025\*)?$/, { priority: { input: 3.5, cached_read: 0.875, output: 14 } }],
  [/^gpt-4\.1-mini/, { priority: { input: 0.7, cached_read: 0.175, output: 2.8 } }],
  [/^gpt-4\.1-nano/, { priority: { input: 0.2, cached_read: 0.05, output: 0.8 } }],
  [/^gpt-4o(-2024-08-06|-2024-11-20)?$/, { priority: { input: 4.25, cached_read: 2.125, output: 17 } }],
  [/^gpt-4o-2024-05-13$/, { priority: { input: 8.75, output: 26.25 } }],
  [/^gpt-4o-mini/, { priority: { input: 0.25, cached_read: 0.125, output: 1 } }],
  [/^o3(-2025\*)?$/, { flex: HALF, priority: { input: 3.5, cached_read: 0.875, output: 14 }, web_search: OPENAI_SEARCH }],
  [/^o4-mini/, { flex: HALF, web_search: OPENAI_SEARCH }],
];
const ANTHROPIC_EXTRAS: Pick<TokenPrices, 'tiers' | 'web_search' | 'web_fetch'> = { tiers: { batch: HALF }, web_search: 10, web_fetch: 0 };
// Anthropic fast mode (`usage.speed: "fast"`, priced as the tier `fast`): a multiple of the model's
// standard rates on every class, cache prices included, over the whole context window. 2 × on Opus
// 5.5 ($8 / $40, cache reads $0.40), Opus 5 and Opus 4.8 ($10 / $50); 6 × on Opus 4.7 and 4.6 ($30 /
// $150): Claude Code's fast-mode page (code.claude.com/docs/en/fast-mode) for 4.8, 4.7 and 4.6, and
// kurofune/claudit v1.9.0 and krayong/ccsidekick 1.6.4 reading Anthropic's pricing page for Opus 5.5
// and 5, agreeing. Fable 5.2 and Mythos 5.2 (also fast) are not priced at all here.
const ANTHROPIC_FAST: [RegExp, TierPrices][] = [
  [/^claude-opus-(5-5|5|4-8)\b/, { multiplier: 2 }],
  [/^claude-opus-4-[67]\b/, { multiplier: 6 }],
];

// Anthropic US-only inference (`usage.inference_geo: "us"`, priced as the tier `us`): 1.1 × every
// class, on Opus 4.6 and the models after it, which alone take `inference_geo` (Anthropic's
// data-residency page; the 1.1 × from its pricing page as read by tokenmix.ai, 2026-04-30).
const ANTHROPIC_US: TierPrices = { multiplier: 1.1 };
const TAKES_INFERENCE_GEO = /^claude-(opus-(4-[678]|5)|sonnet-(4-6|5)|haiku-5|fable-5)\b/;

for (const [pattern, prices] of Object.entries(DEFAULT_PRICES)) {
  if (pattern.startsWith('claude-')) {
    const fast = ANTHROPIC_FAST.find(([re]) => re.test(pattern))?.[1];
    const us = TAKES_INFERENCE_GEO.test(pattern) ? ANTHROPIC_US : undefined;
    DEFAULT_PRICES[pattern] = { ...prices, ...ANTHROPIC_EXTRAS, tiers: { ...ANTHROPIC_EXTRAS.tiers, ...(fast ? { fast } : {}), ...(us ? { us } : {}) } };
    continue;
  }
  const extras = OPENAI_EXTRAS.find(([re]) => re.test(pattern))?.[1];
  if (!extras) continue;
  const { web_search, ...tiers } = extras;
  // OpenAI renamed priority processing "Fast mode" (2026-07-30) and takes `service_tier: "fast"` for it: the same prices.
  if (tiers.priority) (tiers as Record<string, TierPrices>)['fast'] = tiers.priority;
  DEFAULT_PRICES[pattern] = { ...prices, ...(Object.keys(tiers).length ? { tiers: tiers as Record<string, TierPrices> } : {}), ...(web_search === undefined ? {} : { web_search }) };
}
