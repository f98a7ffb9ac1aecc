// How each mode decides who is asking. Core runs it on the request's head, before the body is read
// and before the chain (PluginInstance.authenticate): it returns the principal or refuses with a 401
// in the client's envelope — one body for every reason (missing, unknown, revoked, expired,
// disabled); the reason goes to the log, with the key's public id, never the key.
import { clientCredential, GatewayError, type ArrivingRequest, type Authenticate, type Logger, type Principal } from '../../core/index.js';
import { AuthFailure, type KeyVerifier } from './key-verifier.js';
import { ANONYMOUS } from './principal.js';
import type { ProxyHeaderAuthenticator } from './proxy-header.js';

function refusal(err: unknown, request: ArrivingRequest, logger: Logger, message: string): GatewayError {
  if (!(err instanceof AuthFailure)) return err instanceof GatewayError ? err : new GatewayError('SLUICE_E_INTERNAL', 'internal gateway error', { cause: err });
  const fields = { request_id: request.id, reason: err.reason, key_id: err.keyId, client: request.clientAddress, peer: request.peerAddress };
  if (err.reason === 'unavailable') {
    // Not the client's fault: a retryable 503, never a 401 that would make a client drop its key.
    logger.error('cannot authenticate: the identity database is unreachable and the key is not cached', fields);
    return new GatewayError('SLUICE_E_AUTH_UNAVAILABLE', 'authentication is temporarily unavailable; retry shortly', { retryAfter: '1', headers: { 'x-should-retry': 'true' } });
  }
  logger.warn('authentication failed', fields);
  // As Anthropic's API says on a 401: retrying will not help. Claude Code otherwise retries a 401
  // with backoff for minutes instead of failing.
  return new GatewayError('SLUICE_E_UNAUTHORIZED', message, { headers: { 'x-should-retry': 'false' } });
}

/** The principal, synchronously when the verdict is cached; a refusal as a GatewayError. */
function authenticator(decide: (request: ArrivingRequest) => Principal | Promise<Principal>, logger: Logger, message: string): Authenticate {
  return (request) => {
    let found: Principal | Promise<Principal>;
    try {
      found = decide(request);
    } catch (err) {
      throw refusal(err, request, logger, message);
    }
    return found instanceof Promise ? found.catch((err: unknown) => { throw refusal(err, request, logger, message); }) : found;
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
