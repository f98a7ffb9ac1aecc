// Heuristics for secrets that have no provider prefix: is this key name one that holds a secret,
// and is this value a literal secret rather than a placeholder, a code reference or an identifier?
import { characterClasses, isHex, isUuid, longestRun, sequentialRatio, shannonEntropy } from './entropy.js';

// Character-class checks on a bounded value, as plain loops: these run for every candidate, and a
// native regex call per check (string conversion included) cost more than the whole judgement.
const isLowerC = (c: number) => c >= 97 && c <= 122;
const isUpperC = (c: number) => c >= 65 && c <= 90;
const isDigitC = (c: number) => c >= 48 && c <= 57;
const isIdentStart = (c: number) => isLowerC(c) || isUpperC(c) || c === 95 || c === 36;
const isIdentChar = (c: number) => isIdentStart(c) || isDigitC(c);

/** `$VAR`, `${VAR}`, `$(cmd)`: what may follow a `$` in a template. */
function templateAfterDollar(c: number): boolean {
  return isLowerC(c) || isUpperC(c) || c === 95 || c === 123 || c === 40;
}

/** Lower-case words joined by one of - _ / . : ("db-credentials-prod", "prod/db/password"). */
function isWordSlug(v: string): boolean {
  let prevSep = true;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (isLowerC(c)) prevSep = false;
    else if (c === 45 || c === 95 || c === 47 || c === 46 || c === 58) {
      if (prevSep) return false;
      prevSep = true;
    } else return false;
  }
  return !prevSep;
}

/** CamelCase words without digits ("GetSecretValue", "secretName"). */
function isCamelWords(v: string): boolean {
  let humps = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (isUpperC(c)) {
      if (i > 0 && !isLowerC(v.charCodeAt(i - 1))) return false;
      if (i > 0) humps++;
    } else if (!isLowerC(c)) return false;
  }
  return humps > 0;
}

/** UPPER_SNAKE_CASE ("DB_PASSWORD"). */
function isConstName(v: string): boolean {
  let underscore = false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 95) {
      if (i === 0 || i === v.length - 1 || v.charCodeAt(i - 1) === 95) return false;
      underscore = true;
    } else if (!isUpperC(c)) return false;
  }
  return underscore;
}

/** PowerShell Verb-Noun ("ConvertTo-SecureString"). */
function isCmdlet(v: string): boolean {
  const dash = v.indexOf('-');
  if (dash < 2 || !isUpperC(v.charCodeAt(0)) || !isUpperC(v.charCodeAt(dash + 1))) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (!(isLowerC(c) || isUpperC(c) || c === 45)) return false;
  }
  return true;
}

/** `scheme://` at the start. */
function hasUrlScheme(v: string): boolean {
  const at = v.indexOf('://');
  if (at < 1) return false;
  for (let i = 0; i < at; i++) {
    const c = v.charCodeAt(i);
    if (!(isLowerC(c) || isUpperC(c) || isDigitC(c) || c === 43 || c === 46 || c === 45)) return false;
  }
  return isLowerC(v.charCodeAt(0)) || isUpperC(v.charCodeAt(0));
}

/** A dotted or bracketed identifier path: `cfg.db.password`, `settings["x"]`, `a?.b` (segments returned). */
function identifierPath(v: string): string[] | undefined {
  let end = v.length;
  if (v[end - 1] === ',' || v[end - 1] === ';') end--;
  const segments: string[] = [];
  let i = 0;
  let bracket = false;
  while (i < end) {
    const start = i;
    if (!isIdentStart(v.charCodeAt(i))) return undefined;
    while (i < end && isIdentChar(v.charCodeAt(i))) i++;
    segments.push(v.slice(start, i));
    if (i === end) break;
    if (v[i] === '.') i++;
    else if (v[i] === '?' && v[i + 1] === '.') i += 2;
    else if (v[i] === '[') {
      const close = v.indexOf(']', i);
      if (close < 0 || close > end) return undefined;
      for (let k = i + 1; k < close; k++) {
        const c = v.charCodeAt(k);
        if (!(isIdentChar(c) || c === 34 || c === 39)) return undefined;
      }
      bracket = true;
      i = close + 1;
      if (i === end) break;
      if (v[i] !== '.') return undefined;
      i++;
    } else return undefined;
  }
  if (segments.length < 2 && !bracket) return undefined;
  return bracket ? [...segments, '[]'] : segments;
}

