// Provider keys with no distinctive prefix, reported when the provider is named nearby (or, for AWS
// and Twilio, when their companion id is): AWS secret access keys, Twilio auth tokens, Datadog API
// and application keys, Cohere, Mistral and legacy ElevenLabs keys, Cloudflare API tokens and
// global API keys.
//
// Why one rule for all of them: each shape is a run of some alphabet of a fixed length (32 hex, 40
// alphanumerics, 40 base64 …). As separate patterns in the engine's RE2.Set, their counters advance
// independently inside base64 blobs and key-dense text, and the combined DFA's states multiply
// until its cache thrashes (a 64 KB transcript took 0.3 s). One pattern over the union alphabet
// keeps a single counter; the runs of each provider's alphabet are split out here, in JS. And the
// rule is dispatched by the provider words (its trigger), so the run pattern is never part of the
// engine's combined RE2.Set, where even one such counter thrashes the DFA on key-dense text.
import type { Candidate, RuleSpec, Verdict } from '../types.js';
import { characterClasses, isHex, looksFake, shannonEntropy } from '../validators/entropy.js';

const r = String.raw;

const isDigit = (c: number) => c >= 48 && c <= 57;
const isUpper = (c: number) => c >= 65 && c <= 90;
const isLower = (c: number) => c >= 97 && c <= 122;
const isAlnum = (c: number) => isDigit(c) || isUpper(c) || isLower(c);
const isWord = (c: number) => isAlnum(c) || c === 95;

interface ContextKey {
  type: string;
  /** Characters of the key. */
  alphabet: (c: number) => boolean;
  /** Characters that, right beside the run, make it part of something longer (not this key). */
  glue: (c: number) => boolean;
  /** Exact lengths of the key. */
  lengths: readonly number[];
  /** Lower-case words of which one must occur within `before` characters before the key or `after` after it; empty when `check` decides. */
  near: readonly string[];
  before?: number;
  after?: number;
  score?: number;
  check?: (value: string, text: string, start: number, end: number) => boolean;
}

/** Upper, lower and digits all present, high entropy: a random key, not a word, hash or hex id. */
function mixedRandom(minEntropy: number) {
  return (value: string): boolean => {
    if (isHex(value)) return false;
    let upper = false, lower = false, digit = false;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (isUpper(c)) upper = true;
      else if (isLower(c)) lower = true;
      else if (isDigit(c)) digit = true;
    }
    return upper && lower && digit && characterClasses(value) >= 3 && shannonEntropy(value) >= minEntropy;
  };
}

/** Lower-case hex with both letters and digits (not a run of digits that happens to be hex). */
function randomHex(value: string): boolean {
  let letters = 0;
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) >= 97) letters++;
  return letters >= 3 && letters <= value.length - 3 && shannonEntropy(value) >= 3.0;
}

/** A key word (`key`, `token`, `secret`) just before the value: "app key is …", `"apiKey": "…"`, `DD_APP_KEY=`. */
function keyWordBefore(text: string, start: number, window = 48): boolean {
  const before = text.slice(Math.max(0, start - window), start).toLowerCase();
  return before.includes('key') || before.includes('token') || before.includes('secret');
}

const HEX = { alphabet: (c: number) => isDigit(c) || (c >= 97 && c <= 102), glue: isWord };
const ALNUM = { alphabet: isAlnum, glue: (c: number) => c === 95 };
const BASE64 = { alphabet: (c: number) => isAlnum(c) || c === 43 || c === 47, glue: (c: number) => c === 95 };
const TOKEN = { alphabet: (c: number) => isWord(c) || c === 45, glue: () => false };

const KEYS: ContextKey[] = [
  // AWS: 40 base64 characters beside an access key id or the "secret access key" name.
  {
    type: 'AWS_SECRET_ACCESS_KEY', ...BASE64, lengths: [40], score: 0.9, before: 320, check: mixedRandom(4.2),
    near: ['akia', 'asia', 'aws_secret', 'aws secret', 'secret access', 'secret_access', 'secretaccess', 'secret-access', 'aws-secret'],
  },
  // Twilio: auth tokens are 32 hex, named "twilio" nearby (beside an account SID: the rule below).
  { type: 'TWILIO_AUTH_TOKEN', ...HEX, lengths: [32], near: ['twilio'], before: 320, check: randomHex },
  // Datadog: API keys are 32 hex, application keys 40 hex; named "datadog"/"DD_…" nearby and a key word just before.
  {
    type: 'DATADOG_API_KEY', ...HEX, lengths: [32], before: 320, near: ['datadog', 'dd_api', 'dd-api', 'dd_app', 'dd-app', 'dd-application', 'ddog'],
    check: (v, text, start) => randomHex(v) && keyWordBefore(text, start),
  },
  {
    type: 'DATADOG_APP_KEY', ...HEX, lengths: [40], before: 320, near: ['datadog', 'dd_app', 'dd-app', 'dd-application', 'dd_application', 'ddog'],
    check: (v, text, start) => randomHex(v) && keyWordBefore(text, start),
  },
  // Cohere: 40 alphanumerics; Mistral: 32 alphanumerics.
  { type: 'COHERE_API_KEY', ...ALNUM, lengths: [40], before: 320, near: ['cohere', 'co_api_key', 'co-api-key'], check: mixedRandom(4.0) },
  { type: 'MISTRAL_API_KEY', ...ALNUM, lengths: [32], before: 320, near: ['mistral'], check: mixedRandom(3.8) },
  // ElevenLabs keys before the sk_ prefix: 32 hex.
  { type: 'ELEVENLABS_API_KEY', ...HEX, lengths: [32], near: ['elevenlabs', 'eleven_labs', 'xi-api-key', 'xi_api_key'], check: randomHex },
  // Cloudflare API tokens before the cfut_/cfat_ prefixes: 40 of [A-Za-z0-9_-]; global API keys: 37 hex.
  {
    type: 'CLOUDFLARE_API_TOKEN', ...TOKEN, lengths: [40], before: 320, check: mixedRandom(4.0),
    near: ['cloudflare', 'cf_api', 'cf-api', 'cf_token', 'cf-token', 'wrangler', 'cf_account', 'cf_dns'],
  },
  { type: 'CLOUDFLARE_API_KEY', ...HEX, lengths: [37], before: 320, near: ['cloudflare', 'x-auth-key', 'cf_api_key', 'cf-api-key', 'cf_key'], check: randomHex },
];

