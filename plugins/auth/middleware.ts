// How each mode decides who is asking. Core runs it on the request's head, before the body is read
// and before the chain (PluginInstance.authenticate): it returns the principal or refuses with a 401
// in the client's envelope — one body for every reason (missing, unknown, revoked, expired,
// disabled); the reason goes to the log, with the key's public id, never the key.
import { clientCredential, GatewayError, type ArrivingRequest, type Authenticate, type Logger, type Principal } from '../../core/index.js';
import { AuthFailure, type KeyVerifier } from './key-verifier.js';
import { ANONYMOUS } from './principal.js';
import type { ProxyHeaderAuthenticator } from './proxy-header.js';

/** At most one "cannot authenticate" line this often while the identity database is away. */
const UNAVAILABLE_LOG_MS = 10_000;

/**
 * The error line for refusals while the identity database is unreachable: the first, then one per
 * UNAVAILABLE_LOG_MS with how many were refused since the last line (`refused`). An outage refuses
 * every request with a key not cached — during a PostgreSQL restart, every request to an instance
 * just (re)started — and a line each (hundreds a second) said nothing the access log's own line per
 * request (status 503, `SLUICE_E_AUTH_UNAVAILABLE`, request id) does not.
 */
function unavailableNotice(logger: Logger): (fields: Record<string, unknown>) => void {
  let lastAt = -Infinity;
  let refused = 0;
  return (fields) => {
    refused++;
    const now = Date.now();
    if (now - lastAt < UNAVAILABLE_LOG_MS) return;
    lastAt = now;
    logger.error('cannot authenticate: the identity database is unreachable and the key is not cached', { ...fields, refused });
    refused = 0;
  };
}

function refusal(err: unknown, request: ArrivingRequest, logger: Logger, message: string, unavailable: (fields: Record<string, unknown>) => void): GatewayError {
  if (!(err instanceof AuthFailure)) return err instanceof GatewayError ? err : new GatewayError('SLUICE_E_INTERNAL', 'internal gateway error', { cause: err });
  const fields = { request_id: request.id, reason: err.reason, key_id: err.keyId, client: request.clientAddress, peer: request.peerAddress };
  if (err.reason === 'unavailable') {
    // Not the client's fault: a retryable 503, never a 401 that would make a client drop its key.
    unavailable(fields);
    return new GatewayError('SLUICE_E_AUTH_UNAVAILABLE', 'authentication is temporarily unavailable; retry shortly', { retryAfter: '1', headers: { 'x-should-retry': 'true' } });
  }
  logger.warn('authentication failed', fields);
  // As Anthropic's API says on a 401: retrying will not help. Claude Code otherwise retries a 401
  // with backoff for minutes instead of failing.
  return new GatewayError('SLUICE_E_UNAUTHORIZED', message, { headers: { 'x-should-retry': 'false' } });
}

/** The principal, synchronously when the verdict is cached; a refusal as a GatewayError. */
function authenticator(decide: (request: ArrivingRequest) => Principal | Promise<Principal>, logger: Logger, message: string): Authenticate {
  const unavailable = unavailableNotice(logger);
  return (request) => {
    let found: Principal | Promise<Principal>;
    try {
      found = decide(request);
    } catch (err) {
      throw refusal(err, request, logger, message, unavailable);
    }
    return found instanceof Promise ? found.catch((err: unknown) => { throw refusal(err, request, logger, message, unavailable); }) : found;
  };
}

// One message for every reason, so it says nothing of why this key failed; it does say what works,
// for the user who pointed a client at Sluice with their provider key or none.
const KEY_REFUSED = "invalid API key: send a key Sluice issued (sk-sluice-…) as Authorization: Bearer KEY, x-api-key or x-goog-api-key; the gateway's operator makes them (sluice key create)";

export function apiKeyAuthenticator(verifier: KeyVerifier, logger: Logger): Authenticate {
  return authenticator((request) => verifier.verify(clientCredential(request.headers, request.query)), logger, KEY_REFUSED);
}

export function proxyHeaderAuthenticator(proxy: ProxyHeaderAuthenticator, logger: Logger): Authenticate {
  return authenticator((request) => proxy.authenticate(request), logger, 'not authenticated');
}

export const anonymous: Authenticate = () => ANONYMOUS;
