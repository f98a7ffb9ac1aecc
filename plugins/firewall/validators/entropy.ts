// Heuristics that tell a real random secret from a placeholder, a fake run or an identifier.

/** Shannon entropy in bits per character. */
const asciiCounts = new Int32Array(128);

export function shannonEntropy(value: string): number {
  if (!value) return 0;
  // ASCII (nearly every token): counts in a reused array, no allocation.
  let ascii = true;
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) >= 128) ascii = false;
  if (ascii) {
    asciiCounts.fill(0);
    for (let i = 0; i < value.length; i++) asciiCounts[value.charCodeAt(i)]!++;
    let bits = 0;
    const n = value.length;
    for (let c = 0; c < 128; c++) {
      const k = asciiCounts[c]!;
      if (k) {
        const p = k / n;
        bits -= p * Math.log2(p);
      }
    }
    return bits;
  }
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  const n = value.length;
  for (const c of counts.values()) {
    const p = c / n;
    bits -= p * Math.log2(p);
  }
  return bits;
}

const PLACEHOLDER_WORDS = [
  'xxxx', 'your', 'example', 'placeholder', 'redacted', 'dummy', 'sample', 'changeme', 'replace',
  'insert', 'fake', 'test_key', 'testkey', 'mykey', 'my_key', 'secret_here', 'here', 'todo', 'fixme',
  'foobar', 'lorem', 'abcdefgh', '12345678', '*****', '.....', '…',
];

/** Characters that never appear inside a real token but do appear in templates (`<token>`, `${KEY}`). */
function hasTemplateChars(value: string): boolean {
  for (const ch of '<>{}[]$%*…') if (value.includes(ch)) return true;
  return value.includes('...');
}

/** Longest run of one repeated character. */
export function longestRun(value: string): number {
  let best = 0;
  let run = 0;
  for (let i = 0; i < value.length; i++) {
    run = i > 0 && value[i] === value[i - 1] ? run + 1 : 1;
    if (run > best) best = run;
  }
  return best;
}

/** Share of adjacent pairs that step by one code unit (abcdef, 123456). */
export function sequentialRatio(value: string): number {
  if (value.length < 2) return 0;
  let seq = 0;
  for (let i = 1; i < value.length; i++) {
    const d = value.charCodeAt(i) - value.charCodeAt(i - 1);
    if (d === 1 || d === -1) seq++;
  }
  return seq / (value.length - 1);
}

/**
 * True when the random part of a token looks like a placeholder or an obviously fake run:
 * template characters, placeholder words, a long run of one character, a counting sequence, or
 * too little entropy for its length.
 */
export function looksFake(body: string, minEntropy = defaultMinEntropy(body.length)): boolean {
  if (hasTemplateChars(body)) return true;
  const lower = body.toLowerCase();
  for (const word of PLACEHOLDER_WORDS) if (lower.includes(word)) return true;
  if (longestRun(body) >= Math.max(5, Math.ceil(body.length / 4))) return true;
  if (body.length >= 8 && sequentialRatio(body) > 0.5) return true;
  return shannonEntropy(body) < minEntropy;
}

/** Entropy floor by length: short random strings cannot reach high per-character entropy. */
export function defaultMinEntropy(length: number): number {
  if (length >= 32) return 3.0;
  if (length >= 20) return 2.8;
  if (length >= 12) return 2.5;
  return 2.0;
}

/** Counts character classes present: lower, upper, digit, other. */
export function characterClasses(value: string): number {
  let lower = 0, upper = 0, digit = 0, other = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 97 && c <= 122) lower = 1;
    else if (c >= 65 && c <= 90) upper = 1;
    else if (c >= 48 && c <= 57) digit = 1;
    else other = 1;
  }
  return lower + upper + digit + other;
}

/** 8-4-4-4-12 hex: a UUID, an identifier rather than a secret. */
export function isUuid(value: string): boolean {
  if (value.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const ch = value[i]!;
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (ch !== '-') return false;
    } else if (!isHexChar(ch)) return false;
  }
  return true;
}

export function isHexChar(ch: string): boolean {
  const c = ch.charCodeAt(0) | 0x20;
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
}

/** All hex digits (a git SHA, a digest, a hex id). */
export function isHex(value: string): boolean {
  for (const ch of value) if (!isHexChar(ch)) return false;
  return value.length > 0;
}
