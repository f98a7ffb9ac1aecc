// Two gateway processes sharing PostgreSQL and Redis (never mocked; they run when SLUICE_TEST_PG and
// SLUICE_TEST_REDIS are set): a revocation or a disabled user on one fails the key on the other
// within a second — through Redis alone (the database poll is off here).
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { tempDir } from '../helpers/gateway.js';
import { startInstance, type Instance } from '../helpers/sluice-process.js';
import { pgSchema } from '../plugins/auth/helpers.js';
import { authConfig, cli, cliKey, sleep } from './auth-helpers.js';

const PG = process.env['SLUICE_TEST_PG'];
const REDIS = process.env['SLUICE_TEST_REDIS'];
const ADMIN_KEY = 'admin-key-for-the-cluster-test';



async function stop(instance: Instance | undefined): Promise<void> {
  if (!instance || instance.child.exitCode !== null) return;
  await new Promise<void>((resolve) => { instance.child.once('exit', () => resolve()); instance.child.kill('SIGTERM'); });
}

async function status(instance: Instance, key: string): Promise<number> {
  const client = new OpenAI({ baseURL: `${instance.url}/v1`, apiKey: key, maxRetries: 0 });
  try {
    await client.chat.completions.create({ model: 'loopback', messages: [{ role: 'user', content: 'ping' }] });
    return 200;
  } catch (err) {
    return (err as { status: number }).status;
  }
}

/** ms until `instance` refuses `key` (polled every 10 ms), or throws after `limit`. */
async function refusedWithin(instance: Instance, key: string, limit: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < limit) {
    if (await status(instance, key) === 401) return Date.now() - start;
    await sleep(10);
  }
  throw new Error(`still accepted after ${limit} ms`);
}

const admin = (instance: Instance, method: string, pathname: string) =>
  fetch(`${instance.url}/admin${pathname}`, { method, headers: { authorization: `Bearer ${ADMIN_KEY}` } });

describe('auth: two instances sharing PostgreSQL and Redis', function () {
  this.timeout(90_000);
  let a: Instance | undefined;
  let b: Instance | undefined;
  let drop: (() => Promise<void>) | undefined;
  let config = '';

  before(async function () {
    if (!PG || !REDIS) return this.skip();
    const schema = await pgSchema();
    drop = schema.drop;
    const dir = tempDir('sluice-cluster-');
    config = path.join(dir, 'sluice.yaml');
    writeFileSync(config, authConfig({
      storage: `  database: "${schema.url}"\n  redis: "${REDIS}"`,
      // A minute of cache and no database poll: only Redis can tell the other instance in time.
      auth: '{ mode: api_key, change_poll_ms: 0, cache_ttl_ms: 60000 }',
      admin: ADMIN_KEY,
      server: '  shutdown_grace_ms: 200\n  host: 127.0.0.1',
    }));
    await cli(config, 'user', 'add', 'alice');
    await cli(config, 'user', 'add', 'bob');
    [a, b] = await Promise.all([startInstance(config), startInstance(config)]);
  });
  after(async () => {
    await Promise.all([stop(a), stop(b)]);
    await drop?.();
  });

  it('a key revoked on one instance fails on the other within a second', async () => {
    const key = await cliKey(config, '--user', 'alice');
    // Warm both caches.
    expect(await status(a!, key.key)).to.equal(200);
    expect(await status(b!, key.key)).to.equal(200);
    const revoked = await admin(a!, 'POST', `/keys/${key.id}/revoke`);
    expect(revoked.status).to.equal(200);
    expect(await status(a!, key.key)).to.equal(401); // at once on the instance that revoked
    expect(await refusedWithin(b!, key.key, 1000)).to.be.below(1000);
  });

  it('a user disabled on one instance has all their keys fail on the other within a second', async () => {
    const k1 = await cliKey(config, '--user', 'bob');
    const k2 = await cliKey(config, '--user', 'bob');
    for (const k of [k1, k2]) { expect(await status(a!, k.key)).to.equal(200); expect(await status(b!, k.key)).to.equal(200); }
    expect((await admin(b!, 'POST', '/users/bob/disable')).status).to.equal(200);
    expect(await refusedWithin(a!, k1.key, 1000)).to.be.below(1000);
    expect(await status(a!, k2.key)).to.equal(401);
  });

  it('a revocation with the CLI reaches both running instances through Redis', async () => {
    const key = await cliKey(config, '--user', 'alice');
    expect(await status(a!, key.key)).to.equal(200);
    expect(await status(b!, key.key)).to.equal(200);
    await cli(config, 'key', 'revoke', key.id);
    expect(await refusedWithin(a!, key.key, 1000)).to.be.below(1000);
    expect(await refusedWithin(b!, key.key, 1000)).to.be.below(1000);
  });
});
