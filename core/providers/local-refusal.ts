// Failures Sluice made up itself without asking the provider: its own connection pool is full or
// the wait for a connection ran out (`queue`). They divert a request to the next fallback like a
// provider failure, but say nothing about the provider's health: cooldown does not count them.
import type { GatewayError } from '../errors.js';

const refusals = new WeakSet<GatewayError>();

/** Marks an error as one the provider never saw; returns it. */
export function localRefusal(error: GatewayError): GatewayError {
  refusals.add(error);
  return error;
}

export function isLocalRefusal(error: GatewayError): boolean {
  return refusals.has(error);
}
