// Credentials in HTTP shapes: `Authorization: Basic …` / `Bearer …` / `Token …`, API-key headers,
// `curl -u user:pass`, Docker/npm `auth` entries and `scheme://user:pass@host` URLs. No keyword
// gates: every pattern contains its literal (the engine's RE2.Set pass is the gate).
import type { Candidate, RuleSpec, Verdict } from '../types.js';
import { characterClasses, isHex, shannonEntropy } from '../validators/entropy.js';
import { isPlaceholderValue, isPublishableKey, looksLikeCode, looksLikeIdentifier } from '../validators/secret-value.js';

const r = String.raw;

/** base64 → "user:password" with a real password; false for anything else (image data, hashes). */
export function basicCredentials(b64: string): { user: string; password: string } | undefined {
  if (b64.length < 8 || b64.length > 512) return undefined;
  const decoded = Buffer.from(b64, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return undefined;
  for (let i = 0; i < decoded.length; i++) {
    const c = decoded.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0xfffd) return undefined;
  }
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if (user.includes(' ') || !passwordOk(user, password)) return undefined;
  return { user, password };
}

/** user and password of `scheme://user:password@host…` (the user has no ':', the password no '@'). */
export function urlUserinfo(url: string): { user: string; password: string; passwordAt: number } | undefined {
  const start = url.indexOf('://') + 3;
  const colon = url.indexOf(':', start);
  const at = url.indexOf('@', colon + 1);
  if (start < 3 || colon < 0 || at < 0) return undefined;
  return { user: url.slice(start, colon), password: url.slice(colon + 1, at), passwordAt: colon + 1 };
}

/** A password beside a user name: not empty, not a placeholder, not the user name again, not a uid:gid pair. */
export function passwordOk(user: string, password: string): boolean {
  if (password.length < 3 || password === user) return false;
  if (isPlaceholderValue(password) || password.startsWith('$')) return false;
  let digits = true;
  for (let i = 0; i < password.length; i++) {
    const c = password.charCodeAt(i);
    if (c < 48 || c > 57) digits = false;
  }
  return !(digits && password.length < 8);
}

/** An opaque token after a scheme or header name: long, random-looking, not a template or a code reference. */
export function opaqueTokenScore(value: string): number {
  let v = value;
  while (v.length > 0 && '.,;:)]}>'.includes(v[v.length - 1]!)) v = v.slice(0, -1);
  if (v.length < 16 || v.length > 4096) return 0;
  if (isPlaceholderValue(v) || looksLikeCode(v) || looksLikeIdentifier(v) || isPublishableKey(v)) return 0;
  if (isHex(v)) return v.length >= 24 ? 0.85 : 0;
  if (characterClasses(v) < 2 || shannonEntropy(v) < 3.3) return 0;
  return 0.85;
}

function opaque(c: Candidate): Verdict {
  const score = opaqueTokenScore(c.value);
  if (!score) return false;
  let end = c.end;
  while (end > c.start && '.,;:)]}>'.includes(c.text[end - 1]!)) end--;
  return { score, end };
}

const TOKEN = '([A-Za-z0-9._~+/-]+=*)';
/** Separator after a header name in HTTP, JSON, Python dicts, Go `Header.Set("X", "v")`, httpie `X:v`. */
const HEADER_SEP = r`\\?["']?[ \t]*[:=,][ \t]*\\?["'\x60]?[ \t]*`;
const KEY_HEADERS = [
  'x-api-key', 'api-key', 'x-apikey', 'apikey', 'x-auth-token', 'x-auth-key', 'private-token', 'x-vault-token', 'x-access-token',
  'xi-api-key', 'dd-api-key', 'dd-application-key', 'x-goog-api-key', 'ocp-apim-subscription-key', 'x-figma-token',
  'x-shopify-access-token', 'x-postmark-server-token', 'x-riot-token', 'x-cassandra-token',
];

export const HTTP_AUTH_RULES: RuleSpec[] = [
  {
    type: 'HTTP_BASIC_AUTH',
    pattern: r`(?i)\bbasic[ \t]+([A-Za-z0-9+/]+={0,2})`,
    group: 1,
    score: 0.9,
    validate: (c) => basicCredentials(c.value) !== undefined,
  },
  {
    // ~/.docker/config.json `"auth": "…"`, .npmrc `_auth = …`
    type: 'HTTP_BASIC_AUTH',
    pattern: r`(?:\\?"auth\\?"[ \t]*:[ \t]*\\?"|\b_auth[ \t]*=[ \t]*)([A-Za-z0-9+/]+={0,2})`,
    group: 1,
    score: 0.9,
    validate: (c) => basicCredentials(c.value) !== undefined,
  },
  {
    // curl -u user:pass, --user 'user:pass', ~/.curlrc user = "user:pass" (user and password are the finding, as in Basic)
    type: 'HTTP_BASIC_AUTH',
    pattern: r`(?:(?:^|[ \t])(?:-u|--user)(?:[ \t]+|=)?|(?m:^)user[ \t]*=[ \t]*)["']?(([^\s"':$]+):([^\s"']+))`,
    group: 1,
    needsGroups: true,
    score: 0.9,
    validate: (c) => passwordOk(c.groups[2] ?? '', c.groups[3] ?? ''),
  },
  {
    // Python requests auth=("user", "pass"), HTTPBasicAuth("user", "pass")
    type: 'HTTP_BASIC_AUTH',
    pattern: r`(?:\bauth[ \t]*=[ \t]*\(|HTTPBasicAuth\()[ \t]*["']([^"'\n]+)["'][ \t]*,[ \t]*["']([^"'\n]+)["']`,
    group: 2,
    needsGroups: true,
    score: 0.85,
    validate: (c) => passwordOk(c.groups[1] ?? '', c.value) && c.value.length >= 6,
  },
  {
    type: 'BEARER_TOKEN',
    pattern: r`(?i)\bbearer[ \t]+` + TOKEN,
    group: 1,
    score: 0.85,
    validate: opaque,
  },
  {
    // Authorization: Token …, Authorization: <raw key> (Linear, some internal APIs)
    type: 'BEARER_TOKEN',
    pattern: r`(?i)\bauthorization` + HEADER_SEP + r`(?:token[ \t]+)?` + TOKEN,
    group: 1,
    score: 0.85,
    validate: opaque,
  },
  {
    type: 'API_KEY_HEADER',
    pattern: r`(?i)(?:^|[^A-Za-z0-9-])(?:` + KEY_HEADERS.join('|') + ')' + HEADER_SEP + TOKEN,
    group: 1,
    score: 0.85,
    validate: (c) => {
      // A 32-hex ElevenLabs/Datadog key is short of the generic 16-char-random bar only by its alphabet.
      if (isHex(c.value) && c.value.length >= 24) return 0.85;
      return opaque(c);
    },
  },
  {
    // https://user:pass@host, git/ftp/proxy URLs (database schemes are DATABASE_URL_WITH_PASSWORD).
    type: 'URL_CREDENTIALS',
    // Whole match, split in JS (no second regex run): the password is the finding.
    // Unbounded scheme (checked below): a {1,15} counter over common characters multiplies DFA states.
    pattern: r`\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'"<>\\]+:[^\s@'"<>/\\]+@[A-Za-z0-9._~-]+`,
    score: 0.9,
    validate: (c) => {
      if (c.value.indexOf('://') > 16) return false;
      const creds = urlUserinfo(c.value);
      if (!creds || !passwordOk(creds.user, creds.password)) return false;
      return { start: c.start + creds.passwordAt, end: c.start + creds.passwordAt + creds.password.length };
    },
  },
];
