// Core request metrics, recorded once per completed request.
import type { Completion, Endpoint, Exchange } from '../exchange.js';
import type { Metrics } from '../observability/metrics.js';

export interface RequestMetrics {
  /** `endpoint` is only its id: requests refused before an endpoint matched are counted too. */
  record(endpoint: Pick<Endpoint, 'id'>, exchange: Exchange | undefined, completion: Completion): void;
}

/** Indexed by status / 100: built once rather than a template string per request. */
const STATUS_CLASS = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx'];

export function createRequestMetrics(metrics: Metrics): RequestMetrics {
  const requests = metrics.counter('sluice_requests_total', 'Requests by endpoint, provider, status class and outcome', { labelNames: ['endpoint', 'provider', 'status', 'outcome'] });
  const latency = metrics.histogram('sluice_request_duration_seconds', 'Total request latency', { labelNames: ['endpoint'] });
  const ttfb = metrics.histogram('sluice_time_to_first_byte_seconds', 'Time to the first response byte', { labelNames: ['endpoint'] });
  const tokens = metrics.counter('sluice_tokens_total', 'Tokens by class and provider', { labelNames: ['provider', 'class'] });
  return {
    record(endpoint, exchange, c) {
      const provider = exchange?.target?.provider.name ?? 'none';
      requests.inc({ endpoint: endpoint.id, provider, status: STATUS_CLASS[Math.floor(c.status / 100)] ?? 'other', outcome: c.outcome });
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
