// The secrets detector: provider tokens (data tables) plus structural secrets — PEM private keys,
// JWTs, connection URLs with a password, and generic `password=` / `secret:` assignments.
import type { Candidate, RuleSpec, Verdict } from '../types.js';
import { AI_AND_CLOUD_PROVIDERS } from './providers-ai-cloud.js';
import { DEV_AND_SAAS_PROVIDERS } from './providers-dev-saas.js';
import { characterClasses, isHex, isUuid, looksFake, shannonEntropy } from '../validators/entropy.js';
import { isAlnumAt } from '../context.js';

const r = String.raw;

/** A PEM private key body has real base64 in it, not "..." or "<your key>". */
function pemHasKeyMaterial(c: Candidate): boolean {
  const header = c.value.indexOf('-----', 11);
  const body = c.value.slice(header + 5, c.value.lastIndexOf('-----END') > 0 ? c.value.lastIndexOf('-----END') : undefined);
  let material = '';
  for (const ch of body) if (/* base64 */ (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch === '+' || ch === '/') material += ch;
  // Escaped newlines in JSON ("\n") leave stray 'n's; they do not matter for a length/entropy test.
  return material.length >= 40 && !looksFake(material.slice(0, 200), 4.0);
}

/** base64url-decodes a JWT segment and checks it is a JSON object. */
function jwtSegmentIsJson(segment: string, requireKey?: string): boolean {
  try {
    const json = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
    return requireKey === undefined || requireKey in json;
  } catch {
    return false;
  }
}

const PLACEHOLDER_PASSWORDS = new Set([
  'password', 'passwd', 'pass', 'pwd', 'secret', 'changeme', 'change_me', 'yourpassword', 'your_password',
  'mypassword', 'my_password', 'pw', 'xxx', 'user', 'username', 'admin', 'example', 'placeholder', 'redacted',
]);

function isPlaceholderPassword(password: string): boolean {
  const lower = password.toLowerCase();
  if (PLACEHOLDER_PASSWORDS.has(lower)) return true;
  if (lower.startsWith('<') || lower.startsWith('${') || lower.startsWith('{{') || lower.startsWith('$') || lower.startsWith('%')) return true;
  if (lower.startsWith('[') || lower.includes('***') || lower.includes('xxx') || lower.startsWith(':')) return true;
  return lower.includes('password') || lower.includes('your');
}

/** Words that make an assignment's right-hand side code rather than a literal secret. */
const CODE_VALUE_HINTS = ['process.env', 'os.environ', 'getenv', 'env(', 'env.', 'config.', 'settings.', 'secrets.', 'vault(', 'function', 'null', 'undefined', 'none', 'true', 'false', 'string', 'self.', 'this.', 'args.', 'req.', 'options.', 'input('];

function genericSecretScore(c: Candidate): Verdict {
  let value = c.value;
  // Trailing punctuation that closes a sentence or a call is not part of the value.
  while (value.length > 0 && '.,;)]}>'.includes(value[value.length - 1]!)) value = value.slice(0, -1);
  if (value.length < 8 || value.length > 200) return false;
  const lower = value.toLowerCase();
  for (const hint of CODE_VALUE_HINTS) if (lower.startsWith(hint) || lower.includes(hint + '(')) return false;
  if (value.includes('(') || value.includes('.get') || isUuid(value)) return false;
  if (isPlaceholderPassword(value) || looksFake(value, 2.5)) return false;
  // Pure hex only counts when long enough to be a key rather than a short id or a version hash.
  if (isHex(value) && value.length < 16) return false;
  const classes = characterClasses(value);
  const entropy = shannonEntropy(value);
  if (classes < 2 && !(isHex(value) && value.length >= 32)) return false;
  if (classes === 2 && entropy < 3.0 && value.length < 16) return false;
  // Dotted identifiers and paths (a.b.c, /usr/bin) are code, not secrets.
  if (value.startsWith('/') || value.startsWith('./') || value.startsWith('http')) return false;
  return { score: entropy >= 3.5 ? 0.8 : 0.65, end: c.start + value.length };
}

const STRUCTURAL: RuleSpec[] = [
  {
    type: 'PRIVATE_KEY',
    literals: ['-----BEGIN'],
    // Whole PEM block; a block cut off before its END line (pasted partially) still counts.
    pattern: r`-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----|(?:[A-Za-z0-9+/=]|\r?\n|\\[nr]){40,})`,
    score: 1.0,
    validate: pemHasKeyMaterial,
  },
  {
    type: 'JWT',
    literals: ['eyJ'],
    pattern: r`\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,}`,
    score: 0.9,
    validate: (c) => {
      const [header, payload] = c.value.split('.');
      return jwtSegmentIsJson(header!, 'alg') && jwtSegmentIsJson(payload!) && !isAlnumAt(c.text, c.end);
    },
  },
  {
    type: 'DATABASE_URL_WITH_PASSWORD',
    literals: ['://'],
    pattern: r`(?i)\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|clickhouse|cockroachdb|couchdb|neo4j(?:\+s)?|oracle|db2|snowflake|jdbc:[a-z0-9]+|kafka|nats|mqtt|memcached|cassandra|influxdb|elasticsearch|ftp|sftp|smtps?|ldaps?)://([^\s:/@'"<>]{0,64}):([^\s@'"<>/]{1,128})@[A-Za-z0-9._~-]+(?::\d{1,5})?(?:/[^\s'"<>)]*)?`,
    score: 0.95,
    needsGroups: true,
    validate: (c) => !isPlaceholderPassword(c.groups[2] ?? ''),
  },
  {
    type: 'GENERIC_SECRET',
    keywords: ['pass', 'pwd', 'secret', 'token', 'key', 'credential', 'auth'],
    pattern: r`(?i)\b[A-Za-z0-9_.-]{0,32}(?:password|passwd|passphrase|pwd|secret|token|api[_ -]?key|apikey|access[_ -]?key|auth[_ -]?key|private[_ -]?key|signing[_ -]?key|encryption[_ -]?key|master[_ -]?key|credentials?)[A-Za-z0-9_.-]{0,16}["']?\s*(?:=|:=|=>|:|\bis\b)\s*["'\x60]?([^\s"'\x60,;]{8,200})`,
    group: 1,
    score: 0.8,
    validate: genericSecretScore,
  },
];

/** Every built-in secrets rule, provider tables first. */
export const SECRET_RULES: readonly RuleSpec[] = [...AI_AND_CLOUD_PROVIDERS, ...DEV_AND_SAAS_PROVIDERS, ...STRUCTURAL];

/** Distinct secret entity types (for docs and options validation). */
export const SECRET_TYPES: readonly string[] = [...new Set(SECRET_RULES.map((rule) => rule.type))];
