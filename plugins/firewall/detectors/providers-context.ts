// Provider keys with no distinctive prefix, reported when the provider is named nearby (or, for AWS
// and Twilio, when their companion id is): AWS secret access keys, Twilio auth tokens, Datadog API
// and application keys, Cohere, Mistral and legacy ElevenLabs keys, Cloudflare API tokens and
// global API keys.
import type { Candidate, RuleSpec } from '../types.js';
import { contextual } from './provider-rule.js';
import { characterClasses, isHex, looksFake, shannonEntropy } from '../validators/entropy.js';

const r = String.raw;

/** Upper, lower and digits all present, high entropy: a random key, not a word, hash or hex id. */
function mixedRandom(minEntropy: number) {
  return (value: string): boolean => {
    if (isHex(value)) return false;
    let upper = false, lower = false, digit = false;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c >= 65 && c <= 90) upper = true;
      else if (c >= 97 && c <= 122) lower = true;
      else if (c >= 48 && c <= 57) digit = true;
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
function keyWordBefore(c: Candidate, window = 48): boolean {
  const before = c.text.slice(Math.max(0, c.start - window), c.start).toLowerCase();
  return before.includes('key') || before.includes('token') || before.includes('secret');
}

// Whole runs of each alphabet; contextual() keeps only runs of the key's exact length.
const HEX_RUN = r`[0-9a-f]{32,}`;
const ALNUM_RUN = r`[A-Za-z0-9]{32,}`;
const B64_RUN = r`[A-Za-z0-9+/]{40,}`;
const TOKEN_RUN = r`[A-Za-z0-9_-]{40,}`;

const isHexCode = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) || c === 95;
const isAlnumCode = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isB64Code = (c: number) => isAlnumCode(c) || c === 43 || c === 47;
const isTokenCode = (c: number) => isAlnumCode(c) || c === 45;

export const CONTEXT_PROVIDERS: RuleSpec[] = [
  // AWS: 40 base64 characters beside an access key id or the "secret access key" name.
  contextual('AWS_SECRET_ACCESS_KEY', B64_RUN, {
    alphabet: isB64Code,
    lengths: [40],
    keywords: ['akia', 'asia', 'aws_secret', 'aws secret', 'aws-secret', 'secret access', 'secret_access', 'secretaccess', 'secret-access'],
    near: ['akia', 'asia', 'aws_secret', 'aws secret', 'secret access', 'secret_access', 'secretaccess', 'secret-access', 'aws-secret'],
    before: 320,
    score: 0.9,
    check: mixedRandom(4.2),
  }),
  // Twilio: auth tokens are 32 hex, named "twilio" nearby …
  contextual('TWILIO_AUTH_TOKEN', HEX_RUN, {
    alphabet: isHexCode,
    lengths: [32],
    keywords: ['twilio'],
    near: ['twilio'],
    before: 320,
    check: randomHex,
  }),
  // … or on the same line as the account SID: Client("AC…", "…"), -u AC…:…, "SID AC…, token …".
  {
    type: 'TWILIO_AUTH_TOKEN',
    pattern: r`\bAC[0-9a-f]{32}\b[^\n]*?\b([0-9a-f]{32})\b`,
    group: 1,
    score: 0.85,
    validate: (c) => c.start - c.text.lastIndexOf('AC', c.start) < 160 && randomHex(c.value) && !looksFake(c.value),
  },
  // Datadog: API keys are 32 hex, application keys 40 hex; named "datadog"/"DD_…" nearby and a key word just before.
  contextual('DATADOG_API_KEY', HEX_RUN, {
    alphabet: isHexCode,
    lengths: [32],
    keywords: ['datadog', 'dd_api', 'dd-api', 'dd_app', 'dd-app', 'ddog'],
    near: ['datadog', 'dd_api', 'dd-api', 'dd_app', 'dd-app', 'dd-application', 'ddog'],
    before: 320,
    check: (v, c) => randomHex(v) && keyWordBefore(c),
  }),
  contextual('DATADOG_APP_KEY', HEX_RUN, {
    alphabet: isHexCode,
    lengths: [40],
    keywords: ['datadog', 'dd_app', 'dd-app', 'dd-application', 'dd_application', 'ddog'],
    near: ['datadog', 'dd_app', 'dd-app', 'dd-application', 'dd_application', 'ddog'],
    before: 320,
    check: (v, c) => randomHex(v) && keyWordBefore(c),
  }),
  // Cohere: 40 alphanumerics; Mistral: 32 alphanumerics.
  contextual('COHERE_API_KEY', ALNUM_RUN, {
    alphabet: isAlnumCode,
    lengths: [40],
    keywords: ['cohere', 'co_api', 'co-api'],
    near: ['cohere', 'co_api_key', 'co-api-key'],
    before: 320,
    check: mixedRandom(4.0),
  }),
  contextual('MISTRAL_API_KEY', ALNUM_RUN, {
    alphabet: isAlnumCode,
    lengths: [32],
    keywords: ['mistral'],
    near: ['mistral'],
    before: 320,
    check: mixedRandom(3.8),
  }),
  // ElevenLabs keys before the sk_ prefix: 32 hex.
  contextual('ELEVENLABS_API_KEY', HEX_RUN, {
    alphabet: isHexCode,
    lengths: [32],
    keywords: ['elevenlabs', 'eleven_labs', 'xi-api-key', 'xi_api_key'],
    near: ['elevenlabs', 'eleven_labs', 'xi-api-key', 'xi_api_key'],
    check: randomHex,
  }),
  // Cloudflare API tokens before the cfut_/cfat_ prefixes: 40 of [A-Za-z0-9_-]; global API keys: 37 hex.
  contextual('CLOUDFLARE_API_TOKEN', TOKEN_RUN, {
    alphabet: isTokenCode,
    lengths: [40],
    keywords: ['cloudflare', 'cf_api', 'cf-api', 'cf_token', 'cf-token', 'wrangler', 'cf_account', 'cf_dns'],
    near: ['cloudflare', 'cf_api', 'cf-api', 'cf_token', 'cf-token', 'wrangler', 'cf_account', 'cf_dns'],
    before: 320,
    check: mixedRandom(4.0),
  }),
  contextual('CLOUDFLARE_API_KEY', HEX_RUN, {
    alphabet: isHexCode,
    lengths: [37],
    keywords: ['cloudflare', 'x-auth-key', 'cf_api', 'cf-api'],
    near: ['cloudflare', 'x-auth-key', 'cf_api_key', 'cf-api-key', 'cf_key'],
    before: 320,
    check: randomHex,
  }),
];
