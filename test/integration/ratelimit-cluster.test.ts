// The issue's "done when": three gateway processes sharing the real PostgreSQL and Redis (they run
// when SLUICE_TEST_PG and SLUICE_TEST_REDIS are set) admit exactly a key's rpm of a concurrent
// burst spread over all three, keep a spend budget within one request's reservation, and see a
// revocation and a budget exhaustion alike. A private redis-server, killed and restarted in the
// middle, shows on_store_error (open and closed) and that no key is left stuck (two gateways in
// this process: what they share through Redis alone, the three processes have shown).
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startGateway, tempDir, type TestGateway } from '../helpers/gateway.js';
import { pgSchema } from '../plugins/auth/helpers.js';
import { freePort, PrivateRedis, startInstance, stopInstance, webhookReceiver, type Instance } from '../plugins/ratelimit/cluster-rig.js';
import { cli, cliKey, sleep, within } from './auth-helpers.js';

const PG = process.env['SLUICE_TEST_PG'];
const REDIS = process.env['SLUICE_TEST_REDIS'];
const ADMIN_KEY = 'admin-key-for-the-ratelimit-cluster';

function clusterConfig(o: { database: string; redis: string; prefix: string; hook?: string; onStoreError?: 'open' | 'closed' }): string {
  return `server:
  shutdown_grace_ms: 200
  host: 127.0.0.1
storage:
  database: "${o.database}"
  redis: "${o.redis}"
logging: { level: info }
admin: { key: "${ADMIN_KEY}" }
providers:
  # $1 per token in and out: budgets in USD read as budgets in tokens.
  local: { type: loopback, prices: { input: 1000000, output: 1000000 } }
chain:
  - use: auth
    with:
      mode: api_key
      change_poll_ms: 0
${o.hook ? `      hooks: { webhook: { url: "${o.hook}", secret: "a-secret-of-sixteen-chars", backoff_ms: 50 } }\n` : ''}  - use: router
    with: { default: local }
  - use: translator
  - use: ratelimit
    with: { store: redis, key_prefix: "${o.prefix}", on_store_error: ${o.onStoreError ?? 'open'}, store_timeout_ms: 1000 }
`;
}

interface Answer { status: number; headers: Headers; body: { usage?: { prompt_tokens: number; completion_tokens: number }; error?: { code: string; type: string; message: string } } }

