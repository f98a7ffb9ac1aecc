// Where offers may point when the operator has not said (`buy.offer_hosts` unset). A marketplace out
// on the internet chooses base URLs the gateway then sends prompts and sellers' keys to: there, only
// https and public addresses (SSRF otherwise: loopback, the private network, cloud metadata). A
// marketplace on this machine or a private network is one the operator runs (or a test's fake):
// its sellers are on that network too, so its offers may use http and loopback or private
// addresses — never link-local (cloud metadata at 169.254.169.254), where no seller is.
import { isIP } from 'node:net';
import { isInternalAddress } from '../../core/index.js';
import type { OfferHosts } from './options.js';

const PUBLIC_ONLY: OfferHosts = Object.freeze({ allow_http: false, allow: [] });
const PRIVATE_NETWORKS: OfferHosts = Object.freeze({
  allow_http: true,
  allow: ['localhost', '127.0.0.0/8', '::1/128', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'],
});

/** The policy for offers: the operator's own when set, else by where the marketplace itself is. */
export function offerHostsFor(configured: OfferHosts | undefined, marketplaceUrl: string | undefined): OfferHosts {
  if (configured) return configured;
  return marketplaceUrl !== undefined && onPrivateNetwork(marketplaceUrl) ? PRIVATE_NETWORKS : PUBLIC_ONLY;
}

function onPrivateNetwork(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
  } catch {
    return false;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return isIP(host) !== 0 && isInternalAddress(host);
}
