// `server.trust_proxy` as the client-address resolver takes it: true is one hop, a list is CIDRs.
import type { TrustProxy } from '../http/client-address.js';
import type { SluiceConfig } from './schema.js';

export function trustProxyOf(value: SluiceConfig['server']['trust_proxy']): TrustProxy {
  if (value === false) return false;
  if (value === true) return { hops: 1 };
  if (Array.isArray(value)) return { cidrs: value };
  return value;
}
