// The core latency histograms must resolve what LLM requests take: a reasoning model's first byte
// after a minute or two (first_byte_ms allows 120 s), a long stream over several minutes.
import { expect } from 'chai';
import { createRequestMetrics } from '../../../core/http/request-metrics.js';
import { createMetrics } from '../../../core/observability/metrics.js';

const bucketOf = (text: string, metric: string, le: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${metric}_bucket{le="${le}"`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
};

describe('request metrics: latency buckets for LLM requests', () => {
  it('puts a 90 s first byte, a 4-minute stream and a 100 s upstream attempt in finite buckets, not only +Inf', async () => {
    const metrics = createMetrics();
    const rm = createRequestMetrics(metrics);
    rm.record({ id: 'openai.chat' }, undefined, { outcome: 'success', status: 200, usage: undefined, error: undefined, firstByteMs: 90_000, totalMs: 240_000 });
    rm.upstream('p', 100_000, true);
    const text = await metrics.render();
    expect(bucketOf(text, 'sluice_time_to_first_byte_seconds', '60')).to.equal(0);
    expect(bucketOf(text, 'sluice_time_to_first_byte_seconds', '120')).to.equal(1);
    expect(bucketOf(text, 'sluice_request_duration_seconds', '120')).to.equal(0);
    expect(bucketOf(text, 'sluice_request_duration_seconds', '300')).to.equal(1);
    expect(bucketOf(text, 'sluice_upstream_duration_seconds', '120')).to.equal(1);
  });

  it('keeps millisecond resolution at the low end (the gateway\'s own answers, probes of the path)', async () => {
    const metrics = createMetrics();
    const rm = createRequestMetrics(metrics);
    rm.record({ id: 'none' }, undefined, { outcome: 'error', status: 404, usage: undefined, error: undefined, firstByteMs: 0.4, totalMs: 0.4 });
    const text = await metrics.render();
    expect(bucketOf(text, 'sluice_request_duration_seconds', '0.001')).to.equal(1);
  });
});
