// /ready reflects the real PostgreSQL and Redis (never mocked): they run when CI sets
// SLUICE_TEST_PG / SLUICE_TEST_REDIS.
import { expect } from 'chai';
import { config, startGateway } from '../helpers/gateway.js';

const PG = process.env['SLUICE_TEST_PG'];
const REDIS = process.env['SLUICE_TEST_REDIS'];

describe('storage readiness (real PostgreSQL and Redis)', function () {
  before(function () { if (!PG || !REDIS) this.skip(); });

  const withStorage = (database: string, redis: string) =>
    config().replace('storage:\n  database: "sqlite::memory:"', `storage:\n  database: "${database}"\n  redis: "${redis}"`);

  it('is ready when PostgreSQL and Redis answer', async () => {
    const gw = await startGateway(withStorage(PG!, REDIS!));
    try {
      const res = await fetch(`${gw.url}/ready`);
      expect(res.status).to.equal(200);
      expect(await res.json()).to.deep.equal({ status: 'ready', checks: { database: 'ok', redis: 'ok' } });
    } finally { await gw.close(); }
  });

  it('is not ready, without leaking the URL, when PostgreSQL is unreachable', async () => {
    const gw = await startGateway(withStorage('postgres://postgres:hunter2secret@127.0.0.1:9/test', REDIS!));
    try {
      const res = await fetch(`${gw.url}/ready`);
      expect(res.status).to.equal(503);
      const text = await res.text();
      expect(JSON.parse(text).checks.database).to.match(/^failed: /);
      expect(text).to.not.contain('hunter2secret');
    } finally { await gw.close(); }
  });
});
