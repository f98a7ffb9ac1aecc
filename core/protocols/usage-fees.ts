// What a provider's answer says beside its token counts that its price depends on: the service tier
// that served it, and calls billed per request (web search, web fetch); and the model it says
// answered (the ledger's evidence of a downgrade). Read where dispatch reads
// the upstream's usage (billedUsageFrom), only from an object that carries usage — no work on the
// other stream events. The translator's usage (usageFrom) is left as it was: what it passes on to
// clients is token counts.
import { asArray, asNumber, asObject, asString } from './json.js';
import type { JsonObject, JsonValue, Protocol, Usage } from './types.js';
import { usageFrom } from './usage.js';

/** usageFrom, with the tier and the per-request calls the payload names: the upstream's bill as the ledger, the limits and the marketplace price it. */
export function billedUsageFrom(protocol: Protocol, payload: JsonValue): Usage | undefined {
  const usage = usageFrom(protocol, payload);
  if (!usage) return undefined;
  const body = payload as JsonObject; // usageFrom found usage in it: an object
  switch (protocol.family) {
    case 'openai': {
      const response = asObject(body['response']);
      setAnsweredModel(usage, body['model'] ?? response?.['model']);
      return openaiExtras(usage, body, response);
    }
    case 'anthropic': {
      const message = asObject(body['message']);
      // A stream names its model in message_start only; message_delta's usage keeps it (mergeExtras).
      setAnsweredModel(usage, body['model'] ?? message?.['model']);
      return anthropicExtras(usage, asObject(body['usage']) ?? asObject(message?.['usage']) ?? {});
    }
    case 'gemini':
      setAnsweredModel(usage, body['modelVersion']);
      return geminiExtras(usage, body);
  }
}

function setAnsweredModel(usage: Usage, model: JsonValue | undefined): void {
  if (typeof model === 'string' && model !== '') usage.answeredModel = model.slice(0, 256);
}

/** OpenAI: `service_tier` beside the usage (Chat bodies and chunks, a Responses object); Responses' `web_search_call` output items. */
function openaiExtras(usage: Usage, body: JsonObject, response: JsonObject | undefined): Usage {
  setTier(usage, asString(body['service_tier']) ?? asString(response?.['service_tier']));
  const output = body['output'] ?? response?.['output'];
  if (output !== undefined) {
    let searches = 0;
    for (const item of asArray(output)) if (asObject(item)?.['type'] === 'web_search_call') searches++;
    if (searches) usage.webSearchCalls = searches;
  }
  return usage;
}

/**
 * Anthropic: `usage.service_tier`, and `usage.server_tool_use` (cumulative on a stream's message_delta).
 * Two more things its answer says change the price, each a multiple of the tier's rates: fast mode
 * (`usage.speed: "fast"`, what Claude Code's /fast asks for) and US-only inference
 * (`usage.inference_geo: "us"`). They are priced as tiers of their own, joined to the one served:
 * `fast`, `us`, `fast+us`, `batch+us` (tier-prices.ts composes them; one not known costs null).
 */
/** A price modifier joined to the tier served (`batch+us`); the standard tier is the modifier alone. */
const joinTier = (tier: string | undefined, modifier: string): string => (tier === undefined || tier === 'standard' ? modifier : `${tier}+${modifier}`);

function anthropicExtras(usage: Usage, u: JsonObject): Usage {
  let tier = asString(u['service_tier']);
  if (u['speed'] === 'fast') tier = joinTier(tier, 'fast');
  // Only `us` is priced apart. Answers also say `global`, and `not_available` where a model or
  // request has no region: read as a tier, either left every such row without a price.
  if (u['inference_geo'] === 'us') tier = joinTier(tier, 'us');
  setTier(usage, tier);
  const tools = asObject(u['server_tool_use']);
  if (tools) {
    const searches = asNumber(tools['web_search_requests']);
    const fetches = asNumber(tools['web_fetch_requests']);
    if (searches) usage.webSearchCalls = searches;
    if (fetches) usage.webFetchCalls = fetches;
  }
  return usage;
}

/**
 * Gemini: grounding with Google Search, as the search queries it ran (`groundingMetadata.webSearchQueries`
 * of each candidate) — what Google bills Gemini 3 grounding by. Usually on the stream's last chunk,
 * with the final usageMetadata.
 */
function geminiExtras(usage: Usage, body: JsonObject): Usage {
  const candidates = body['candidates'];
  if (candidates === undefined) return usage;
  let queries = 0;
  for (const c of asArray(candidates)) queries += asArray(asObject(asObject(c)?.['groundingMetadata'])?.['webSearchQueries']).length;
  if (queries) usage.webSearchCalls = queries;
  return usage;
}

/** The later report's tier and counts where it has them, else the earlier's (Anthropic names the tier in message_start only). */
export function mergeExtras(merged: Usage, prev: Usage, next: Usage): void {
  const tier = next.serviceTier ?? prev.serviceTier;
  if (tier !== undefined) merged.serviceTier = tier;
  const searches = next.webSearchCalls || prev.webSearchCalls;
  if (searches) merged.webSearchCalls = searches;
  const fetches = next.webFetchCalls || prev.webFetchCalls;
  if (fetches) merged.webFetchCalls = fetches;
  const model = next.answeredModel ?? prev.answeredModel;
  if (model !== undefined) merged.answeredModel = model;
}

function setTier(usage: Usage, tier: string | undefined): void {
  if (tier) usage.serviceTier = tier.slice(0, 32);
}

