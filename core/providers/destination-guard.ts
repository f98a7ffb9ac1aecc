// Where a provider whose base_url another party chose (a marketplace offer) may connect. Such a
// URL could name loopback, a private network, cloud metadata (169.254.169.254) or the gateway's own
// admin port, and the gateway would send prompts and credentials there. Internal addresses are
// refused unless the operator allowed them; a host name is checked on the addresses it resolves to
// when the connection is made, so a name pointed at 127.0.0.1 (or re-pointed later) gets nowhere.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { compileCidrs, containsAddress } from '../http/client-address.js';
import { isInternalAddress } from '../http/internal-address.js';

/** The runtime-only `untrusted` entry of a provider a plugin builds (not a YAML option). */
export interface UntrustedDestination {
  /** http:// base URLs are refused unless true (prompts and keys would cross the network in clear). */
  allow_http: boolean;
  /** Host names (exact) and IP addresses or CIDR ranges the operator allows although internal. */
  allow: readonly string[];
}

/** A connection refused by the guard: the provider is unavailable (a fallback may serve), never reached. */
export class DestinationRefusedError extends Error {
  readonly code = 'SLUICE_DESTINATION_REFUSED';
}

/**
 * Checks `base` against the policy now (throws DestinationRefusedError: http, an internal IP
 * literal) and returns the DNS lookup connections must use, or undefined when none is needed (an IP
 * literal that passed, an allowed host name).
 */
export function destinationLookup(base: URL, policy: UntrustedDestination): LookupFunction | undefined {
  if (base.protocol !== 'https:' && !policy.allow_http) {
    throw new DestinationRefusedError(`base_url ${base.origin} is not https (allow_http is off)`);
  }
  const host = base.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const cidrs = policy.allow.filter((entry) => isIP(entry.split('/')[0]!) !== 0);
  const names = new Set(policy.allow.filter((entry) => isIP(entry.split('/')[0]!) === 0).map((n) => n.toLowerCase().replace(/\.$/, '')));
  const allowedRanges = compileCidrs(cidrs);
  const allowed = (address: string) => !isInternalAddress(address) || containsAddress(allowedRanges, address);
  if (isIP(host)) {
    if (!allowed(host)) throw new DestinationRefusedError(`base_url ${base.origin} is an internal address`);
    return undefined;
  }
  if (names.has(host.replace(/\.$/, ''))) return undefined;
  return guardedLookup(allowed);
}

/** dns.lookup, keeping only allowed addresses; none left is a refusal naming what the name resolved to. */
function guardedLookup(allowed: (address: string) => boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) { callback(err, '', 0); return; }
      const usable = addresses.filter((a) => allowed(a.address));
      if (usable.length === 0) {
        const seen = addresses.map((a) => a.address).join(', ');
        callback(new DestinationRefusedError(`${hostname} resolves only to internal addresses (${seen})`), '', 0);
        return;
      }
      if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
      else callback(null, usable[0]!.address, usable[0]!.family);
    });
  };
}
