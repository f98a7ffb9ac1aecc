// Core request metrics, recorded once per completed request.
import type { Completion, Endpoint, Exchange } from '../exchange.js';
import type { Metrics } from '../observability/metrics.js';

export interface RequestMetrics {
  /** `endpoint` is only its id: requests refused before an endpoint matched are counted too. */
  record(endpoint: Pick<Endpoint, 'id'>, exchange: Exchange | undefined, completion: Completion): void;
  /** One upstream attempt: how long the provider took to answer or to fail (failed fallbacks included). */
  upstream(provider: string, ms: number, ok: boolean): void;
  /** A failure tried again on the same provider (`retried`), or not because its retry budget was spent (`over_budget`). */
  retry(provider: string, result: 'retried' | 'over_budget'): void;
}

/** Indexed by status / 100: built once rather than a template string per request. */
const STATUS_CLASS = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx'];

/**
 * Seconds. LLM requests run far past the metrics default's 60 s: a reasoning model may think a
 * minute or two before its first byte (first_byte_ms allows 120 s), and a long generation streams
 * for many minutes. Beyond the last bound everything is one +Inf bucket, where no quantile can be
 * read, so the bounds reach 30 minutes; the low end keeps the millisecond steps of the gateway's
 * own answers.
 */
export const LLM_LATENCY_BUCKETS: readonly number[] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800];

export function createRequestMetrics(metrics: Metrics): RequestMetrics {
  const requests = metrics.counter('sluice_requests_total', 'Requests by endpoint, provider, status class and outcome', { labelNames: ['endpoint', 'provider', 'status', 'outcome'] });
  const latency = metrics.histogram('sluice_request_duration_seconds', 'Total request latency', { labelNames: ['endpoint'], buckets: LLM_LATENCY_BUCKETS });
  const ttfb = metrics.histogram('sluice_time_to_first_byte_seconds', 'Time to the first response byte', { labelNames: ['endpoint'], buckets: LLM_LATENCY_BUCKETS });
  const tokens = metrics.counter('sluice_tokens_total', 'Tokens by class and provider', { labelNames: ['provider', 'class'] });
  // SPEC §5 metrics: errors by class (the gateway error code, which says more than a status class)
  // and upstream latency, per attempt, so a primary that fails slowly before a fallback shows.
  const errors = metrics.counter('sluice_errors_total', 'Requests that ended in an error or refusal, by endpoint, provider and error code (SLUICE_E_*)', { labelNames: ['endpoint', 'provider', 'code'] });
  const upstreamLatency = metrics.histogram('sluice_upstream_duration_seconds', 'Upstream latency per attempt: until the provider answered (headers; a stream\'s first content) or failed', { labelNames: ['provider', 'outcome'], buckets: LLM_LATENCY_BUCKETS });
  const retries = metrics.counter('sluice_upstream_retries_total', 'Same-provider retries (result retried), and retries the provider\'s retry budget refused (result over_budget)', { labelNames: ['provider', 'result'] });
  return {
    retry(provider, result) {
      retries.inc({ provider, result });
    },
    upstream(provider, ms, ok) {
      upstreamLatency.observe(ms / 1000, { provider, outcome: ok ? 'success' : 'error' });
    },
    record(endpoint, exchange, c) {
      const provider = exchange?.target?.provider.name ?? 'none';
      requests.inc({ endpoint: endpoint.id, provider, status: STATUS_CLASS[Math.floor(c.status / 100)] ?? 'other', outcome: c.outcome });
      if (c.error) errors.inc({ endpoint: endpoint.id, provider, code: c.error.code });
      latency.observe(c.totalMs / 1000, { endpoint: endpoint.id });
      if (c.firstByteMs !== undefined) ttfb.observe(c.firstByteMs / 1000, { endpoint: endpoint.id });
      const u = c.usage;
      if (u) {
        if (u.inputTokens) tokens.inc({ provider, class: 'input' }, u.inputTokens);
        if (u.outputTokens) tokens.inc({ provider, class: 'output' }, u.outputTokens);
        if (u.cacheReadTokens) tokens.inc({ provider, class: 'cache_read' }, u.cacheReadTokens);
        if (u.cacheWriteTokens) tokens.inc({ provider, class: 'cache_write' }, u.cacheWriteTokens);
        if (u.reasoningTokens) tokens.inc({ provider, class: 'reasoning' }, u.reasoningTokens);
      }
    },
  };
}