function hasCamelHump(v: string): boolean {
  for (let i = 1; i < v.length; i++) if (isUpperC(v.charCodeAt(i)) && isLowerC(v.charCodeAt(i - 1))) return true;
  return false;
}

function allDigits(v: string): boolean {
  for (let i = 0; i < v.length; i++) if (!isDigitC(v.charCodeAt(i))) return false;
  return v.length > 0;
}

export type SecretKeyKind = 'password' | 'token';

/** Last word(s) of a key name that hold a password. */
const PASSWORD_WORDS = new Set(['password', 'passwd', 'pass', 'pwd', 'passphrase', 'passcode', 'pw', 'storepass', 'keypass']);
/** Last word(s) of a key name that hold a token or key. */
const TOKEN_WORDS = new Set(['secret', 'token', 'credential', 'credentials', 'apikey', 'authkey', 'accesskey', 'secretkey', 'privatekey', 'appkey', 'authtoken', 'accesstoken', 'apitoken', 'apisecret', 'clientsecret', 'appsecret']);
/** Two-word endings: `api_key`, `secret_access_key`, `signing_key` … */
const TOKEN_PAIRS = new Set([
  'api_key', 'app_key', 'application_key', 'access_key', 'auth_key', 'secret_key', 'private_key', 'signing_key',
  'encryption_key', 'master_key', 'client_key', 'consumer_key', 'license_key', 'service_key', 'session_key',
  'api_secret', 'client_secret', 'app_secret', 'consumer_secret', 'webhook_secret', 'shared_secret', 'jwt_secret',
  'access_token', 'auth_token', 'api_token', 'bearer_token', 'refresh_token', 'id_token', 'bot_token',
  'secret_token', 'personal_token', 'deploy_token', 'hmac_key', 'hmac_secret', 'cookie_secret', 'session_secret',
]);

/** A key containing one of these words holds something derived from a secret, or something public. */
const NOT_SECRET_WORDS = new Set([
  'hash', 'hashed', 'digest', 'encrypted', 'salt', 'salted', 'nonce', 'iv', 'checksum', 'fingerprint', 'public', 'publishable',
  'sha1', 'sha256', 'sha512', 'md5', 'bcrypt', 'argon2', 'scrypt', 'masked', 'redacted', 'placeholder', 'example', 'sample',
]);

/** Splits camelCase and separators into lower-case words: "dbPassword" → ["db", "password"]. */
export function keyWords(key: string): string[] {
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const ch = key[i]!;
    const code = key.charCodeAt(i);
    const prev = key.charCodeAt(i - 1);
    const isUpper = code >= 65 && code <= 90;
    const prevLower = (prev >= 97 && prev <= 122) || (prev >= 48 && prev <= 57);
    if (isUpper && prevLower) out += '_';
    out += ch === '-' || ch === '.' || ch === ' ' ? '_' : ch.toLowerCase();
  }
  return out.split('_').filter((w) => w.length > 0);
}

/**
 * What a key name holds, judged by how it ends: `DB_PASSWORD`, `apiSecret`, `aws_secret_access_key`
 * hold secrets; `secret_name`, `token_url`, `private_key_id`, `max_tokens`, `password_hash` do not.
 */
export function secretKeyKind(key: string): SecretKeyKind | undefined {
  const words = keyWords(key);
  const last = words[words.length - 1];
  if (!last) return undefined;
  // encrypted_password, hashed_password, public_key, password_salt: not the secret itself; CSRF tokens are not credentials.
  for (const w of words) if (NOT_SECRET_WORDS.has(w) || w.startsWith('csrf') || w.startsWith('xsrf')) return undefined;
  if (PASSWORD_WORDS.has(last)) return 'password';
  for (const w of PASSWORD_WORDS) if (w.length >= 6 && last.endsWith(w)) return 'password';
  if (TOKEN_WORDS.has(last)) return 'token';
  const pair = words.length >= 2 ? `${words[words.length - 2]}_${last}` : '';
  if (TOKEN_PAIRS.has(pair)) return 'token';
  // "secret_access_key", "secret_key_base"
  if (last === 'key' && words.includes('secret')) return 'token';
  if (last === 'base' && pair === 'key_base') return 'token';
  // pgpassword, dbpasswd, authtoken-like compounds
  if (last.endsWith('password') || last.endsWith('passwd')) return 'password';
  if (last.endsWith('token') && last !== 'tokens' && last.length > 5) return 'token';
  if (last.endsWith('secret') && last.length > 6) return 'token';
  return undefined;
}

