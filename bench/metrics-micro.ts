// Micro-benchmark: CPU per request-metrics update (the four updates the hot path makes per request)
// and per observed stream event. `node dist/bench/metrics-micro.js`. Compare A/B back to back: the
// machine is shared.
import { createMetrics } from '../core/observability/metrics.js';
import { createRequestMetrics } from '../core/http/request-metrics.js';
import { observeStream } from '../core/protocols/observe-stream.js';
import type { StreamEvent } from '../core/protocols/types.js';
import type { Completion, Exchange } from '../core/exchange.js';

function cpuNs(fn: () => void, n: number): number {
  const t = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t);
  return ((d.user + d.system) * 1000) / n;
}

const metrics = createMetrics();
const rm = createRequestMetrics(metrics);
const exchange = { target: { provider: { name: 'openai' } } } as unknown as Exchange;
const completion = { outcome: 'ok', status: 200, totalMs: 12.5, firstByteMs: 3.2, usage: { inputTokens: 20, outputTokens: 30 } } as unknown as Completion;
const endpoint = { id: 'openai.chat' };
const N = 2_000_000;
const record = () => { for (let i = 0; i < N; i++) rm.record(endpoint, exchange, completion); };
record();
const ns = [0, 1, 2].map(() => cpuNs(record, N));
console.log(`request metrics record: ${ns.map((x) => x.toFixed(0)).join(' / ')} ns per request`);

const EVENTS = 1_000_000;
async function* source(): AsyncIterable<StreamEvent> {
  const ev = { type: 'delta', text: 'x' } as unknown as StreamEvent;
  for (let i = 0; i < EVENTS; i++) yield ev;
}
async function drain(it: AsyncIterable<StreamEvent>): Promise<number> {
  let n = 0;
  for await (const _ of it) n++;
  return n;
}
async function streamNs(observe: boolean): Promise<number> {
  const t = process.cpuUsage();
  let seen = 0;
  await drain(observe ? observeStream(source(), { event: () => { seen++; }, end: () => {} }) : source());
  const d = process.cpuUsage(t);
  return ((d.user + d.system) * 1000) / EVENTS;
}
const rows: string[] = [];
for (let r = 0; r < 3; r++) {
  const bare = await streamNs(false);
  const watched = await streamNs(true);
  rows.push(`${bare.toFixed(0)} → ${watched.toFixed(0)} (+${(watched - bare).toFixed(0)})`);
}
console.log(`stream event, bare → observed: ${rows.join(' / ')} ns per event`);
