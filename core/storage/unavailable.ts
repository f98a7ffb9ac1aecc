// Errors that say storage.database could not serve a statement now, as opposed to a bug in the
// statement: the answer to them is a 503 with retry-after, not a 500 and a stack in the log.
// Recognised by name and code only, so this module loads neither knex nor a driver.
import { isStorageConnectionError } from './connection-error.js';

/** SQLite: another connection held the lock past the wait (SQLITE_BUSY, SQLITE_LOCKED and their extended codes). */
const SQLITE_CONTENDED = /^SQLITE_(BUSY|LOCKED)(_|$)/;
/** The socket to PostgreSQL failed, or it is shutting down or starting (57P01–57P03), or a connection exception (class 08). */
const PG_UNREACHABLE = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|57P0[1-3]|08...)$/;

export function isStorageUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  // A connection that could not be opened, or none free within knex's acquire timeout.
  if (isStorageConnectionError(err) || err.name === 'KnexTimeoutError') return true;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (SQLITE_CONTENDED.test(code) || PG_UNREACHABLE.test(code));
}
