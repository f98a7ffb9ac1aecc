// GET /ready says whether this instance can serve. A dependency it can serve without (Redis, when
// the rate limiter admits unchecked on a store error) is reported as degraded with a 200: every
// instance shares that Redis, and a load balancer that took them all out because of it would
// turn a degraded gateway into an outage. Redis here is an address nothing listens on.
import { expect } from 'chai';
import { config, freePort, startGateway, type TestGateway } from '../helpers/gateway.js';

async function deadRedis(): Promise<string> {
  return `redis://127.0.0.1:${await freePort()}`;
}

const withRatelimit = (redis: string, onStoreError: 'open' | 'closed') => config({
  chain: `  - use: router\n    with: { default: local }\n  - use: ratelimit\n    with: { store: redis, on_store_error: ${onStoreError}, store_timeout_ms: 50, rules: [{ scope: global, rpm: 1000 }] }\n`,
}).replace('storage:\n  database: "sqlite::memory:"', `storage:\n  database: "sqlite::memory:"\n  redis: "${redis}"`);

describe('GET /ready with Redis down', function () {
  this.timeout(30_000);
  let redisOfOpen = '';
  let open: Promise<TestGateway>;
  let closed: Promise<TestGateway>;
  let startMs = 0;
  before(async () => {
    redisOfOpen = await deadRedis();
    const started = Date.now();
    open = startGateway(withRatelimit(redisOfOpen, 'open'));
    closed = startGateway(withRatelimit(await deadRedis(), 'closed'));
    // Both settle before a test runs (a rejection is reported by the test that awaits it).
    await Promise.allSettled([open, closed]);
    startMs = Date.now() - started;
  });

  it('starts without waiting for a Redis that refuses the connection (its 5 s wait is for one still connecting)', () => {
    // The start waited the whole 5 s before; a generous bound for a loaded machine.
    expect(startMs).to.be.below(3_500);
  });

  it('is ready (200, degraded) when the rate limiter admits unchecked (on_store_error: open), and serves', async () => {
    const redis = redisOfOpen;
    const gw = await open;
    try {
      const res = await fetch(`${gw.url}/ready`);
      const body = await res.json() as { status: string; checks: Record<string, string>; degraded?: string[] };
      expect(res.status).to.equal(200);
      expect(body.status).to.equal('degraded');
      expect(body.checks['database']).to.equal('ok');
      expect(body.checks['redis']).to.match(/^failed: /);
      expect(body.degraded).to.include('redis');
      expect(JSON.stringify(body)).to.not.contain(redis.split('//')[1]!);
      // And it really can serve.
      const chat = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }) });
      expect(chat.status).to.equal(200);
    } finally { await gw.close(); }
  });

  it('is not ready (503) when the rate limiter refuses every request without its store (on_store_error: closed)', async () => {
    const gw = await closed;
    try {
      const res = await fetch(`${gw.url}/ready`);
      const body = await res.json() as { status: string; checks: Record<string, string> };
      expect(res.status).to.equal(503);
      expect(body.status).to.equal('not ready');
      expect(body.checks['ratelimit:store']).to.match(/^failed: /);
    } finally { await gw.close(); }
  });

  it('is ready with Redis down when nothing needs it to serve (no ratelimit)', async () => {
    const gw = await startGateway(config().replace('storage:\n  database: "sqlite::memory:"', `storage:\n  database: "sqlite::memory:"\n  redis: "${await deadRedis()}"`));
    try {
      const res = await fetch(`${gw.url}/ready`);
      expect(res.status).to.equal(200);
      expect((await res.json() as { status: string }).status).to.equal('degraded');
    } finally { await gw.close(); }
  });
});
