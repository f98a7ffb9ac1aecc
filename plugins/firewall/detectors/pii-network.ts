// Network and wallet identifiers: IPv4/IPv6 (range-checked), MAC addresses, crypto wallet addresses.
import type { Candidate, RuleSpec, Verdict } from '../types.js';
import { base58CheckValid } from '../validators/base58check.js';
import { segwitAddressValid } from '../validators/bech32.js';
import { ethAddressValid } from '../validators/keccak.js';
import { isAlnumAt, isDigitAt } from '../context.js';
import { isRepeatedChar } from '../validators/national-ids.js';

const r = String.raw;

export interface NetworkOptions {
  /** Drop private, loopback, link-local, CGNAT, benchmarking and documentation ranges instead of reporting them at a lower score. */
  ignorePrivateIps: boolean;
}

/** "v1.2.3.4", "version 10.0.0.1", "ver. 2.0.0.1": the number is a version. */
export function followsVersionMarker(text: string, start: number): boolean {
  if (text[start - 1] === 'v' || text[start - 1] === 'V') return true;
  const words = text.slice(Math.max(0, start - 16), start).toLowerCase().trimEnd().split(' ');
  const last = words[words.length - 1] ?? '';
  return last === 'version' || last === 'ver' || last === 'ver.' || last === 'version:' || last === 'v';
}

/** Words that, shortly before a dotted number, make it a version: "node 20.1.0.1", "Firmware 3.1.0.7", "SDK is at 12.4.1.0". */
const VERSION_WORDS = new Set([
  'version', 'versions', 'ver', 'ver.', 'v', 'release', 'released', 'rel', 'build', 'firmware', 'fw', 'patch', 'update', 'upgrade',
  'upgraded', 'bump', 'bumped', 'tag', 'sdk', 'driver', 'kernel', 'rev', 'revision', 'edition', 'stable', 'lts', 'beta', 'installed',
  'node', 'nodejs', 'node.js', 'npm', 'yarn', 'pnpm', 'deno', 'bun', 'python', 'python3', 'pip', 'ruby', 'gem', 'rails', 'go', 'golang',
  'java', 'jdk', 'jre', 'openjdk', 'kotlin', 'scala', 'php', 'perl', 'rust', 'rustc', 'cargo', 'dotnet', '.net', 'gcc', 'clang', 'llvm',
  'chrome', 'chromium', 'firefox', 'safari', 'edge', 'opera', 'electron', 'windows', 'macos', 'ios', 'ipados', 'android', 'ubuntu',
  'debian', 'fedora', 'centos', 'rhel', 'alpine', 'linux', 'docker', 'kubernetes', 'k8s', 'kubectl', 'helm', 'terraform', 'nginx',
  'apache', 'httpd', 'openssl', 'openssh', 'mysql', 'postgres', 'postgresql', 'redis', 'mongodb', 'elasticsearch', 'kafka', 'git',
  'gradle', 'maven', 'webpack', 'vite', 'react', 'angular', 'vue', 'next.js', 'typescript', 'tsc', 'xcode', 'vscode', 'office',
  'excel', 'unity', 'minecraft', 'bios', 'uefi', 'package', 'pkg', 'library', 'plugin',
  // Numbered sections of documents: "section 4.2.1.3", "clause 12.3.1.2", "§ 3.1.2.4".
  'section', 'sections', 'sec', 'sec.', 'clause', 'chapter', 'paragraph', 'para', 'article', 'art.', 'step', 'figure', 'fig',
  'fig.', 'table', 'appendix', 'annex', 'item', 'requirement', 'req', 'rule', 'see', '§',
]);

/** Words that make the dotted quad right after them an address: "ip 1.2.3.4", "from 1.2.3.4", "host=1.2.3.4". */
const ADDRESS_WORDS = new Set(['ip', 'ips', 'ipv4', 'addr', 'address', 'host', 'hostname', 'from', 'src', 'dst', 'gateway', 'dns', 'nameserver', 'ping', 'ssh', 'peer', 'remote', 'egress', 'ingress', 'allowlist', 'whitelist']);

function isLetterAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** The last `n` words of `s` (letters, digits and dots), lower-cased, last first. */
function lastWords(s: string, n: number): string[] {
  const out: string[] = [];
  let end = s.length;
  while (out.length < n && end > 0) {
    while (end > 0 && !isWordish(s.charCodeAt(end - 1))) end--;
    let start = end;
    while (start > 0 && isWordish(s.charCodeAt(start - 1))) start--;
    if (start === end) break;
    out.push(s.slice(start, end).toLowerCase());
    end = start;
  }
  return out;
}