const PLACEHOLDER_VALUES = new Set([
  'password', 'passwd', 'pass', 'pwd', 'secret', 'token', 'changeme', 'changeit', 'yourpassword', 'mypassword',
  'admin', 'root', 'guest', 'user', 'username', 'test', 'testing', 'example', 'sample', 'placeholder', 'redacted',
  'default', 'postgres', 'mysql', 'redis', 'none', 'null', 'nil', 'undefined', 'true', 'false', 'string', 'str',
  'required', 'optional', 'empty', 'secret123', 'password123', 'qwerty', 'letmein', 'welcome', 'todo', 'tbd', 'xxx',
  'apikey', 'api_key', 'my_token', 'mytoken', 'your_token', 'dummy', 'fake', 'bearer', 'basic', 'hidden', 'masked',
]);

const PLACEHOLDER_PARTS = ['your', 'example', 'placeholder', 'redacted', 'changeme', 'replace', 'insert', 'dummy', 'sample', 'xxxx', 'fixme', 'todo', 'here', 'lorem', 'foobar'];

/** Template and masking syntax: `${VAR}`, `$VAR`, `{{ x }}`, `<token>`, `%env(X)%`, `***`, `...`. */
export function isPlaceholderValue(value: string): boolean {
  const lower = value.toLowerCase();
  if (PLACEHOLDER_VALUES.has(lower)) return true;
  const c0 = value[0]!;
  if (c0 === '<' || c0 === '[' || c0 === '{' || c0 === '(') return true;
  // YAML tags: `!vault |`, CloudFormation `!Ref DbPassword`.
  if (c0 === '!' && value.length > 1 && templateAfterDollar(value.charCodeAt(1))) return true;
  if (c0 === '$' && /* $VAR, ${VAR}, $(cmd) */ (value.length === 1 || templateAfterDollar(value.charCodeAt(1)))) return true;
  if (c0 === '%' && value.endsWith('%')) return true;
  if (lower.includes('${') || lower.includes('{{') || lower.includes('$(') || lower.includes('%(') || lower.includes('%{') || lower.includes('#{') || lower.includes('<%')) return true;
  if (lower.includes('**') || lower.includes('...') || lower.includes('…') || lower.includes('xxx') || lower.includes('___')) return true;
  if (lower.includes('<') && lower.includes('>')) return true;
  // Encrypted-at-rest forms: SOPS ENC[…], Vault transit vault:v1:…, and stored password hashes.
  if (lower.startsWith('enc[') || lower.startsWith('vault:v') || isPasswordHash(value)) return true;
  const squashed = lower.replace(/[-_.]/g, '');
  for (const part of PLACEHOLDER_PARTS) if (squashed.includes(part)) return true;
  if (longestRun(value) >= Math.max(4, Math.ceil(value.length / 3))) return true;
  return value.length >= 6 && sequentialRatio(value) > 0.6;
}


/** Stored password hashes: bcrypt $2b$…, $argon2id$…, $6$… (crypt), pbkdf2_sha256$…, {SSHA}…. */
export function isPasswordHash(value: string): boolean {
  if (value.startsWith('{SSHA') || value.startsWith('{SHA') || value.startsWith('{CRYPT}') || value.startsWith('{PBKDF2')) return true;
  if (value.startsWith('pbkdf2_') || value.startsWith('bcrypt$') || value.startsWith('argon2$') || value.startsWith('sha1$')) return true;
  if (value[0] !== '$') return false;
  const second = value.indexOf('$', 1);
  if (second < 2 || second > 12) return false;
  const id = value.slice(1, second);
  return ['1', '2a', '2b', '2x', '2y', '5', '6', '7', 'y', 'gy', 'argon2i', 'argon2d', 'argon2id', 'scrypt', 'pbkdf2', 'pbkdf2-sha256', 'pbkdf2-sha512', 'sha1', 'md5'].includes(id);
}

