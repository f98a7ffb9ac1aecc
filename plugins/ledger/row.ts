// One ledger row: what the table `ledger_requests` holds for one request (docs/ledger.md explains
// every column). Plain JSON values only, so a row can wait in the spill file and come back unchanged.

export const LEDGER_TABLE = 'ledger_requests';

/** Where the token figures came from. */
export type UsageSource =
  | 'reported'   // the provider's usage report, complete
  | 'partial'    // the provider reported part (a stream cut short); the rest is estimated
  | 'estimated'  // no report: Sluice estimated from the request and response text (a call abandoned before any answer: its prompt)
  | 'none';      // nothing was generated (refused, failed, not a model call)

/** How the request involved a marketplace: bought from an offer, or sold to a marketplace buyer. */
export type MarketDirection = 'consumed' | 'supplied';

export interface LedgerRow {
  request_id: string;
  /** Arrival, epoch ms. */
  time_ms: number;
  /** Arrival day (UTC), YYYY-MM-DD: the reports' day. */
  day: string;
  user_id: string | null;
  team_id: string | null;
  key_id: string | null;
  session_id: string | null;
  client_address: string | null;
  method: string;
  path: string;
  endpoint: string | null;
  client_protocol: string | null;
  requested_model: string | null;
  served_model: string | null;
  provider: string | null;
  /** Failed upstream attempts before the answer (router fallbacks). */
  fallbacks: number;
  /** JSON: [{ provider, model, code, status }] of those attempts. */
  fallback_detail: string | null;
  stream: number;
  status: number;
  outcome: string;
  error_code: string | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  usage_source: UsageSource;
  cost_input: number | null;
  cost_output: number | null;
  cost_cache_read: number | null;
  cost_cache_write: number | null;
  cost_reasoning: number | null;
  cost_total: number | null;
  /** The independent count of the prompt (input + cached classes together) and of the completion. */
  local_input_tokens: number | null;
  local_output_tokens: number | null;
  /** How: a tokenizer's name (o200k_base, cl100k_base), `estimate`, or null when not counted. */
  local_method: string | null;
  /** 1 when the billed count differs from the local one beyond the configured tolerance. */
  count_mismatch: number;
  ttfb_ms: number | null;
  latency_ms: number;
  output_tps: number | null;
  /** JSON: [{ source, type, count, action, direction? }] — types and counts only, never values. */
  findings: string | null;
  /** `consumed`: served by a marketplace offer's provider; `supplied`: asked with a marketplace-kind key; else null. */
  direction: MarketDirection | null;
  /** The offer that served it (consumed), or null. */
  offer_id: string | null;
  /**
   * This request's own key at this gateway (a process tag and a sequence number): what tells two
   * requests apart that came with one client-supplied id, where arrival and latency can be equal to
   * the µs (fast refusals in a burst). Null on rows written before it existed.
   */
  arrival_key: string | null;
  /** The service tier the provider says served the request (`default`, `flex`, `priority`, `standard`, `batch`…), or null when it named none. */
  service_tier: string | null;
  /** Web searches billed per call (Anthropic's server tool, Responses' web_search_call items, Gemini grounding queries). */
  web_search_calls: number;
  /** Web fetches billed per call (Anthropic's server tool). */
  web_fetch_calls: number;
  /** USD of those calls (in cost_total); null when the cost is unknown. */
  cost_fees: number | null;
  /** The model the provider's answer named (migration 007); null when it named none, or nothing answered. */
  answered_model: string | null;
}
