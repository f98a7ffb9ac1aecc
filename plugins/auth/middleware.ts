// The request middleware of each mode. It runs first in the chain: it sets `exchange.principal`
// or refuses with a 401 in the client's envelope — one body for every reason (missing, unknown,
// revoked, expired, disabled); the reason goes to the log, with the key's public id, never the key.
import { clientCredential, GatewayError, type Exchange, type Logger, type Principal, type PluginMiddleware } from '../../core/index.js';
import { AuthFailure, type KeyVerifier } from './key-verifier.js';
import { ANONYMOUS } from './principal.js';
import type { ProxyHeaderAuthenticator } from './proxy-header.js';

function refusal(err: unknown, exchange: Exchange, logger: Logger, message: string): GatewayError {
  if (!(err instanceof AuthFailure)) return err instanceof GatewayError ? err : new GatewayError('SLUICE_E_INTERNAL', 'internal gateway error', { cause: err });
  const fields = { request_id: exchange.id, reason: err.reason, key_id: err.keyId, client: exchange.clientAddress, peer: exchange.peerAddress };
  if (err.reason === 'unavailable') {
    // Not the client's fault: a retryable 503, never a 401 that would make a client drop its key.
    logger.error('cannot authenticate: the identity database is unreachable and the key is not cached', fields);
    exchange.responseHeaders['x-should-retry'] = 'true';
    return new GatewayError('SLUICE_E_AUTH_UNAVAILABLE', 'authentication is temporarily unavailable; retry shortly', { retryAfter: '1' });
  }
  logger.warn('authentication failed', fields);
  // As Anthropic's API says on a 401: retrying will not help. Claude Code otherwise retries a 401
  // with backoff for minutes instead of failing.
  exchange.responseHeaders['x-should-retry'] = 'false';
  return new GatewayError('SLUICE_E_UNAUTHORIZED', message);
}

export function apiKeyMiddleware(verifier: KeyVerifier, logger: Logger): PluginMiddleware {
  return async (ctx, next) => {
    const exchange = ctx.exchange;
    let principal: Principal;
    try {
      const verified = verifier.verify(clientCredential(exchange.headers, exchange.query));
      principal = verified instanceof Promise ? await verified : verified;
    } catch (err) {
      throw refusal(err, exchange, logger, 'invalid API key');
    }
    exchange.principal = principal;
    await next();
  };
}

export function proxyHeaderMiddleware(authenticator: ProxyHeaderAuthenticator, logger: Logger): PluginMiddleware {
  return async (ctx, next) => {
    const exchange = ctx.exchange;
    let principal: Principal;
    try {
      const found = authenticator.authenticate(exchange);
      principal = found instanceof Promise ? await found : found;
    } catch (err) {
      throw refusal(err, exchange, logger, 'not authenticated');
    }
    exchange.principal = principal;
    await next();
  };
}

export const anonymousMiddleware: PluginMiddleware = async (ctx, next) => {
  ctx.exchange.principal = ANONYMOUS;
  await next();
};