function isWordish(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 0xa7;
}

/**
 * Context that makes a dotted quad a version rather than an address: a version word or a software
 * name shortly before it (`node 20.1.0.1`, `"version": "1.2.3.4"`, `AssemblyVersion("1.0.0.0")`),
 * a package-style join (`Chrome/124.0.6367.91`, `pkg-5.2.0.1.rpm`, `==2.15.0.1`), a suffix
 * (`1.2.3.4-beta`, `.tar.gz`, `+build`) or a changelog heading (`## [4.11.2.1]`).
 */
export function versionContext(
  text: string,
  start: number,
  end: number,
  lineStartOf: (at: number) => number = (at) => text.lastIndexOf('\n', at) + 1,
): boolean {
  if (followsVersionMarker(text, start)) return true;
  const prev = text[start - 1] ?? '';
  const prev2 = text[start - 2] ?? '';
  if ((prev === '/' || prev === '-' || prev === '_') && isLetterAt(text, start - 2)) return true;
  if (prev === '=' && (prev2 === '=' || prev2 === '>' || prev2 === '<' || prev2 === '~' || prev2 === '!')) return true;
  if (prev === '^' || prev === '~') return true;
  const next = text[end] ?? '';
  if ((next === '-' || next === '+' || next === '_') && isLetterAt(text, end + 1)) return true;
  if (next === '.' && isAlnumAt(text, end + 1)) return true;
  let lineStart = lineStartOf(start - 1);
  if (prev === '[' && next === ']' && text[lineStart] === '#') return true;
  if (start - lineStart > 48) lineStart = start - 48;
  const before = text.slice(lineStart, start);
  const lower = before.toLowerCase();
  if (lower.includes('version') || lower.includes('release') || lower.includes('firmware')) return true;
  const words = lastWords(before, 3);
  if (words.length === 0 || ADDRESS_WORDS.has(words[0]!)) return false;
  for (const w of words) {
    if (ADDRESS_WORDS.has(w)) return false;
    if (VERSION_WORDS.has(w)) return true;
  }
  return false;
}

const MASK_OCTETS = new Set([0, 128, 192, 224, 240, 248, 252, 254, 255]);

