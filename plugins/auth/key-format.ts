// Sluice API keys: `sk-sluice-` + 40 random base62 characters. The first 8 characters after the
// prefix are the key's public id (shown in listings, logs and events); the whole key is secret.
//
// Only a SHA-256 digest of the key is stored. A slow password hash (bcrypt, scrypt, argon2) exists
// to make guessing low-entropy human passwords expensive; these keys carry 40 × log2(62) ≈ 238 bits
// from a CSPRNG (190 bits beyond the public id), so a preimage search is out of reach whatever the
// hash costs, while a slow hash would cost milliseconds of CPU on every cache miss of the hot path.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const KEY_PREFIX = 'sk-sluice-';
export const KEY_BODY_LENGTH = 40;
export const KEY_ID_LENGTH = 8;

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** The largest multiple of 62 that fits a byte: bytes at or above it are drawn again (no modulo bias). */
const UNBIASED_LIMIT = 248;
/** Accepts bodies a little longer than today's, so a later, longer format needs no parser change. */
const KEY_SHAPE = /^sk-sluice-[0-9A-Za-z]{32,64}$/;

/** `length` uniformly random base62 characters (rejection sampling over crypto.randomBytes). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(Math.ceil((length - out.length) * 1.1) + 4)) {
      if (byte >= UNBIASED_LIMIT) continue;
      out += ALPHABET[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export interface NewKey {
  /** The key itself: shown once, never stored. */
  key: string;
  /** Public id: the first characters after the prefix. */
  id: string;
  /** Hex SHA-256 of the key: what the database keeps. */
  hash: string;
}

export function generateKey(): NewKey {
  const key = KEY_PREFIX + randomBase62(KEY_BODY_LENGTH);
  return { key, id: keyIdOf(key), hash: hashKey(key).toString('hex') };
}

/** True when the string has the shape of a Sluice key (no lookup needed to refuse anything else). */
export function isKeyShaped(candidate: string): boolean {
  return KEY_SHAPE.test(candidate);
}

/** The public id of a key-shaped string. */
export function keyIdOf(key: string): string {
  return key.slice(KEY_PREFIX.length, KEY_PREFIX.length + KEY_ID_LENGTH);
}

export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** Compares two digests in constant time (a digest of the wrong length never matches). */
export function digestsEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A key id as typed by an operator (`sluice key revoke ID`): the id itself, or a whole key. */
export function normaliseKeyId(input: string): string {
  return isKeyShaped(input) ? keyIdOf(input) : input;
}
