// Secrets without a provider prefix, recognised by where they stand: `password=` / `secret:` /
// `token =` assignments in the shapes config files and code use, XML elements, command-line flags
// (`--password x`, `mysql -pX`, `sshpass -p`), SQL `IDENTIFIED BY '…'` and prose ("the password is …").
// The key name must be one that holds a secret (validators/secret-value.ts) and the value a literal
// that is not a placeholder, a code reference or an identifier. These rules have no keyword gates:
// each pattern contains its key words, so the engine's RE2.Set pass already proves they occur.
import type { Candidate, RuleSpec, Verdict } from '../types.js';
import { passwordOk } from './http-auth.js';
import { isPlaceholderValue, secretKeyKind, secretValueScore, type SecretKeyKind } from '../validators/secret-value.js';

const r = String.raw;

/** Characters that close a sentence or a call after a value, not part of it. */
const TRAILING = '.,;:)]}>';

/**
 * Scores the value in group `valueGroup` for a key of `kind`, trimming trailing punctuation. A value
 * followed by `...` or `…` is a truncated example, not a secret.
 */
function judge(c: Candidate, kind: SecretKeyKind | undefined): Verdict {
  if (!kind) return false;
  const after = c.text.slice(c.end, c.end + 3);
  if (after.startsWith('...') || after.startsWith('…')) return false;
  let value = c.value;
  while (value.length > 0 && TRAILING.includes(value[value.length - 1]!)) value = value.slice(0, -1);
  if (value.endsWith('...') || value.endsWith('-') || value.endsWith('_')) return false;
  const score = secretValueScore(value, kind);
  return score > 0 ? { score, start: c.start, end: c.start + value.length } : false;
}

/** The key name a match starts with (the run of key characters). */
function leadingKey(match: string): string {
  let i = 0;
  while (i < match.length) {
    const c = match.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 36 || c === 45)) break;
    i++;
  }
  return match.slice(0, i);
}

/** The value a prose match ends with: the text after its last space, quote or parenthesis. */
function trailingToken(match: string): string {
  let i = match.length;
  while (i > 0 && !' \t"\'`('.includes(match[i - 1]!)) i--;
  return match.slice(i);
}

/**
 * Cheap character checks on a would-be value before the match is located and parsed: long enough,
 * not a template (`${x}`, `<x>`, `{{x}}`), not a call or an environment read.
 */
function plausibleValue(token: string): boolean {
  while (token.length > 0 && TRAILING.includes(token[token.length - 1]!)) token = token.slice(0, -1);
  if (token.length < 6 || isPlaceholderValue(token)) return false;
  const c0 = token[0];
  if (c0 === '$' || c0 === '<' || c0 === '{' || c0 === '[' || c0 === '%') return false;
  if (token.includes('(') || token.includes('${') || token.includes('{{')) return false;
  return !(token.startsWith('process.') || token.startsWith('os.') || token.startsWith('env.') || token.startsWith('self.') || token.startsWith('this.'));
}

const OPERATORS = [':=', '?=', '<-', '=>', '==', '=', ':', ','];
const WORD_OPERATORS = ['is', 'are', 'was', 'to'];

function isKeyChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 36 || c === 45;
}

/**
 * Splits an assignment match (KEY SEP VALUE, see the pattern below) the way the pattern does, in
 * plain JS: one regex exec per match costs more than the whole check.
 */
export function splitAssignment(match: string): { key: string; op: string; valueAt: number } | undefined {
  let i = 0;
  while (i < match.length && isKeyChar(match.charCodeAt(i))) i++;
  const key = match.slice(0, i);
  for (let n = 0; n < 3; n++) {
    let j = i;
    while (match[j] === '\\') j++;
    if (match[j] === '"' || match[j] === "'" || match[j] === ']') i = j + 1;
    else break;
  }
  while (match[i] === ' ' || match[i] === '\t') i++;
  i = skipTypeAnnotation(match, i);
  let op = OPERATORS.find((o) => match.startsWith(o, i));
  if (op === undefined) {
    op = WORD_OPERATORS.find((w) => match.startsWith(w, i) && !isKeyChar(match.charCodeAt(i + w.length)));
    if (op === undefined) return undefined;
  }
  i += op.length;
  while (match[i] === ' ' || match[i] === '\t') i++;
  let j = i;
  while (match[j] === '\\') j++;
  if (match[j] === '"' || match[j] === "'" || match[j] === '`') i = j + 1;
  return i < match.length ? { key, op, valueAt: i } : undefined;
}

