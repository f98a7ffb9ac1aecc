// A Redis that cannot be reached: ioredis, without an 'error' listener, prints every failed
// (re)connect with its stack on stderr. The services' client logs it instead, once per distinct
// error and interval, with the URL's password masked.
import { expect } from 'chai';
import path from 'node:path';
import { parseConfigText } from '../../core/config/load.js';
import { createLogger } from '../../core/observability/logger.js';
import { openServices } from '../../core/plugin/services.js';
import { freePort, tempDir } from '../helpers/gateway.js';


describe('services: an unreachable Redis', () => {
  it('logs one masked warning for repeated reconnect failures and prints nothing itself', async () => {
    const port = await freePort();
    const dir = tempDir('sluice-redis-');
    const loaded = parseConfigText(`storage: { redis: "redis://:sekret@127.0.0.1:${port}" }\nproviders: { local: { type: loopback } }\nchain: [{ use: router, with: { default: local } }]\n`, path.join(dir, 'sluice.yaml'), {});
    const lines: string[] = [];
    const services = openServices(loaded, () => [], createLogger({ level: 'info', write: (l) => lines.push(l) }));
    const printed: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => { printed.push(args.map(String).join(' ')); };
    try {
      const redis = services.redis()!;
      // ioredis retries after ~50, ~100, ~150 ms: several failed connects. (No 'error' listener of
      // the test's own: one would hide ioredis's printing.)
      let retries = 0;
      redis.on('reconnecting', () => { retries++; });
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(retries).to.be.greaterThan(1);
    } finally {
      console.error = original;
      await services.close();
    }
    expect(printed.filter((l) => l.includes('ioredis'))).to.deep.equal([]);
    const warnings = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === 'redis unreachable');
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.include({ url: `redis://:***@127.0.0.1:${port}`, error: 'ECONNREFUSED' });
    expect(lines.join('')).to.not.include('sekret');
  });
});
