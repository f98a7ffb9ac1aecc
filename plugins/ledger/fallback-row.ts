// The row of an entry whose full preparation failed (its texts could not be read, or building the
// row threw): what the record itself says, built with as little as can fail.
import type { PriceTable } from '../../core/index.js';
import { attemptDetail } from './attempt-detail.js';
import type { LedgerEntry } from './entry.js';
import { outputTps, storedFinding } from './prepare.js';
import type { LedgerRow } from './row.js';

/** `make()`, or null when it throws: this row is the last resort, and must be written whatever fails. */
function known<T>(make: () => T): T | null {
  try { return make(); } catch { return null; }
}

/**
 * The row for an entry whose full preparation failed: what the record itself says. A usage the
 * provider reported is priced as the full row prices it; without one the tokens are unknown (the
 * estimate needs the texts), so the cost is null rather than a priced zero.
 */
export function fallbackRow(r: LedgerEntry, pricing: PriceTable): LedgerRow {
  const model = r.servedModel ?? r.model;
  const usage = r.usage;
  const cost = usage && model ? known(() => pricing.cost(usage, model, r.prices)) : null;
  return {
    request_id: r.id, time_ms: r.time, day: new Date(r.time).toISOString().slice(0, 10),
    user_id: r.principal?.user ?? null, team_id: r.principal?.team ?? null, key_id: r.principal?.keyId ?? null, session_id: r.sessionId ?? null,
    client_address: r.clientAddress || null, method: r.method.slice(0, 16), path: r.path.slice(0, 512), endpoint: r.endpoint ?? null,
    client_protocol: r.clientProtocol,
    requested_model: r.model?.slice(0, 256) ?? null, served_model: r.servedModel?.slice(0, 256) ?? null, provider: r.provider ?? null,
    fallbacks: r.attempts.length, fallback_detail: r.attempts.length ? known(() => JSON.stringify(r.attempts.map(attemptDetail))) : null, stream: r.stream ? 1 : 0, status: r.status, outcome: r.outcome, error_code: r.errorCode ?? null,
    input_tokens: r.usage?.inputTokens ?? 0, output_tokens: r.usage?.outputTokens ?? 0, cache_read_tokens: r.usage?.cacheReadTokens ?? 0,
    cache_write_tokens: r.usage?.cacheWriteTokens ?? 0, reasoning_tokens: r.usage?.reasoningTokens ?? 0,
    usage_source: r.usage ? (r.usage.estimated ? 'estimated' : r.cut ? 'partial' : 'reported') : 'none',
    cost_input: cost?.input ?? null, cost_output: cost?.output ?? null, cost_cache_read: cost?.cachedRead ?? null,
    cost_cache_write: cost?.cacheWrite ?? null, cost_reasoning: cost?.reasoning ?? null, cost_total: cost?.total ?? null,
    local_input_tokens: null, local_output_tokens: null, local_method: null, count_mismatch: 0,
    ttfb_ms: r.firstByteMs ?? null, latency_ms: r.totalMs, output_tps: usage ? outputTps(r, usage.outputTokens) : null,
    findings: r.findings.length ? known(() => JSON.stringify(r.findings.map(storedFinding))) : null,
    ...r.market, arrival_key: r.arrivalKey,
    service_tier: r.usage?.serviceTier ?? null, web_search_calls: r.usage?.webSearchCalls ?? 0, web_fetch_calls: r.usage?.webFetchCalls ?? 0, cost_fees: cost?.fees ?? null,
    answered_model: r.usage?.answeredModel ?? null,
  };
}
