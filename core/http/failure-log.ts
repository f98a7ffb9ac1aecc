// The log line for an error the gateway answered with when the failure is its own rather than the
// client's or an upstream's: a bug (error, with its cause and stack) or a database that could not
// serve the statement now (warn: the operator's to look at, the client's to retry).
import type { GatewayError } from '../errors.js';
import type { Logger } from '../observability/logger.js';

export function logOwnFailure(logger: Logger, requestId: string, error: GatewayError): void {
  if (error.code === 'SLUICE_E_INTERNAL') logger.error('internal error', { request_id: requestId, error: error.cause ?? error });
  else if (error.code === 'SLUICE_E_STORAGE_UNAVAILABLE') logger.warn('database unavailable', { request_id: requestId, error: error.cause ?? error });
}
