// The sync status `sluice marketplace status` reads: a failure keeps the time of the last success.
import { expect } from 'chai';
import { readStatus, writeStatus } from '../../../plugins/marketplace/status-store.js';
import { databases, type OutboxDb } from './rig.js';

for (const db of databases) {
  describe(`marketplace: sync status (${db.name})`, () => {
    let d: OutboxDb;
    beforeEach(async () => { d = await db.create(); });
    afterEach(async () => { await d.close(); });

    it('records each kind\'s last attempt, and its last success across failures', async () => {
      await writeStatus(d.knex, 'push', true, 'accepted', 'accepted 3, duplicates 0', 1000);
      await writeStatus(d.knex, 'push', false, 'server_error', 'HTTP 503', 2000);
      await writeStatus(d.knex, 'pull', false, 'timeout', 'timeout after 10 ms', 2500);
      const s = await readStatus(d.knex);
      expect(s.get('push')).to.deep.equal({ kind: 'push', timeMs: 2000, ok: false, result: 'server_error', detail: 'HTTP 503', lastOkMs: 1000 });
      expect(s.get('pull')).to.deep.include({ ok: false, lastOkMs: null });
      await writeStatus(d.knex, 'push', true, 'accepted', 'accepted 1, duplicates 2', 3000);
      expect((await readStatus(d.knex)).get('push')).to.deep.include({ ok: true, timeMs: 3000, lastOkMs: 3000 });
    });
  });
}
