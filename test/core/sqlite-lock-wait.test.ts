// A running gateway's SQLite connection waits 250 ms for another connection's lock, not the 5 s
// that migrations and CLI commands keep: SQLite waits by sleeping in the calling thread, and in a
// gateway that is the event loop. A plugin's write that meets a lock held elsewhere (a VACUUM,
// another instance on the file, a tool's transaction) fails after a quarter of a second — an admin
// route's as a 503 to retry — and requests meanwhile wait no longer than that.
import Database from 'better-sqlite3';
import { expect } from 'chai';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { startGateway, tempDir } from '../helpers/gateway.js';

declare global { var __lockProbe: Knex | undefined }

const coreIndex = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../core/index.js')).href;
const PROBE = `import { definePlugin, z } from '${coreIndex}';
export default definePlugin({
  name: 'lock-probe', version: '1.0.0', sluice: '>=0.1', options: z.object({}),
  migrations: [{ name: '001_table', up: async (k) => { await k.schema.createTable('lock_probe', (t) => { t.integer('n'); }); } }],
  setup: (_o, host) => {
    host.addAdminRoute('POST', '/probe', async () => { await (await host.database())('lock_probe').insert({ n: 3 }); return { status: 201, body: { ok: true } }; });
    return { async start() { globalThis.__lockProbe = await host.database(); } };
  },
});
`;

const ADMIN_KEY = 'lock-probe-admin-key-0123456789';

describe('a running gateway on SQLite, another connection holding the lock', () => {
  it('waits 250 ms for it, not 5 s, and its own writes work again once the lock is gone', async () => {
    const dir = tempDir('sluice-lock-wait-');
    const gw = await startGateway(`server: { shutdown_grace_ms: 200 }
storage: { database: "sqlite:./l.db" }
admin: { key: "${ADMIN_KEY}" }
providers: { local: { type: loopback } }
chain:
  - use: ./probe.mjs
  - use: router
    with: { default: local }
`, { dir, files: { 'probe.mjs': PROBE } });
    const other = new Database(path.join(dir, 'l.db'));
    try {
      const knex = globalThis.__lockProbe!;
      expect(await knex.raw('pragma busy_timeout')).to.deep.equal([{ timeout: 250 }]);
      other.exec('begin exclusive');
      const started = performance.now();
      const failed = await knex('lock_probe').insert({ n: 1 }).then(() => undefined, (err: unknown) => err as Error & { code?: string });
      const waited = performance.now() - started;
      expect(failed?.code).to.equal('SQLITE_BUSY');
      expect(waited).to.be.within(200, 1500);
      // A plugin's admin route meeting the lock: a 503 to retry, not a 500 (and a warning, not a bug's stack).
      const admin = { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}` } };
      const refused = await fetch(`${gw.url}/admin/probe`, admin);
      expect(refused.status).to.equal(503);
      expect(refused.headers.get('retry-after')).to.equal('1');
      expect((await refused.json() as { error: { code: string } }).error.code).to.equal('SLUICE_E_STORAGE_UNAVAILABLE');
      expect(gw.logs.some((l) => l.includes('"msg":"database unavailable"') && l.includes('SQLITE_BUSY'))).to.equal(true);
      expect(gw.logs.some((l) => l.includes('"msg":"internal error"'))).to.equal(false);
      other.exec('rollback');
      expect((await fetch(`${gw.url}/admin/probe`, admin)).status).to.equal(201);
      await knex('lock_probe').insert({ n: 2 });
      expect(await knex('lock_probe').select('n').orderBy('n')).to.deep.equal([{ n: 2 }, { n: 3 }]);
    } finally {
      other.close();
      globalThis.__lockProbe = undefined;
      await gw.close();
    }
  });
});
