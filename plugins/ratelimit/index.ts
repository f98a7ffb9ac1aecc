// The ratelimit plugin: requests and tokens per minute, spend per day, month or lifetime, per key,
// user, team, model, session or globally — reserved before the upstream call and settled with the
// real usage, in memory for one instance or in Redis (one atomic script) for many.
import { definePlugin, OptionError, type PluginInstance } from '../../core/index.js';
import { Limiter } from './limiter.js';
import { MemoryStore } from './memory-store.js';
import { ratelimitOptions, type RatelimitOptions } from './options.js';
import { RedisStore } from './redis-store.js';
import type { LimitStore } from './store.js';

/** Options of the store itself, made once at start: a reload that changes them is refused. */
const STORE_KEYS = ['store', 'key_prefix', 'reservation_ttl_ms', 'store_timeout_ms'] as const;

export default definePlugin<RatelimitOptions>({
  name: 'ratelimit',
  version: '0.1.0',
  sluice: '^0.1.0',
  description: 'Requests and tokens per minute, spend per day, month or lifetime; per key, user, team, model, session; memory or Redis',
  options: ratelimitOptions,
  // After the router: the served model (model scope, prices) is known, and model listings the
  // router answers itself are not counted. After auth, when there is one (key, user, team scopes).
  requires: ['routing'],
  provides: ['rate-limits'],
  errors: {
    SLUICE_E_BUDGET_EXCEEDED: { status: 429, openai: 'rate_limit_error', anthropic: 'rate_limit_error', gemini: 'RESOURCE_EXHAUSTED', outcome: 'blocked' },
    // on_store_error: closed, and Redis cannot answer: retryable, not the client's fault.
    SLUICE_E_RATELIMIT_UNAVAILABLE: { status: 503, openai: 'api_error', anthropic: 'overloaded_error', gemini: 'UNAVAILABLE' },
  },
  setup(options, host): PluginInstance<RatelimitOptions> {
    if (options.store === 'redis' && !host.config.storage?.redis) {
      throw new OptionError(['store'], 'redis needs storage.redis (a Redis URL) in the config; use store: memory for a single instance');
    }
    // No connection here (config validate runs setup): the store is made on start.
    let store: LimitStore | undefined;
    const memory = options.store === 'memory' ? new MemoryStore(options.reservation_ttl_ms) : undefined;
    const getStore = () => (store ??= memory ?? new RedisStore(host.redis()!, {
      prefix: options.key_prefix, reservationTtlMs: options.reservation_ttl_ms, timeoutMs: options.store_timeout_ms,
    }));
    const limiter = new Limiter(options, host, getStore);
    let onStoreError = options.on_store_error;
    if (!memory) {
      // Redis is this instance's to serve with only when a store error refuses requests (closed);
      // open admits them unchecked, so /ready reports Redis as degraded and stays 200 (core's
      // own `redis` check says the same). Read at each probe: a reload may switch it.
      host.addReadinessCheck('store', async () => { await host.redis()!.ping(); }, { required: () => onStoreError === 'closed' });
    }
    return {
      middleware: limiter.middleware,
      onRequest: (record) => limiter.onRequest(record),
      async start() {
        // storage.redis is there for several instances (revocations, shared state): counted in
        // memory, each of N instances admits the whole limit, and a key spends N times its budget.
        if (memory && host.config.storage?.redis) {
          host.logger.warn('rate limits are counted in this instance only (store: memory) although storage.redis is set: instances sharing keys each admit the whole limit; set store: redis');
        }
        memory?.start();
        limiter.start();
        getStore();
        // Connect before serving, so the first requests are checked; a Redis that is down is
        // on_store_error's business, not a reason to refuse to start — nor to wait: a connection
        // refused (or already failed and retrying) is known, only one still being made is waited for.
        const redis = memory ? undefined : host.redis();
        if (redis && CONNECTING.has(redis.status)) await readyWithin(redis, 5_000);
      },
      reload(next) {
        for (const key of STORE_KEYS) {
          if (next[key] !== options[key]) throw new OptionError([key], 'cannot change without a restart');
        }
        return () => { limiter.reconfigure(next); onStoreError = next.on_store_error; };
      },
      async close() {
        await limiter.close();
        await store?.close();
      },
    };
  },
});

/** ioredis states of a connection still being made (its first attempt not yet failed). */
const CONNECTING = new Set(['wait', 'connecting', 'connect']);

/** Resolves when the connection is ready, its attempt fails, or `ms` have passed. */
function readyWithin(redis: { once(event: 'ready' | 'error', listener: () => void): unknown; removeListener(event: 'ready' | 'error', listener: () => void): unknown }, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { clearTimeout(timer); redis.removeListener('ready', done); redis.removeListener('error', done); resolve(); };
    const timer = setTimeout(done, ms);
    redis.once('ready', done);
    redis.once('error', done);
  });
}

export { ratelimitOptions } from './options.js';
export type { RatelimitOptions } from './options.js';