const CODE_PREFIXES = [
  'process.env', 'os.environ', 'os.getenv', 'getenv', 'env.', 'env[', 'config.', 'settings.', 'secrets.', 'self.',
  'this.', 'args.', 'req.', 'request.', 'options.', 'opts.', 'params.', 'props.', 'var.', 'data.', 'local.', 'module.',
  'vars.', 'input.', 'ctx.', 'context.', 'await ', 'new ', 'import.meta', 'system.getenv', 'environment.', 'app.config',
];

/** A code expression on the right-hand side (`os.environ["X"]`, `getToken()`, `cfg.db.password`). */
export function looksLikeCode(value: string): boolean {
  const lower = value.toLowerCase();
  for (const p of CODE_PREFIXES) if (lower.startsWith(p)) return true;
  if (value.includes('(') || value.includes(')') || value.includes('::') || value.includes('=>')) return true;
  // Dotted or bracketed identifier paths: cfg.db.password, settings["x"], user.password — but not a
  // dotted literal such as "velvet.orchid06".
  const segments = identifierPath(value);
  if (segments) {
    if (segments.includes('[]') || value.includes('?.')) return true;
    if (segments.length >= 3 || CODE_RECEIVERS.has(segments[0]!.toLowerCase())) return true;
    for (const seg of segments) if (hasCamelHump(seg)) return true;
  }
  return false;
}

/** Objects a secret is commonly read from in code: `config.password`, `user.password`, `creds.token`. */
const CODE_RECEIVERS = new Set([
  'config', 'cfg', 'conf', 'settings', 'env', 'environ', 'process', 'os', 'self', 'this', 'options', 'opts', 'props', 'args',
  'params', 'req', 'request', 'ctx', 'context', 'app', 'user', 'account', 'db', 'database', 'auth', 'credentials', 'creds',
  'secrets', 'secret', 'vars', 'var', 'data', 'local', 'module', 'input', 'form', 'body', 'payload', 'state', 'session', 'system',
  'environment', 'keys', 'key', 'token', 'client', 'conn', 'connection', 'values', 'spec', 'cls', 'obj', 'item', 'row', 'record',
]);

/**
 * A name rather than a secret: lower-case words joined by `-`, `_`, `/` or `.` with no digits or
 * symbols (`db-credentials-prod`, `prod/db/password`), or a CamelCase identifier (`GetSecretValue`).
 */
export function looksLikeIdentifier(value: string): boolean {
  if (value.length < 40 && isWordSlug(value)) return true;
  if (isCamelWords(value)) return true;
  if (isConstName(value)) return true; // ENV_VAR_NAME
  if (isCmdlet(value)) return true; // PowerShell Verb-Noun
  if (value.startsWith('/') || value.startsWith('./') || value.startsWith('~/') || hasUrlScheme(value)) return true;
  return false;
}

/** Publishable (meant-to-be-public) keys: Stripe/Clerk `pk_…`, Mapbox `pk.…`, Supabase `sb_publishable_…`. */
export function isPublishableKey(value: string): boolean {
  return value.startsWith('pk_live_') || value.startsWith('pk_test_') || value.startsWith('pk.eyJ') || value.startsWith('sb_publishable_');
}

/**
 * Scores a literal assigned to a secret-holding name. Passwords may be short and human-made
 * (`Summer2024!`): length ≥ 6 with two character classes, or ≥ 10. Tokens must look random.
 * Returns 0 when it is not a secret.
 */
export function secretValueScore(value: string, kind: SecretKeyKind): number {
  if (value.length < 6 || value.length > 256) return 0;
  if (isPlaceholderValue(value) || looksLikeCode(value) || isPublishableKey(value)) return 0;
  if (isUuid(value)) return 0;
  const classes = characterClasses(value);
  const entropy = shannonEntropy(value);
  if (kind === 'password') {
    if (looksLikeIdentifier(value)) return 0;
    if (value.length < 10 && allDigits(value)) return 0;
    if (classes >= 2 && value.length >= 6) return entropy >= 3.0 ? 0.8 : 0.65;
    return value.length >= 10 && entropy >= 3.0 ? 0.6 : 0;
  }
  if (value.length < 12) return 0;
  if (looksLikeIdentifier(value)) return 0;
  if (isHex(value)) return value.length >= 24 ? 0.75 : 0;
  if (classes < 2 || entropy < 3.2) return 0;
  return entropy >= 3.8 ? 0.8 : 0.65;
}
