// Signatures on loopback's reasoning blocks. Real providers sign (or encrypt) their reasoning and
// reject a conversation whose reasoning was altered; loopback does the same with an HMAC so tests
// can prove that a signature survives every hop — translation included — back to its origin.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../../errors.js';
import type { ApiFamily, JsonObject } from '../../protocols/types.js';

/** Fixed on purpose: loopback is deterministic, and a signature must verify across restarts. */
const KEY = 'sluice-loopback-reasoning-v1';

export function signThought(text: string): string {
  return createHmac('sha256', KEY).update(text).digest('base64');
}

export function verifyThought(text: string, signature: string): boolean {
  // Compare the text, not decoded bytes: base64 decoding forgives edits to padding bits.
  const expected = Buffer.from(signThought(text));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A 400 exactly as the protocol's own provider words it, so clients and translators see the real thing. */
export function invalidSignature(family: ApiFamily, message: string, body: JsonObject): GatewayError {
  return new GatewayError('SLUICE_E_UPSTREAM_ERROR', message, { status: 400, upstream: { family, body } });
}
