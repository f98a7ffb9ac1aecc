// Provider keys with no distinctive prefix, reported when the provider is named nearby (or, for AWS
// and Twilio, when their companion id is): AWS secret access keys, Twilio auth tokens, Datadog API
// and application keys, Cohere, Mistral and legacy ElevenLabs keys, Cloudflare API tokens and
// global API keys.
import type { Candidate, RuleSpec } from '../types.js';
import { contextual } from './provider-rule.js';
import { characterClasses, isHex, shannonEntropy } from '../validators/entropy.js';

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

/** True when an `AC` + 32-hex Twilio account SID occurs in `window`. */
function hasTwilioSid(window: string): boolean {
  for (let i = window.indexOf('AC'); i >= 0; i = window.indexOf('AC', i + 1)) {
    let n = 0;
    while (n < 32) {
      const c = window.charCodeAt(i + 2 + n);
      if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) break;
      n++;
    }
    if (n === 32) return true;
  }
  return false;
}

/** A key word (`key`, `token`, `secret`) just before the value: "app key is …", `"apiKey": "…"`, `DD_APP_KEY=`. */
function keyWordBefore(c: Candidate, window = 48): boolean {
  const before = c.text.slice(Math.max(0, c.start - window), c.start).toLowerCase();
  return before.includes('key') || before.includes('token') || before.includes('secret');
}

const HEX32 = r`\b([0-9a-f]{32})\b`;
const HEX40 = r`\b([0-9a-f]{40})\b`;

export const CONTEXT_PROVIDERS: RuleSpec[] = [
  // AWS: 40 base64 characters beside an access key id or the "secret access key" name.
  contextual('AWS_SECRET_ACCESS_KEY', r`(?:^|[^A-Za-z0-9+/=])([A-Za-z0-9+/]{40})(?:[^A-Za-z0-9+/=]|$)`, {
    keywords: ['akia', 'asia', 'aws', 'secret access', 'secret_access', 'secretaccess', 'secret-access'],
    near: ['akia', 'asia', 'aws_secret', 'aws secret', 'secret access', 'secret_access', 'secretaccess', 'secret-access', 'aws-secret'],
    before: 320,
    score: 0.9,
    check: mixedRandom(4.2),
  }),
  // Twilio: auth tokens are 32 hex, next to the account SID (AC…) or the Twilio name.
  contextual('TWILIO_AUTH_TOKEN', HEX32, {
    keywords: ['twilio', 'ac'],
    near: [],
    check: (v, c) => {
      if (!randomHex(v)) return false;
      const window = c.text.slice(Math.max(0, c.start - 240), c.end + 80);
      return hasTwilioSid(window) || window.toLowerCase().includes('twilio');
    },
  }),
  // Datadog: API keys are 32 hex, application keys 40 hex; named "datadog"/"DD_…" nearby and a key word just before.
  contextual('DATADOG_API_KEY', HEX32, {
    keywords: ['datadog', 'dd_', 'dd-'],
    near: ['datadog', 'dd_api', 'dd-api', 'dd_app', 'dd-app', 'dd-application', 'ddog'],
    before: 320,
    check: (v, c) => randomHex(v) && keyWordBefore(c),
  }),
  contextual('DATADOG_APP_KEY', HEX40, {
    keywords: ['datadog', 'dd_', 'dd-'],
    near: ['datadog', 'dd_app', 'dd-app', 'dd-application', 'dd_application', 'ddog'],
    before: 320,
    check: (v, c) => randomHex(v) && keyWordBefore(c),
  }),
  // Cohere: 40 alphanumerics; Mistral: 32 alphanumerics.
  contextual('COHERE_API_KEY', r`\b([A-Za-z0-9]{40})\b`, {
    keywords: ['cohere', 'co_api', 'co-api'],
    near: ['cohere', 'co_api_key', 'co-api-key'],
    before: 320,
    check: mixedRandom(4.0),
  }),
  contextual('MISTRAL_API_KEY', r`\b([A-Za-z0-9]{32})\b`, {
    keywords: ['mistral'],
    near: ['mistral'],
    before: 320,
    check: mixedRandom(3.8),
  }),
  // ElevenLabs keys before the sk_ prefix: 32 hex.
  contextual('ELEVENLABS_API_KEY', HEX32, {
    keywords: ['elevenlabs', 'eleven_labs', 'xi-api-key', 'xi_api_key'],
    near: ['elevenlabs', 'eleven_labs', 'xi-api-key', 'xi_api_key'],
    check: randomHex,
  }),
  // Cloudflare API tokens before the cfut_/cfat_ prefixes: 40 of [A-Za-z0-9_-]; global API keys: 37 hex.
  contextual('CLOUDFLARE_API_TOKEN', r`(?:^|[^A-Za-z0-9_-])([A-Za-z0-9_-]{40})(?:[^A-Za-z0-9_-]|$)`, {
    keywords: ['cloudflare', 'cf_', 'cf-', 'wrangler'],
    near: ['cloudflare', 'cf_api', 'cf-api', 'cf_token', 'cf-token', 'wrangler', 'cf_account', 'cf_dns'],
    before: 320,
    check: mixedRandom(4.0),
  }),
  contextual('CLOUDFLARE_API_KEY', r`\b([0-9a-f]{37})\b`, {
    keywords: ['cloudflare', 'x-auth-key', 'cf_api', 'cf-api'],
    near: ['cloudflare', 'x-auth-key', 'cf_api_key', 'cf-api-key', 'cf_key'],
    before: 320,
    check: randomHex,
  }),
];