/** `: &str =`, `: String =`, `: &'static str =` — skipped when `=` follows the type (as in the pattern). */
function skipTypeAnnotation(match: string, i: number): number {
  if (match[i] !== ':') return i;
  let j = i + 1;
  while (match[j] === ' ' || match[j] === '\t') j++;
  if (match[j] === '&') j++;
  if (match.startsWith("'static", j)) {
    j += 7;
    while (match[j] === ' ' || match[j] === '\t') j++;
  }
  const typeStart = j;
  while (j < match.length && (isKeyChar(match.charCodeAt(j)) || '<>[]?'.includes(match[j]!)) && match[j] !== '.' && match[j] !== '$' && match[j] !== '-') j++;
  if (j === typeStart) return i;
  while (match[j] === ' ' || match[j] === '\t') j++;
  return match[j] === '=' && match[j + 1] !== '=' && match[j + 1] !== '>' ? j : i;
}

/** A whole KEY SEP VALUE match: the value's span is computed here. A `,` separator needs a quoted key (`define('DB_PASSWORD', 'x')`). */
function assignment(c: Candidate): Verdict {
  const parts = splitAssignment(c.value);
  if (!parts) return false;
  const before = c.text[c.start - 1];
  if (parts.op === ',' && before !== '"' && before !== "'") return false;
  // arn:aws:secretsmanager:…:secret:NAME — a field of a colon-separated identifier, not a key.
  if (before === ':' && parts.op === ':') return false;
  const value = c.value.slice(parts.valueAt);
  return judge({ ...c, value, start: c.start + parts.valueAt }, secretKeyKind(parts.key));
}

/** Words that introduce a secret in prose, in the languages users write in. */
const PROSE_WORDS = [
  'password', 'passphrase', 'passcode', 'pass', 'secret', 'token', 'api[ _-]?key', 'key', 'login', 'creds', 'credentials',
  'contraseña', 'contrasena', 'clave', 'passwort', 'kennwort', 'schlüssel', 'senha', 'mot de passe', 'wachtwoord', 'hasło',
  'haslo', 'parola', 'lösenord', 'adgangskode', 'passord', 'salasana',
];
function isAscii(word: string): boolean {
  for (let i = 0; i < word.length; i++) if (word.charCodeAt(i) > 127) return false;
  return true;
}

/** lower, Capitalised and UPPER forms of a word. */
function caseForms(word: string): string[] {
  return [word, word[0]!.toUpperCase() + word.slice(1), word.toUpperCase()];
}

/** Prose words after which the value must look random (a token), not just password-like. */
const PROSE_TOKEN_WORDS = new Set(['secret', 'token', 'key', 'api key', 'apikey', 'api_key', 'api-key', 'clave', 'schlüssel']);
/** A key name containing a secret word; the validator decides from how it ends. */
const KEY = r`([A-Za-z0-9_.$-]*(?:pass|pwd|PASS|PWD|Pass|secret|SECRET|Secret|token|TOKEN|Token|key|KEY|Key|credential|CREDENTIAL|Credential|auth|AUTH|Auth)[A-Za-z0-9_.-]*)`;
/** After the key: closing quotes/brackets (JSON, PHP arrays, escaped JSON), a type annotation (`: &str =`, `: String =`), the operator, an opening quote. */
const SEP = r`(?:\\*["'\]]){0,3}[ \t]*(:[ \t]*&?(?:'static[ \t]+)?[A-Za-z_][A-Za-z0-9_<>\[\]?]*[ \t]*=|:=|\?=|<-|=>|==|=|:|,|\bis\b|\bare\b|\bwas\b|\bto\b)[ \t]*(?:\\*["'\x60])?`;
/**
 * The literal: up to whitespace, a quote, a JSON escape, `,` or `;` — at least 6 characters (shorter is
 * never a secret here), not starting like a template (`${x}`, `$VAR`, `<x>`, `{{x}}`, `[x]`).
 */
const VALUE = r`([^\s"'\x60,;\\$<{\[][^\s"'\x60,;\\]{5,})`;

