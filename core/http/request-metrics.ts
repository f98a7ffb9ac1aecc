// Core request metrics, recorded once per completed request.
import type { Completion, Endpoint, Exchange } from '../exchange.js';
import type { Metrics } from '../observability/metrics.js';

export interface RequestMetrics {
  /** `endpoint` is only its id: requests refused before an endpoint matched are counted too. */
  record(endpoint: Pick<Endpoint, 'id'>, exchange: Exchange | undefined, completion: Completion): void;
}

export function createRequestMetrics(metrics: Metrics): RequestMetrics {
  const requests = metrics.counter('sluice_requests_total', 'Requests by endpoint, provider, status class and outcome');
  const latency = metrics.histogram('sluice_request_duration_seconds', 'Total request latency');
  const ttfb = metrics.histogram('sluice_time_to_first_byte_seconds', 'Time to the first response byte');
  const tokens = metrics.counter('sluice_tokens_total', 'Tokens by class and provider');
  return {
    record(endpoint, exchange, c) {
      const provider = exchange?.target?.provider.name ?? 'none';
      requests.inc({ endpoint: endpoint.id, provider, status: `${Math.floor(c.status / 100)}xx`, outcome: c.outcome });
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
