// An open-loop load: requests sent at their own times (Poisson arrivals at a mean rate), whatever
// the answers before them are doing, as independent clients do. autocannon's `overallRate` is not
// that: each of its connections sends its share of a second back to back at the second's start, so
// every second opens with a burst at full concurrency and a request's latency is mostly its wait
// behind the burst on the gateway's one thread — any CPU added to a request is paid again by every
// request queued behind it. A median latency measured that way measures CPU, not latency.
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { median } from './stats.js';

export interface OpenLoopResult { requests: number; p50: number; non2xx: number; failed: number; lateP99: number }

/** A small deterministic PRNG (mulberry32): every window's arrival times can be drawn again. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Arrival offsets in ms from the start: exponential gaps of mean 1000 / rate. */
export function poissonArrivals(rate: number, amount: number, seed: number): Float64Array {
  const next = random(seed);
  const at = new Float64Array(amount);
  let t = 0;
  for (let i = 0; i < amount; i++) { t += -Math.log(1 - next()) * (1000 / rate); at[i] = t; }
  return at;
}

/**
 * Sends `amount` POSTs of `body(i)` to `url` at Poisson arrivals of mean `rate` a second. Each
 * latency runs from the request's dispatch to the last byte of its answer (sub-millisecond). The
 * timer fires at most every millisecond, so arrivals closer than that leave together; `lateP99`
 * says how late the generator itself was (ms behind the schedule), so a run whose generator could
 * not keep up is seen as such.
 */
export async function openLoop(url: string, body: (i: number) => string, rate: number, amount: number, seed: number): Promise<OpenLoopResult> {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: 256, pipelining: 1, keepAliveTimeout: 30_000 });
  const arrivals = poissonArrivals(rate, amount, seed);
  const times: number[] = [];
  const late: number[] = [];
  let non2xx = 0;
  let failed = 0;
  const inFlight: Promise<void>[] = [];
  const send = async (i: number) => {
    const start = performance.now();
    try {
      const res = await pool.request({ path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json' }, body: body(i) });
      for await (const _ of res.body) { /* read to the end */ }
      if (res.statusCode < 200 || res.statusCode > 299) non2xx++;
      times.push(performance.now() - start);
    } catch {
      failed++;
    }
  };
  const t0 = performance.now();
  await new Promise<void>((done) => {
    let next = 0;
    const tick = () => {
      const now = performance.now() - t0;
      while (next < amount && arrivals[next]! <= now) {
        late.push(now - arrivals[next]!);
        inFlight.push(send(next++));
      }
      if (next < amount) setTimeout(tick, Math.max(0, arrivals[next]! - (performance.now() - t0)));
      else done();
    };
    tick();
  });
  await Promise.all(inFlight);
  await pool.close();
  late.sort((a, b) => a - b);
  return { requests: times.length, p50: median(times), non2xx, failed, lateP99: late[Math.floor(late.length * 0.99)] ?? 0 };
}