export const ASSIGNMENT_RULES: RuleSpec[] = [
  {
    // KEY=value, KEY: value, "key": "value", key = 'value', $cfg['key'] = 'value', define('KEY', 'value'), my password is value
    type: 'GENERIC_SECRET',
    // Whole match (no capture group): assignment() splits it without a second regex run.
    pattern: r`\b` + KEY + SEP + VALUE,
    score: 0.8,
    prefilter: (match) => secretKeyKind(leadingKey(match)) !== undefined && plausibleValue(trailingToken(match)),
    validate: assignment,
  },
  {
    // <password>value</password>, <ApiKey>value</ApiKey>
    type: 'GENERIC_SECRET',
    pattern: r`<([A-Za-z0-9_.:-]*(?:pass|pwd|secret|token|key|Pass|Secret|Token|Key|PASS|SECRET|TOKEN|KEY)[A-Za-z0-9_.:-]*)>[ \t]*([^<\s]+)[ \t]*</`,
    group: 2,
    needsGroups: true,
    score: 0.8,
    validate: (c) => judge(c, secretKeyKind(c.groups[1] ?? '')),
  },
  {
    // Prose, in the languages users write in: "the root password on the NAS is X", "my passphrase
    // for the signing key is X", "A senha do banco é X", "Das Passwort lautet X", "access token (1h): X".
    type: 'GENERIC_SECRET',
    // Dispatched by its key word (RuleSpec.trigger): up to five free words after a common word such as
    // "key" keep many partial matches alive, which on key-dense text thrashes the combined DFA.
    // Case-insensitive only for ASCII words: (?i) on ñ, ü, ł, ö alone made the combined DFA thrash.
    trigger: r`(?i:\b(?:` + PROSE_WORDS.filter(isAscii).join('|') + r`)[ \t:])|\b(?:` + PROSE_WORDS.filter((w) => !isAscii(w)).flatMap(caseForms).join('|') + r`)[ \t:]`,
    pattern: r`(?i)\b(` + PROSE_WORDS.join('|') + r`)((?:[ \t]+[^\s.!?:;,"=\x60\${}]+){0,5}?)(?:[ \t]+(?:is|are|was|es|era|é|est|lautet|ist|war|è|er|är|jest)[ \t]+|[ \t]*:[ \t]*)["'\x60(]?` + VALUE,
    group: 3,
    needsGroups: true,
    score: 0.75,
    prefilter: (match) => plausibleValue(trailingToken(match)),
    validate: (c) => {
      const word = (c.groups[1] ?? '').toLowerCase();
      // "arn:…:secret:NAME", "/api/token: …": a path or identifier field, not a sentence.
      const at = c.text.lastIndexOf((c.groups[1] ?? '') + (c.groups[2] ?? ''), c.start);
      const before = c.text[at - 1];
      if (before === ':' || before === '/' || before === '.') return false;
      if (word === 'login' || word === 'creds' || word === 'credentials') {
        // Only "user:password" counts after these words.
        const colon = c.value.indexOf(':');
        if (colon < 1) return false;
        let password = c.value.slice(colon + 1);
        while (password.length > 0 && TRAILING.includes(password[password.length - 1]!)) password = password.slice(0, -1);
        return passwordOk(c.value.slice(0, colon), password) && { score: 0.75, end: c.start + colon + 1 + password.length };
      }
      return judge(c, PROSE_TOKEN_WORDS.has(word) ? 'token' : 'password');
    },
  },
  {
    // "use password X for …", "with the token X", "check this token X", "my new password X"
    type: 'GENERIC_SECRET',
    pattern: r`(?i)\b(?:use|with|using|try|this|the|my|our|new|that|check)[ \t]+(?:the[ \t]+|new[ \t]+)?(password|passphrase|token|key|secret|api[ _-]?key)[ \t]+["'\x60]?([^\s"'\x60,;\\]{8,})`,
    group: 2,
    needsGroups: true,
    score: 0.7,
    validate: (c) => {
      // No separator: demand letters and digits, so "the password manager" or "this token expires" stay quiet.
      let letters = false, digits = false;
      for (let i = 0; i < c.value.length; i++) {
        const ch = c.value.charCodeAt(i);
        if ((ch >= 65 && ch <= 90) || (ch >= 97 && ch <= 122)) letters = true;
        else if (ch >= 48 && ch <= 57) digits = true;
      }
      if (!letters || !digits) return false;
      return judge(c, (c.groups[1] ?? '').toLowerCase().startsWith('pass') ? 'password' : 'token');
    },
  },
  {
    // "log in with admin / S3cret!", "Jenkins creds are admin / S3cret!", "admin@corp.io / S3cret!"
    type: 'GENERIC_SECRET',
    pattern: r`(?i)(?:\b(?:log[ -]?in|sign[ -]?in|creds|credentials|user(?:name)?)\b[^\n]*?[ \t]([A-Za-z0-9._@-]+)[ \t]*|\b([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]+)[ \t]+)/[ \t]*([^\s,;]+)`,
    group: 3,
    needsGroups: true,
    score: 0.7,
    validate: (c) => {
      const user = c.groups[1] ?? c.groups[2] ?? '';
      // Bounds kept out of the pattern (bounded counters over common characters multiply DFA states).
      if (user.length < 2 || user.length > 64 || c.start - (c.lineStart(c.start) - 1) > 120) return false;
      // Not a second address or a URL ("a@x.io / b@y.io").
      const at = c.value.indexOf('@');
      if (!passwordOk(user, c.value) || c.value.includes('://') || (at > 0 && c.value.indexOf('.', at) > at + 1)) return false;
      // Without a key name, demand a digit or symbol ("Google / GitHub" is not a credential).
      let marked = false;
      for (let i = 0; i < c.value.length; i++) {
        const ch = c.value.charCodeAt(i);
        if (!((ch >= 65 && ch <= 90) || (ch >= 97 && ch <= 122))) marked = true;
      }
      return marked && judge(c, 'password');
    },
  },
  {
    // Google app passwords: four groups of four lower-case letters, after "app password".
    type: 'GENERIC_SECRET',
    pattern: r`(?i)\bapp[ -]?password\b[^\n]*?\b([a-z]{4} [a-z]{4} [a-z]{4} [a-z]{4})\b`,
    group: 1,
    score: 0.85,
    // "password" starting within 59 characters before the value (the old lastIndexOf on the whole lower-cased
    // text, once per match, was quadratic); with none anywhere, a value in the first 59 characters still passes.
    validate: (c) => c.value === c.value.toLowerCase() && (c.start < 59 || c.text.slice(c.start - 59, c.start + 8).toLowerCase().includes('password')),
  },
  {
    // netrc: machine HOST login USER password SECRET (also on separate lines)
    type: 'GENERIC_SECRET',
    pattern: r`(?i)\bmachine[ \t]+[^\s]+(?:\s|\\n)+(?:[ \t]*login[ \t]+[^\s]+(?:\s|\\n)+)?[ \t]*password[ \t]+([^\s"'\\]+)`,
    group: 1,
    score: 0.85,
    validate: (c) => judge(c, 'password'),
  },
  {
    // PowerShell: ConvertTo-SecureString "SECRET" -AsPlainText
    type: 'GENERIC_SECRET',
    pattern: r`(?i)ConvertTo-SecureString[ \t]+(?:-String[ \t]+)?["']([^"'\n]+)["'][ \t]+-AsPlainText`,
    group: 1,
    score: 0.85,
    validate: (c) => judge(c, 'password'),
  },
  {
    // Credentials passed positionally: NetworkCredential("user", "pw"), HTTPBasicAuth("u", "pw"),
    // smtp.login("me@x.io", "pw"), auth=("api", "key")
    type: 'GENERIC_SECRET',
    pattern: r`\b[A-Za-z_.]*(?:[Cc]redential|[Aa]uth|[Ll]ogin)[A-Za-z_]*[ \t]*(?:=[ \t]*)?\([ \t]*["']([^"'\n]+)["'][ \t]*,[ \t]*["']([^"'\s]+)["']`,
    group: 2,
    needsGroups: true,
    score: 0.8,
    validate: (c) => passwordOk(c.groups[1] ?? '', c.value) && judge(c, 'password'),
  },
  {
    // "the new password (X)", "token (X)"
    type: 'GENERIC_SECRET',
    pattern: r`(?i)\b(password|passphrase|passcode|secret|token)[ \t]+\(([^\s()]+)\)`,
    group: 2,
    needsGroups: true,
    score: 0.7,
    validate: (c) => judge(c, (c.groups[1] ?? '').toLowerCase().startsWith('pass') ? 'password' : 'token'),
  },
  {
    // --password x, --password=x, --token x, --api-key=x, -storepass x, -srcstorepass x
    type: 'GENERIC_SECRET',
    pattern: r`(?:^|[\s"'])--?([a-z0-9-]*(?:password|passwd|pass|token|secret|api-key|apikey|access-key|secret-key|auth-key|authkey|storepass|keypass))(?:=|[ \t]+)["']?([^\s"'\x60;|&]+)`,
    group: 2,
    needsGroups: true,
    score: 0.8,
    validate: (c) => (c.value.startsWith('-') ? false : judge(c, secretKeyKind(c.groups[1] ?? ''))),
  },
  {
    // mysql -uroot -pSECRET (attached: `-p` alone prompts)
    type: 'GENERIC_SECRET',
    pattern: r`(?i)\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mariadb|mariadb-dump)\b[^\n|;&]*?[ \t]-p([^\s'"-][^\s'"]*|'[^'\n]+'|"[^"\n]+")`,
    group: 1,
    score: 0.8,
    validate: (c) => {
      const quoted = c.value[0] === "'" || c.value[0] === '"';
      const verdict = judge({ ...c, value: quoted ? c.value.slice(1, -1) : c.value, start: quoted ? c.start + 1 : c.start }, 'password');
      return verdict;
    },
  },
  {
    // sshpass -p pw, docker login -u u -p pw, az login -u id -p pw, redis-cli -a pw, sqlcmd -P pw
    type: 'GENERIC_SECRET',
    pattern: r`\b(?:(?:sshpass|mongosh|mongo|(?:docker|podman|nerdctl|az|helm[ \t]+registry)[ \t]+login)\b[^\n|;&]*?[ \t]-p|(?:redis-cli|keydb-cli)\b[^\n|;&]*?[ \t]-a|(?:sqlcmd|bcp|osql|isql)\b[^\n|;&]*?[ \t]-P)[ \t]+["']?([^\s'"]+)`,
    group: 1,
    score: 0.8,
    validate: (c) => judge(c, 'password'),
  },
  {
    // htpasswd -b[c] FILE USER PASSWORD
    type: 'GENERIC_SECRET',
    pattern: r`\bhtpasswd[ \t]+-[a-zA-Z]*b[a-zA-Z]*[ \t]+(?:-[a-zA-Z]+[ \t]+)*[^\s]+[ \t]+[^\s]+[ \t]+([^\s]+)`,
    group: 1,
    score: 0.8,
    validate: (c) => judge(c, 'password'),
  },
  {
    // openssl … -passout pass:SECRET
    type: 'GENERIC_SECRET',
    pattern: r`-pass(?:in|out)?[ \t]+pass:([^\s'"]+)`,
    group: 1,
    score: 0.8,
    validate: (c) => judge(c, 'password'),
  },
  {
    // SQL: CREATE USER … WITH PASSWORD '…', IDENTIFIED BY '…'
    type: 'GENERIC_SECRET',
    pattern: r`(?i)\b(?:identified[ \t]+by|with[ \t]+(?:encrypted[ \t]+)?password|password)[ \t]+'([^'\n]+)'`,
    group: 1,
    score: 0.8,
    validate: (c) => judge(c, 'password'),
  },
  {
    // JDBC DriverManager.getConnection(url, "user", "password")
    type: 'GENERIC_SECRET',
    pattern: r`getConnection\([^,\n]+,[ \t]*"[^"\n]*",[ \t]*"([^"\n]+)"`,
    group: 1,
    score: 0.8,
    validate: (c) => judge(c, 'password'),
  },
  {
    // ~/.pgpass: host:port:database:user:password
    type: 'GENERIC_SECRET',
    pattern: r`(?m)^[^:\s#]+:(?:\d+|\*):[^:\s]+:[^:\s]+:([^\s]+)$`,
    group: 1,
    score: 0.8,
    validate: (c) => judge(c, 'password'),
  },
  {
    // Secrets in URL query strings: ?access_token=…, &api_key=…, &client_secret=…, &appid=…
    type: 'GENERIC_SECRET',
    pattern: r`[?&]((?:access_|auth_|api_|private_|refresh_|id_)?token|api[_-]?key|apikey|key|appid|app_key|client_secret|secret|password|passwd|pwd|sig|signature)=([^&\s"'<>#\\]+)`,
    group: 2,
    needsGroups: true,
    score: 0.8,
    validate: (c) => {
      const key = (c.groups[1] ?? '').toLowerCase();
      if (key === 'sig' || key === 'signature') return false; // signed URLs: the signature alone grants nothing reusable
      return judge(c, key.startsWith('pass') || key === 'pwd' ? 'password' : 'token');
    },
  },
  {
    // Session cookies: Cookie: sessionid=…; Set-Cookie: connect.sid=…
    type: 'SESSION_COOKIE',
    keywords: ['cookie'],
    pattern: r`(?:[:;][ \t]*)([A-Za-z0-9_.-]*(?:sess|SESS|Sess|sid|SID|token|Token|TOKEN|auth|Auth|AUTH|jwt|JWT)[A-Za-z0-9_.-]*)=([^;\s"'\\]+)`,
    group: 2,
    needsGroups: true,
    score: 0.8,
    validate: (c) => {
      const lineStart = c.lineStart(c.start);
      const line = c.text.slice(lineStart, c.start).toLowerCase();
      if (!line.includes('cookie')) return false;
      const name = (c.groups[1] ?? '').toLowerCase();
      if (name.includes('csrf') || name.includes('xsrf')) return false;
      return judge(c, 'token');
    },
  },
];