/** Classifies a dotted quad: 'invalid', 'special' (unspecified, broadcast, netmask), 'private' or 'public'. */
export function classifyIpv4(value: string): 'invalid' | 'special' | 'private' | 'public' {
  const parts = value.split('.');
  if (parts.length !== 4) return 'invalid';
  const o: number[] = [];
  for (const part of parts) {
    if (part.length === 0 || part.length > 3 || (part.length > 1 && part[0] === '0')) return 'invalid';
    const n = Number(part);
    if (!Number.isInteger(n) || n > 255) return 'invalid';
    o.push(n);
  }
  const [a, b, c] = o as [number, number, number, number];
  if (a === 0 || a >= 224) return 'special';
  if (a === 255 || o.every((x) => MASK_OCTETS.has(x)) && a === 255) return 'special';
  if (a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
  if ((a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127)) return 'private';
  if ((a === 192 && b === 0 && c === 2) || (a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113)) return 'private';
  // Protocol assignments, benchmarking (RFC 2544), the deprecated 6to4 relay anycast.
  if ((a === 192 && b === 0 && c === 0) || (a === 198 && (b === 18 || b === 19)) || (a === 192 && b === 88 && c === 99)) return 'private';
  return 'public';
}

/** Parses an IPv6 literal: eight 16-bit groups, at most one "::", optional trailing dotted quad. */
export function ipv6Valid(value: string): boolean {
  const double = value.indexOf('::');
  if (double !== value.lastIndexOf('::')) return false;
  let groups = value === '::' ? [] : value.split(':');
  let expected = 8;
  const last = groups[groups.length - 1] ?? '';
  if (last.includes('.')) {
    if (classifyIpv4(last) === 'invalid') return false;
    groups = groups.slice(0, -1);
    expected = 6;
  }
  const filled = groups.filter((g) => g.length > 0);
  for (const g of filled) if (g.length > 4) return false;
  if (double < 0) return filled.length === expected && groups.length === expected;
  return filled.length < expected && filled.length >= 2;
}

function validIpv4(options: NetworkOptions) {
  return (c: Candidate): Verdict => {
    const { text, start, end } = c;
    // Part of a longer dotted run (1.2.3.4.5), or a version ("v1.2.3.4", "version 10.0.0.1").
    if ((text[start - 1] === '.' && isDigitAt(text, start - 2)) || (text[end] === '.' && isDigitAt(text, end + 1))) return false;
    if (isAlnumAt(text, start - 1) || isAlnumAt(text, end)) return false;
    if (versionContext(text, start, end, c.lineStart)) return false;
    const kind = classifyIpv4(c.value);
    if (kind === 'invalid' || kind === 'special') return false;
    if (kind === 'private') return options.ignorePrivateIps ? false : 0.6;
    return 0.9;
  };
}

function validIpv6(options: NetworkOptions) {
  return (c: Candidate): Verdict => {
    const { text, start, end } = c;
    const prev = text.charCodeAt(start - 1);
    const next = text.charCodeAt(end);
    if (isAlnumAt(text, start - 1) || isAlnumAt(text, end) || prev === 58 || next === 58 || prev === 95 || next === 95) return false;
    if (!ipv6Valid(c.value)) return false;
    const lower = c.value.toLowerCase();
    if (lower === '::1' || lower === '::') return false;
    if (lower.startsWith('ff')) return false; // multicast
    const isPrivate = lower.startsWith('fe8') || lower.startsWith('fe9') || lower.startsWith('fea') || lower.startsWith('feb') || lower.startsWith('fc') || lower.startsWith('fd') || lower.startsWith('2001:db8') || lower.startsWith('::ffff:') || lower.startsWith('64:ff9b:1:') || lower.startsWith('100::');
    if (isPrivate) return options.ignorePrivateIps ? false : 0.6;
    return 0.9;
  };
}

function validMac(c: Candidate): Verdict {
  const { text, start, end } = c;
  if (isAlnumAt(text, start - 1) || isAlnumAt(text, end) || text[start - 1] === ':' || text[end] === ':' || text[end] === '-' || text[start - 1] === '-') return false;
  let hex = '';
  for (const ch of c.value.toLowerCase()) if (ch !== ':' && ch !== '-' && ch !== '.') hex += ch;
  if (hex === '000000000000' || hex === 'ffffffffffff') return false;
  // The dotted (Cisco) form is also a plain number pattern; require a hex letter there.
  if (c.value[4] === '.') return [...hex].some((ch) => ch >= 'a' && ch <= 'f');
  return true;
}

const HEX = '[0-9A-Fa-f]';
const H4 = `${HEX}{1,4}`;

export function networkRules(options: NetworkOptions): RuleSpec[] {
  return [
    { type: 'IP_ADDRESS', literals: ['.'], pattern: r`\b(?:\d{1,3}\.){3}\d{1,3}\b`, score: 0.9, validate: validIpv4(options) },
    {
      type: 'IP_ADDRESS',
      literals: [':'],
      pattern: `(?:${H4}:){7}${H4}|(?:${H4}:){1,7}:(?:${H4}(?::${H4}){0,6})?|::(?:${H4}(?::${H4}){0,6})(?::\\d{1,3}(?:\\.\\d{1,3}){3})?|(?:${H4}:){1,6}(?:\\d{1,3}\\.){3}\\d{1,3}`,
      score: 0.9,
      validate: validIpv6(options),
    },
    {
      type: 'MAC_ADDRESS',
      pattern: `\\b${HEX}{2}(?::${HEX}{2}){5}\\b|\\b${HEX}{2}(?:-${HEX}{2}){5}\\b|\\b${HEX}{4}\\.${HEX}{4}\\.${HEX}{4}\\b`,
      score: 0.8,
      validate: validMac,
    },
    {
      type: 'CRYPTO',
      pattern: r`\b[13][1-9A-HJ-NP-Za-km-z]{25,34}\b`,
      score: 1.0,
      validate: (c) => !isAlnumAt(c.text, c.end) && base58CheckValid(c.value, [0, 5]),
    },
    {
      type: 'CRYPTO',
      literals: ['bc1', 'BC1', 'tb1', 'TB1'],
      pattern: r`\b(?:bc|tb|BC|TB)1[02-9ac-hj-np-zAC-HJ-NP-Z]{6,87}\b`,
      score: 1.0,
      validate: (c) => segwitAddressValid(c.value),
    },
    {
      type: 'CRYPTO',
      literals: ['0x'],
      pattern: r`\b0x[0-9a-fA-F]{40}\b`,
      score: 0.9,
      validate: (c) => {
        if (!ethAddressValid(c.value)) return false;
        const body = c.value.slice(2);
        // All-zero and similar runs are sentinel values (the zero address), not wallets.
        if (isRepeatedChar(body)) return false;
        return body === body.toLowerCase() || body === body.toUpperCase() ? 0.8 : 1.0;
      },
    },
  ];
}