async function ask(instance: { url: string }, key: string, content = 'ping'): Promise<Answer> {
  const res = await fetch(`${instance.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: 'loopback', max_tokens: 16, messages: [{ role: 'user', content }] }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Answer['body'] };
}

const burst = (instances: Instance[], key: string, n: number) => Promise.all(Array.from({ length: n }, (_, i) => ask(instances[i % instances.length]!, key)));
const count = (answers: Answer[], status: number) => answers.filter((a) => a.status === status).length;

async function keysWithoutTtl(redis: Redis, prefix: string): Promise<string[]> {
  const stuck: string[] = [];
  for (const key of await redis.keys(`${prefix}*`)) if (await redis.pttl(key) < 0) stuck.push(key);
  return stuck;
}

describe('ratelimit: three instances sharing PostgreSQL and Redis', function () {
  this.timeout(120_000);
  let instances: Instance[] = [];
  let drop: (() => Promise<void>) | undefined;
  let hook: Awaited<ReturnType<typeof webhookReceiver>> | undefined;
  let config = '';
  const prefix = `sluice-test:rl:${randomUUID().slice(0, 8)}:`;

  before(async function () {
    if (!PG || !REDIS) return this.skip();
    const schema = await pgSchema();
    drop = schema.drop;
    hook = await webhookReceiver();
    config = path.join(tempDir('sluice-rl-cluster-'), 'sluice.yaml');
    writeFileSync(config, clusterConfig({ database: schema.url, redis: REDIS, prefix, hook: hook.url }));
    await cli(config, 'team', 'add', 'eng');
    await cli(config, 'user', 'add', 'alice', '--team', 'eng');
    instances = await Promise.all([startInstance(config), startInstance(config), startInstance(config)]);
  });
  after(async () => {
    await Promise.all(instances.map(stopInstance));
    await hook?.close();
    await drop?.();
    if (REDIS) {
      const redis = new Redis(REDIS);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
  });

  it('a burst of 150 concurrent requests over three instances at rpm 50: exactly 50 admitted, the rest 429 with retry-after', async () => {
    const key = await cliKey(config, '--user', 'alice', '--rpm', '50');
    const answers = await burst(instances, key.key, 150);
    expect(count(answers, 200)).to.equal(50);
    expect(count(answers, 429)).to.equal(100);
    for (const a of answers.filter((x) => x.status === 429)) {
      expect(a.body.error?.code).to.equal('SLUICE_E_RATE_LIMITED');
      expect(Number(a.headers.get('retry-after'))).to.be.within(1, 60);
      expect(a.headers.get('x-ratelimit-limit-requests')).to.equal('50');
      expect(a.headers.get('x-ratelimit-remaining-requests')).to.equal('0');
    }
    // Each instance admitted some: the limit is shared, not per instance.
    for (let i = 0; i < 3; i++) expect(answers.filter((a, j) => j % 3 === i && a.status === 200).length).to.be.greaterThan(0);
  });

  it('a daily spend budget holds across the three within one request\'s reservation, and all three see it exhausted, announced once', async () => {
    const budget = 500; // USD = tokens here
    const key = await cliKey(config, '--user', 'alice', '--budget-daily', String(budget));
    const first = await burst(instances, key.key, 150);
    const admitted = first.filter((a) => a.status === 200);
    expect(admitted.length).to.be.greaterThan(5);
    // Sequential requests until every one is refused: the budget fills up to its end, no further.
    const later: Answer[] = [];
    for (let i = 0; i < 60; i++) {
      const a = await ask(instances[i % 3]!, key.key);
      later.push(a);
      if (later.length >= 3 && later.slice(-3).every((x) => x.status === 429)) break;
    }
    const all = [...admitted, ...later.filter((a) => a.status === 200)];
    const spent = all.reduce((n, a) => n + a.body.usage!.prompt_tokens + a.body.usage!.completion_tokens, 0);
    // One request's reservation: its prompt estimate plus max_tokens (16).
    const reservation = 4 + 3 + 16;
    expect(spent).to.be.at.most(budget + reservation);
    expect(spent).to.be.at.least(budget - reservation);
    for (const instance of instances) {
      const a = await ask(instance, key.key);
      expect(a.status).to.equal(429);
      expect(a.body.error?.code).to.equal('SLUICE_E_BUDGET_EXCEEDED');
      expect(a.headers.get('x-ratelimit-limit-budget-usd')).to.equal(String(budget));
      expect(Number(a.headers.get('retry-after'))).to.be.greaterThan(0);
    }
    await within(5000, async () => hook!.events.some((e) => e.type === 'budget.exhausted' && e.data['key_id'] === key.id));
    await sleep(500);
    const mine = hook!.events.filter((e) => e.data['key_id'] === key.id);
    expect(mine.filter((e) => e.type === 'budget.exhausted')).to.have.length(1);
    expect(mine.filter((e) => e.type === 'budget.warning')).to.have.length(1);
    const exhausted = mine.find((e) => e.type === 'budget.exhausted')!.data;
    expect(exhausted).to.include({ scope: 'key', subject: key.id, user: 'alice', team: 'eng', limit_usd: budget });
    expect(exhausted['window']).to.match(/^day:\d{4}-\d{2}-\d{2}$/);
  });

  it('a revocation on one instance is seen by all three', async () => {
    const key = await cliKey(config, '--user', 'alice', '--rpm', '1000');
    for (const instance of instances) expect((await ask(instance, key.key)).status).to.equal(200);
    const res = await fetch(`${instances[0]!.url}/admin/keys/${key.id}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(res.status).to.equal(200);
    for (const instance of instances) await within(2000, async () => (await ask(instance, key.key)).status === 401);
  });

  it('no key is left without an expiry', async () => {
    const redis = new Redis(REDIS!);
    try {
      expect(await redis.keys(`${prefix}*`)).to.not.have.length(0);
      expect(await keysWithoutTtl(redis, prefix)).to.deep.equal([]);
    } finally {
      redis.disconnect();
    }
  });
});

