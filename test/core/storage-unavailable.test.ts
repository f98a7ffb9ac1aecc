// Which thrown errors are a database that could not serve now (a 503 to retry) and which are bugs
// (a 500): by name and driver code.
import { expect } from 'chai';
import { toGatewayError } from '../../core/errors.js';
import { connectionFailure } from '../../core/storage/connection-error.js';

const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('toGatewayError: storage that could not serve now', () => {
  it('a connection that could not be made, knex\'s acquire timeout, SQLite contention and PostgreSQL going away are 503 SLUICE_E_STORAGE_UNAVAILABLE, retry after 1 s', () => {
    const timeout = Object.assign(new Error('Knex: Timeout acquiring a connection.'), { name: 'KnexTimeoutError' });
    for (const err of [
      connectionFailure(coded('ECONNREFUSED'), 'storage.database', 'postgres://u:p@127.0.0.1:1/x'), timeout,
      coded('SQLITE_BUSY'), coded('SQLITE_BUSY_SNAPSHOT'), coded('SQLITE_LOCKED'),
      coded('ECONNRESET'), coded('57P01', 'terminating connection due to administrator command'), coded('08006'),
    ]) {
      const e = toGatewayError(err);
      expect([e.code, e.status, e.retryAfter], String((err as { code?: string }).code ?? err.name)).to.deep.equal(['SLUICE_E_STORAGE_UNAVAILABLE', 503, '1']);
      expect(e.cause).to.equal(err);
    }
  });

  it('anything else stays a 500 SLUICE_E_INTERNAL: a constraint, a syntax error, a plain Error, a non-Error', () => {
    for (const err of [coded('SQLITE_CONSTRAINT_UNIQUE'), coded('42601'), coded('SQLITE_ERROR'), new Error('bug'), 'a string']) {
      expect(toGatewayError(err).code).to.equal('SLUICE_E_INTERNAL');
    }
  });
});
