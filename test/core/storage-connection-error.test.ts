// A database that cannot be reached or opened fails with an error naming storage.database and the
// URL (its password masked) and why, keeping the driver's code for callers that sort by it.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../../core/observability/logger.js';
import { openDatabase } from '../../core/storage/database.js';
import { connectionFailure, isStorageConnectionError, maskUrl, type StorageConnectionError } from '../../core/storage/connection-error.js';
import { freePort, tempDir } from '../helpers/gateway.js';


/** knex's own messages stay out of the test's output. */
const quiet = createLogger({ level: 'silent' });

async function failureOf(run: () => Promise<unknown>): Promise<StorageConnectionError> {
  try {
    await run();
  } catch (err) {
    expect(isStorageConnectionError(err), String((err as Error).stack)).to.equal(true);
    return err as StorageConnectionError;
  }
  throw new Error('expected a failure');
}

describe('storage connection failures', () => {
  it('mask the password of a URL, and leave a URL without one as written', () => {
    expect(maskUrl('postgres://sluice:s3cret@db:5432/sluice')).to.equal('postgres://sluice:***@db:5432/sluice');
    expect(maskUrl('postgres://sluice:p%40ss@db/sluice?sslmode=require')).to.equal('postgres://sluice:***@db/sluice?sslmode=require');
    expect(maskUrl('postgres://db/sluice?user=sluice&password=s3cret')).to.equal('postgres://db/sluice?user=sluice&password=***');
    expect(maskUrl('redis://:s3cret@127.0.0.1:6379')).to.equal('redis://:***@127.0.0.1:6379');
    expect(maskUrl('postgres://postgres@127.0.0.1:5432/test')).to.equal('postgres://postgres@127.0.0.1:5432/test');
    expect(maskUrl('sqlite:./data/sluice.db')).to.equal('sqlite:./data/sluice.db');
    expect(maskUrl('https://generativelanguage.googleapis.com/v1beta?key=AIzaS3cret&alt=sse')).to.equal('https://generativelanguage.googleapis.com/v1beta?key=***&alt=sse');
    expect(maskUrl('rediss://cache:6380/?access_token=s3cret')).to.equal('rediss://cache:6380/?access_token=***');
  });

  it('a refused PostgreSQL connection names the setting, the masked URL and the code, and keeps code and cause', async () => {
    const port = await freePort();
    const knex = openDatabase(`postgres://sluice:s3cret@127.0.0.1:${port}/x`, process.cwd(), quiet);
    try {
      const err = await failureOf(() => knex.raw('select 1'));
      expect(err.message).to.equal(`cannot connect to postgres://sluice:***@127.0.0.1:${port}/x (ECONNREFUSED)`);
      expect(err.setting).to.equal('storage.database');
      expect(err.code).to.equal('ECONNREFUSED');
      expect((err.cause as { code?: string }).code).to.equal('ECONNREFUSED');
      expect(err.stack).to.not.include('s3cret');
    } finally {
      await knex.destroy();
    }
  });

  it('a SQLite file whose directory cannot be made names the file and why', async () => {
    const dir = tempDir('sluice-sqlite-');
    writeFileSync(path.join(dir, 'not-a-dir'), '');
    const err = await failureOf(async () => openDatabase('sqlite:./not-a-dir/sluice.db', dir));
    expect(err.message).to.match(/^cannot open sqlite:\.\/not-a-dir\/sluice\.db: ENOTDIR: not a directory, mkdir '.*not-a-dir'$/);
    expect(err.code).to.equal('ENOTDIR');
  });

  it('a server\'s refusal keeps the server\'s words and its SQLSTATE', () => {
    const refusal = Object.assign(new Error('database "nope" does not exist'), { code: '3D000', severity: 'FATAL' });
    expect(connectionFailure(refusal, 'storage.database', 'postgres://u:pw@db/nope').message)
      .to.equal('cannot connect to postgres://u:***@db/nope: database "nope" does not exist (3D000)');
    // A host name with several addresses fails as an AggregateError, with no message of its own.
    const both = Object.assign(new AggregateError([], ''), { code: 'ECONNREFUSED' });
    expect(connectionFailure(both, 'storage.database', 'postgres://localhost/x').message).to.equal('cannot connect to postgres://localhost/x (ECONNREFUSED)');
  });

  const pg = process.env['SLUICE_TEST_PG'];
  (pg ? it : it.skip)('a PostgreSQL database that does not exist says so (SLUICE_TEST_PG)', async () => {
    const url = new URL(pg!);
    url.pathname = '/sluice_no_such_database';
    const knex = openDatabase(url.toString(), process.cwd(), quiet);
    try {
      const err = await failureOf(() => knex.raw('select 1'));
      expect(err.message).to.equal(`cannot connect to ${maskUrl(url.toString())}: database "sluice_no_such_database" does not exist (3D000)`);
      expect(err.code).to.equal('3D000');
    } finally {
      await knex.destroy();
    }
  });
});