describe('ratelimit: a Redis restart in the middle', function () {
  this.timeout(120_000);
  let open: TestGateway | undefined;
  let closed: TestGateway | undefined;
  let drop: (() => Promise<void>) | undefined;
  let redisServer: PrivateRedis | undefined;
  let config = '';
  const prefix = `sluice-test:rl:${randomUUID().slice(0, 8)}:`;

  before(async function () {
    if (!PG) return this.skip();
    redisServer = new PrivateRedis(await freePort());
    try { await redisServer.start(); } catch { return this.skip(); }
    const schema = await pgSchema();
    drop = schema.drop;
    const dir = tempDir('sluice-rl-restart-');
    config = path.join(dir, 'open.yaml');
    const openYaml = clusterConfig({ database: schema.url, redis: redisServer.url, prefix, onStoreError: 'open' });
    writeFileSync(config, openYaml);
    await cli(config, 'user', 'add', 'bob');
    const closedYaml = clusterConfig({ database: schema.url, redis: redisServer.url, prefix, onStoreError: 'closed' });
    [open, closed] = await Promise.all([startGateway(openYaml, { dir: tempDir('sluice-rl-restart-open-') }), startGateway(closedYaml, { dir: tempDir('sluice-rl-restart-closed-') })]);
  });
  after(async () => {
    await Promise.all([open?.close(), closed?.close()]);
    await redisServer?.kill();
    await drop?.();
  });

  it('follows on_store_error while Redis is down, and counts exactly again once it is back, with no key stuck', async () => {
    const key = await cliKey(config, '--user', 'bob', '--rpm', '1000', '--budget-daily', '100000');
    for (const instance of [open!, closed!]) {
      const a = await ask(instance, key.key);
      expect(a.status).to.equal(200);
      expect(a.headers.get('x-ratelimit-limit-requests')).to.equal('1000');
    }
    await redisServer!.kill();
    // open: admitted unchecked; closed: a retryable 503 in the client's envelope.
    const during = await Promise.all([ask(open!, key.key), ask(open!, key.key), ask(closed!, key.key)]);
    expect(during[0]!.status).to.equal(200);
    expect(during[1]!.status).to.equal(200);
    expect(during[2]!.status).to.equal(503);
    expect(during[2]!.body.error?.code).to.equal('SLUICE_E_RATELIMIT_UNAVAILABLE');
    expect(during[2]!.headers.get('retry-after')).to.equal('1');
    for (const instance of [open!, closed!]) {
      const metrics = await (await fetch(`${instance.url}/metrics`)).text();
      expect(metrics).to.match(/sluice_ratelimit_store_errors_total\{op="reserve"\} [1-9]/);
      await within(3000, async () => instance.logs.join('').includes('rate limit store unavailable'));
    }
    await redisServer!.start();
    await within(15_000, async () => (await ask(closed!, key.key)).status === 200);
    // The open instance reconnects on its own schedule, admitting unchecked (no limit headers) until
    // then: counted from both only once both count again (under load it was the later one, and
    // the 20 requests below got 15 answers instead of 5).
    await within(15_000, async () => (await ask(open!, key.key)).headers.get('x-ratelimit-limit-requests') === '1000');
    // Exact again: a fresh key at rpm 5 over both instances.
    const tight = await cliKey(config, '--user', 'bob', '--rpm', '5');
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => ask(i % 2 ? open! : closed!, tight.key)));
    expect(count(answers, 200)).to.equal(5);
    expect(count(answers, 429)).to.equal(15);
    // The spend of the requests admitted unchecked was settled once Redis came back.
    const redis = new Redis(redisServer!.url);
    try {
      await within(5000, async () => (await redis.keys(`${prefix}key:${key.id}:day:*`)).length > 0);
      const [day] = await redis.keys(`${prefix}key:${key.id}:day:*`);
      expect(Number(await redis.hget(day!, 'u'))).to.be.greaterThan(0);
      expect(await keysWithoutTtl(redis, prefix)).to.deep.equal([]);
    } finally {
      redis.disconnect();
    }
  });
});
