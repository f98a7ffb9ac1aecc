// Addresses that are not the public internet: this machine, private networks, link-local (cloud
// metadata at 169.254.169.254), and the special-purpose ranges of the IANA registries. A request to
// one of them on behalf of another party (a marketplace offer's base_url) is server-side request
// forgery: it reaches what only the gateway can reach.
import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

const INTERNAL_V4 = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12',
  '192.0.0.0/24', '192.0.2.0/24', '192.88.99.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24',
  '203.0.113.0/24', '224.0.0.0/4', '240.0.0.0/4',
];
const INTERNAL_V6 = [
  // ::/96 holds ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d; ::ffff:0:0:0/96 the
  // IPv4-translated form; 64:ff9b:1::/48 the local-use NAT64 prefix (RFC 8215).
  '::/96', '::ffff:0:0:0/96', '64:ff9b:1::/48', '100::/64', '2001:db8::/32', 'fc00::/7', 'fe80::/10', 'fec0::/10', 'ff00::/8',
];

const internal = new BlockList();
for (const range of INTERNAL_V4) { const [a, bits] = range.split('/'); internal.addSubnet(a!, Number(bits), 'ipv4'); }
for (const range of INTERNAL_V6) { const [a, bits] = range.split('/'); internal.addSubnet(a!, Number(bits), 'ipv6'); }

/** The IPv4 address an IPv6 one carries (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16), if any. */
function embeddedV4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const groups = expandV6(lower);
  if (!groups) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return v4(groups[6]!, groups[7]!);
  if (groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0)) return v4(groups[6]!, groups[7]!);
  if (groups[0] === 0x2002) return v4(groups[1]!, groups[2]!);
  return undefined;
}

/** The eight 16-bit groups of an IPv6 address (a dotted IPv4 tail included). */
function expandV6(address: string): number[] | undefined {
  let text = address.replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = text.slice(0, -dotted[1]!.length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const part = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = part(head);
  const right = part(tail);
  const groups = tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** This machine's own interface addresses: the gateway's listeners (admin port included) on any of them. */
function ownAddresses(): Set<string> {
  const own = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) own.add(i.address.toLowerCase().replace(/%.*$/, ''));
  return own;
}

/** True when `address` (an IP literal) is not a public internet address, or is this machine's own. */
export function isInternalAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 0) return false;
  const v4 = family === 6 ? embeddedV4(bare) : bare;
  if (v4 !== undefined && internal.check(v4, 'ipv4')) return true;
  if (family === 6 && internal.check(bare, 'ipv6')) return true;
  // Read at each check (connections are rare: keep-alive pools): interfaces come and go.
  const own = ownAddresses();
  return own.has(bare.toLowerCase().replace(/%.*$/, '')) || (v4 !== undefined && own.has(v4));
}
