// Base58Check (Bitcoin legacy P2PKH/P2SH addresses): version byte + payload + 4-byte double-SHA256 checksum.
import { createHash } from 'node:crypto';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const INDEX = new Map<string, number>([...ALPHABET].map((ch, i) => [ch, i]));

export function base58Decode(value: string): Uint8Array | undefined {
  let num = 0n;
  for (const ch of value) {
    const v = INDEX.get(ch);
    if (v === undefined) return undefined;
    num = num * 58n + BigInt(v);
  }
  const bytes: number[] = [];
  while (num > 0n) {
    bytes.push(Number(num & 0xffn));
    num >>= 8n;
  }
  for (let i = 0; i < value.length && value[i] === '1'; i++) bytes.push(0);
  return Uint8Array.from(bytes.reverse());
}

function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** True for a Base58Check string whose checksum matches; `versions` restricts the first byte. */
export function base58CheckValid(value: string, versions?: readonly number[]): boolean {
  const bytes = base58Decode(value);
  if (!bytes || bytes.length < 5) return false;
  const payload = bytes.subarray(0, bytes.length - 4);
  const checksum = sha256(sha256(payload)).subarray(0, 4);
  for (let i = 0; i < 4; i++) if (checksum[i] !== bytes[bytes.length - 4 + i]) return false;
  return versions === undefined || versions.includes(payload[0]!);
}

/** Encodes bytes as Base58Check (used to build test fixtures). */
export function base58CheckEncode(payload: Uint8Array): string {
  const full = new Uint8Array(payload.length + 4);
  full.set(payload);
  full.set(sha256(sha256(payload)).subarray(0, 4), payload.length);
  let num = 0n;
  for (const b of full) num = num * 256n + BigInt(b);
  let out = '';
  while (num > 0n) {
    out = ALPHABET[Number(num % 58n)]! + out;
    num /= 58n;
  }
  for (let i = 0; i < full.length && full[i] === 0; i++) out = '1' + out;
  return out;
}
