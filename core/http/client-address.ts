// The client's address behind reverse proxies. X-Forwarded-For is read from the right: each hop
// appends the address it received the request from, so only the entries added by proxies we trust
// are true — anything to their left was written by the client and is never believed.
import { BlockList, isIP } from 'node:net';

/** `false`: the peer is the client. A hop count: that many proxies in front. CIDRs: proxies by address. */
export type TrustProxy = false | { hops: number } | { cidrs: readonly string[] };

export interface ClientAddressResolver {
  /** The client address for a request from `peer` carrying these X-Forwarded-For values. */
  resolve(peer: string, forwardedFor: string | string[] | undefined): string;
  /** True when `peer` is a proxy we trust (proxy_header auth accepts identity headers only from these). */
  trusts(peer: string): boolean;
}

export function normaliseAddress(address: string): string {
  // IPv4 clients on a dual-stack socket appear as ::ffff:a.b.c.d.
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

export function compileCidrs(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, bits] = cidr.split('/');
    const family = isIP(address ?? '');
    if (!family) throw new Error(`"${cidr}" is not an IP address or CIDR range`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address!, type);
    else {
      const prefix = Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) throw new Error(`"${cidr}" has an invalid prefix length`);
      list.addSubnet(address!, prefix, type);
    }
  }
  return list;
}

export function containsAddress(list: BlockList, address: string): boolean {
  const a = normaliseAddress(address);
  const family = isIP(a);
  return family !== 0 && list.check(a, family === 4 ? 'ipv4' : 'ipv6');
}

function forwardedHops(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  const joined = Array.isArray(header) ? header.join(',') : header;
  return joined.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export function createClientAddressResolver(trust: TrustProxy): ClientAddressResolver {
  if (trust === false) return { resolve: (peer) => normaliseAddress(peer), trusts: () => false };
  if ('hops' in trust) {
    const count = trust.hops;
    return {
      resolve(peer, forwardedFor) {
        // [client?, …, added by proxy 1, …] + peer: with N proxies the client is N entries from the
        // right. Each proxy appends an address, so an entry that is not one was not appended by a
        // proxy: stop at the last address we could verify, never fall back to the left-most entry.
        const hops = forwardedHops(forwardedFor);
        let client = peer;
        for (let i = hops.length - 1; i >= 0 && i >= hops.length - count; i--) {
          const hop = normaliseAddress(hops[i]!);
          if (!isIP(hop)) break;
          client = hop;
        }
        return normaliseAddress(client);
      },
      trusts: () => true,
    };
  }
  const trusted = compileCidrs(trust.cidrs);
  return {
    resolve(peer, forwardedFor) {
      if (!containsAddress(trusted, peer)) return normaliseAddress(peer);
      const hops = forwardedHops(forwardedFor);
      let client = peer;
      for (let i = hops.length - 1; i >= 0; i--) {
        const hop = normaliseAddress(hops[i]!);
        if (!isIP(hop)) break; // garbage in the header: stop at the last address we could verify
        client = hop;
        if (!containsAddress(trusted, hop)) break;
      }
      return normaliseAddress(client);
    },
    trusts: (peer) => containsAddress(trusted, peer),
  };
}