/** Positions of every provider word in the last text scanned (one lower-casing and one search per word per text). */
let memoText: string | undefined;
let memoPositions = new Map<string, number[]>();

function wordPositions(text: string): Map<string, number[]> {
  if (text === memoText) return memoPositions;
  const lower = text.toLowerCase();
  const positions = new Map<string, number[]>();
  for (const w of NEAR_WORDS) {
    const at: number[] = [];
    for (let i = lower.indexOf(w); i >= 0; i = lower.indexOf(w, i + 1)) at.push(i);
    if (at.length) positions.set(w, at);
  }
  memoText = text;
  memoPositions = positions;
  return positions;
}

/**
 * How far the nearest of the key's words is from [start, end): a word ending within `before`
 * characters before it counts its distance, one starting within `after` after it counts its distance
 * plus AFTER_PENALTY; -1 when none is in reach.
 */
function nearWord(key: ContextKey, positions: Map<string, number[]>, start: number, end: number): number {
  const before = key.before ?? 240;
  const after = key.after ?? 80;
  let best = -1;
  for (const w of key.near) {
    for (const p of positions.get(w) ?? []) {
      let d = -1;
      if (p + w.length <= start && p >= start - before) d = start - (p + w.length);
      else if (p >= end && p < end + after) d = p - end + AFTER_PENALTY;
      if (d >= 0 && (best < 0 || d < best)) best = d;
    }
  }
  return best;
}

// A value is named by the words before it (`DD_API_KEY=…`, "my datadog key is …"); a word after it
// counts only when none before does. Without this, in a .env listing one provider per line, the next
// line's name (`TWILIO_AUTH_TOKEN=` after `DD_API_KEY=…`) claimed the key.
const AFTER_PENALTY = 100_000;

/** The first valid key of the shape in the matched union run, or undefined. */
function keyIn(key: ContextKey, c: Candidate): { start: number; end: number } | undefined {
  const { text, value } = c;
  let i = 0;
  while (i < value.length) {
    if (!key.alphabet(value.charCodeAt(i))) {
      i++;
      continue;
    }
    let j = i;
    while (j < value.length && key.alphabet(value.charCodeAt(j))) j++;
    const start = c.start + i;
    const end = c.start + j;
    i = j;
    if (!key.lengths.includes(end - start)) continue;
    if (key.glue(text.charCodeAt(start - 1)) || key.glue(text.charCodeAt(end)) || text[end] === '=') continue;
    const run = text.slice(start, end);
    if (looksFake(run) || (key.check && !key.check(run, text, start, end))) continue;
    return { start, end };
  }
  return undefined;
}

/**
 * Tries each provider's shape on the maximal runs of its alphabet inside the matched union run; when
 * several providers' shapes fit (32 hex is a Twilio, Datadog or ElevenLabs key alike), the provider
 * named nearest to the value wins, so keys listed one per line keep each its own provider.
 */
function contextKey(c: Candidate): Verdict {
  // A run far longer than any key is a blob (base64 image, ciphertext), not a key with neighbours.
  if (c.value.length > 256) return false;
  const positions = wordPositions(c.text);
  let best: { type: string; start: number; end: number; score: number } | undefined;
  let bestDistance = Infinity;
  for (const key of KEYS) {
    // The provider's words first: most runs (hashes, ids, blobs) have none nearby, and then the run
    // need not be split at all.
    const distance = key.near.length > 0 ? nearWord(key, positions, c.start, c.end) : AFTER_PENALTY * 2;
    if (distance < 0 || distance >= bestDistance) continue;
    const found = keyIn(key, c);
    if (!found) continue;
    best = { type: key.type, ...found, score: key.score ?? 0.85 };
    bestDistance = distance;
  }
  return best ?? false;
}

const NEAR_WORDS = [...new Set(KEYS.flatMap((k) => k.near))];

export const CONTEXT_PROVIDERS: RuleSpec[] = [
  {
    type: 'AWS_SECRET_ACCESS_KEY',
    types: [...new Set(KEYS.map((k) => k.type))],
    pattern: r`[A-Za-z0-9+/_-]{32,}`,
    // Dispatched by the provider words it needs nearby, not by the run itself (see RuleSpec.trigger).
    trigger: '(?i)' + NEAR_WORDS.map((w) => w.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')).join('|'),
    score: 0.85,
    validate: contextKey,
  },
  // … or on the same line as the account SID: Client("AC…", "…"), -u AC…:…, "SID AC…, token …".
  {
    type: 'TWILIO_AUTH_TOKEN',
    pattern: r`\bAC[0-9a-f]{32}\b[^\n]*?\b([0-9a-f]{32})\b`,
    group: 1,
    score: 0.85,
    validate: (c) => c.start - c.text.lastIndexOf('AC', c.start) < 160 && randomHex(c.value) && !looksFake(c.value),
  },
];
