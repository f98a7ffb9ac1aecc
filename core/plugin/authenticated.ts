// What an authenticate hook answered, made into the request's principal — one function for the
// gateway (http/handler.ts) and the plugin-test harness (testing/index.ts), so a plugin's test under
// runPlugin fails where the gateway fails rather than passing on a plugin that breaks in production.
import { GatewayError } from '../errors.js';
import type { Principal } from '../exchange.js';

/**
 * Any thenable, not only this realm's Promise: TypeScript takes a promise library's (or another
 * realm's) for a Promise, and one taken for the principal let a refused request through.
 */
export function isThenable(value: Principal | PromiseLike<Principal>): value is PromiseLike<Principal> {
  return typeof value === 'object' && value !== null && typeof (value as Partial<PromiseLike<Principal>>).then === 'function';
}

/**
 * The principal an authenticate named, awaited. Fails closed: one that names nobody (a path without a
 * `return`) must not let the request through as if no plugin authenticated.
 */
export function namedPrincipal(value: unknown): Principal {
  if (typeof value === 'object' && value !== null && typeof (value as Partial<Principal>).user === 'string') return value as Principal;
  throw new GatewayError('SLUICE_E_INTERNAL', 'the authenticating plugin named no principal (authenticate returned no { user })');
}
