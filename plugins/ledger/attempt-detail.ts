// One failed upstream attempt as `fallback_detail` keeps it: where it went and how it failed, whether
// the same provider was tried again, how long it held the request (left out of the answering
// provider's timings), and the usage the provider reported before it failed (a stream's preamble:
// the prompt it processed), in the row's own column names, so a bill for an attempt that never
// answered can be checked against it.
import type { Attempt } from '../../core/index.js';

export function attemptDetail(a: Attempt): Record<string, unknown> {
  const out: Record<string, unknown> = { provider: a.provider, model: a.model, code: a.code, status: a.status };
  if (a.retried) out['retried'] = true;
  if (a.ms !== undefined) out['ms'] = Math.round(a.ms * 1000) / 1000;
  const u = a.usage;
  if (u) {
    out['usage'] = {
      input_tokens: u.inputTokens, output_tokens: u.outputTokens, cache_read_tokens: u.cacheReadTokens, cache_write_tokens: u.cacheWriteTokens,
      reasoning_tokens: u.reasoningTokens, ...(u.serviceTier ? { service_tier: u.serviceTier } : {}),
      ...(u.webSearchCalls ? { web_search_calls: u.webSearchCalls } : {}), ...(u.webFetchCalls ? { web_fetch_calls: u.webFetchCalls } : {}),
    };
  }
  return out;
}
