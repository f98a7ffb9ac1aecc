// Contact PII: email addresses and phone numbers (international E.164-style and common national formats).
import type { Candidate, RuleSpec, Verdict } from '../types.js';
import { digitsOnly } from '../validators/luhn.js';
import { isRepeatedChar } from '../validators/national-ids.js';
import { followsVersionMarker } from './pii-network.js';
import { extendsNumber, isAlnumAt } from '../context.js';
import { wordFormNear } from '../validators/words.js';

const r = String.raw;

/** "Domains" that are really file names or asset suffixes in code (icon@2x.png, pkg@1.2.js). */
const NON_TLDS = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'ico', 'js', 'mjs', 'cjs', 'ts', 'tsx', 'jsx', 'css', 'scss', 'map', 'json', 'yaml', 'yml', 'md', 'txt', 'html', 'lock', 'py', 'rb', 'go', 'rs', 'java', 'vue']);
const PLACEHOLDER_LOCALS = new Set(['you', 'your', 'yourname', 'your.name', 'your_email', 'youremail', 'username', 'user', 'name', 'email', 'someone', 'somebody', 'foo', 'bar', 'xxx', 'test', 'example']);
const PLACEHOLDER_DOMAINS = new Set(['example.com', 'example.org', 'example.net', 'domain.com', 'email.com', 'yourdomain.com', 'company.com', 'your-domain.com']);

/**
 * A non-ASCII character a local part may hold: a letter of a script written with spaces between
 * words (Latin, Greek, Cyrillic) or a combining mark. In Chinese or Japanese prose an address
 * follows the sentence unspaced, and the whole sentence would be taken for its local part.
 * (Single-character tests: nothing backtracks.)
 */
const LOCAL_LETTER = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{M}]/u;
/** A non-ASCII character no domain label holds (punctuation, symbols, spaces). */
const NOT_IN_DOMAIN = /[^\p{L}\p{M}\p{N}\x00-\x7F]/u;

/** Where the local part really starts: after the last character before `at` that is not one of its own. */
function localStart(value: string, at: number): number {
  let start = at;
  while (start > 0) {
    const code = value.charCodeAt(start - 1);
    if (code < 0x80 || LOCAL_LETTER.test(value[start - 1]!)) start--;
    else break;
  }
  // The regex's own rule for a start: a letter or digit, not a dot, sign or apostrophe.
  while (start < at && ".%+-_'".includes(value[start]!)) start++;
  return start;
}

function validEmail(c: Candidate): Verdict {
  const plain = c.value.indexOf('@');
  // URL-encoded (`john.doe%40fastmail.com` in a query string): the separator is three characters.
  const at = plain >= 0 ? plain : c.value.indexOf('%40');
  const from = localStart(c.value, at);
  if (from >= at) return false;
  const local = c.value.slice(from, at).toLowerCase();
  const domain = c.value.slice(at + (plain >= 0 ? 1 : 3)).toLowerCase();
  if (NOT_IN_DOMAIN.test(domain)) return false;
  const tld = domain.slice(domain.lastIndexOf('.') + 1);
  if (local.length > 64 || domain.length > 253) return false;
  if (NON_TLDS.has(tld)) return false;
  // user:pass@host inside a URL is a credential (the secrets detector's job), not an address.
  if (insideUrlAuthority(c.text, c.start + from)) return false;
  if (local === 'git' || domain.includes('..') || local.endsWith('.')) return false;
  if (remoteShellTarget(c.text, c.start + from)) return false;
  if (PLACEHOLDER_LOCALS.has(local) && PLACEHOLDER_DOMAINS.has(domain)) return false;
  return from === 0 ? true : { start: c.start + from };
}

const REMOTE_SHELL_COMMANDS = new Set(['ssh', 'scp', 'sftp', 'rsync', 'ssh-copy-id', 'mosh', 'autossh']);
/** Every name above contains one of these: a line holding none of them is decided without splitting it into words. */
const REMOTE_SHELL_HINTS = ['ssh', 'scp', 'sftp', 'rsync', 'mosh'];
const PATH_CHARS = ['/', '.', '~', '=', ':'];

/**
 * True when the address is the `user@host` argument of an ssh-family command on its line
 * (`ssh -i ~/.ssh/key ubuntu@ec2-…`, `scp a.tgz deploy@web01:/srv`): every word between the
 * command and it is an option, an option's value or a path — not prose ("ssh in, then mail ann@…").
 * Looks back at most 200 characters: in text of one long line, each address costs the same.
 */
function remoteShellTarget(text: string, start: number): boolean {
  const before = text.slice(Math.max(0, start - 200), start);
  const line = before.slice(before.lastIndexOf('\n') + 1);
  if (!REMOTE_SHELL_HINTS.some((hint) => line.includes(hint))) return false;
  const words: string[] = [];
  for (const piece of line.split(' ')) for (const w of piece.split('`')) if (w.trim() !== '') words.push(w.trim());
  for (let i = words.length - 1; i >= 0; i--) {
    let word = words[i]!;
    while (word !== '' && '$#>('.includes(word[0]!)) word = word.slice(1);
    if (REMOTE_SHELL_COMMANDS.has(word)) return true;
    const option = word.startsWith('-');
    const path = PATH_CHARS.some((ch) => word.includes(ch));
    const optionValue = i > 0 && words[i - 1]!.startsWith('-');
    if (!option && !path && !optionValue) return false;
  }
  return false;
}

/** True when `start` is inside the authority of a URL (`https://user:pass@host`): "://" earlier in the same token. */
function insideUrlAuthority(text: string, start: number): boolean {
  for (let i = start - 1; i >= 0 && start - i < 200; i--) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\n' || ch === '\t' || ch === '"' || ch === "'" || ch === '<' || ch === '(' || ch === '`') return false;
    if (ch === '/' && text[i - 1] === '/' && text[i - 2] === ':') return true;
  }
  return false;
}

/**
 * True when an IBAN starts shortly before `start` on the same run of capitals, digits and spaces
 * ("DE89 3704 0044 0532 0130 01"): the digits are the rest of that (possibly invalid) IBAN.
 */
function insideIbanShape(text: string, start: number): boolean {
  let i = start - 1;
  const min = Math.max(0, start - 40);
  while (i >= min) {
    const c = text.charCodeAt(i);
    if (!(c === 32 || (c >= 48 && c <= 57) || (c >= 65 && c <= 90))) break;
    i--;
  }
  for (let p = i + 1; p + 4 <= start; p++) {
    const a = text.charCodeAt(p), b = text.charCodeAt(p + 1);
    if (a >= 65 && a <= 90 && b >= 65 && b <= 90 && isDigitCode(text.charCodeAt(p + 2)) && isDigitCode(text.charCodeAt(p + 3)) && !isAlnumAt(text, p - 1)) return true;
  }
  return false;
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Another group of digits right before or after, separated by one space: a longer number (a card, an account), not a phone. */
function digitGroupAdjacent(text: string, start: number, end: number): boolean {
  if (text[end] === ' ' && isDigitCode(text.charCodeAt(end + 1)) && isDigitCode(text.charCodeAt(end + 2))) return true;
  return text[start - 1] === ' ' && isDigitCode(text.charCodeAt(start - 2)) && isDigitCode(text.charCodeAt(start - 3));
}

/** Two-digit country calling codes, and two-digit prefixes under which three-digit codes live (ITU E.164). */
const CC2 = new Set([20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55, 56, 57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98]);
const CC3_PREFIX = new Set([21, 22, 23, 24, 25, 26, 29, 35, 37, 38, 42, 50, 59, 67, 68, 69, 80, 85, 87, 88, 96, 97, 99]);

function countryCodeValid(digits: string): boolean {
  if (digits[0] === '1' || digits[0] === '7') return true;
  const two = Number(digits.slice(0, 2));
  return CC2.has(two) || CC3_PREFIX.has(two);
}

/** A North American number: area code and exchange start with 2-9. */
function nanpValid(ten: string): boolean {
  return ten.length === 10 && ten[0]! >= '2' && ten[3]! >= '2' && !isRepeatedChar(ten);
}

function phoneContextOk(c: Candidate): boolean {
  if (extendsNumber(c.text, c.start, c.end)) return false;
  // "SR-0412 345 678", "INV_0151 2345": the digits continue an identifier.
  const prev = c.text[c.start - 1];
  if ((prev === '-' || prev === '_' || prev === '/') && isAlnumAt(c.text, c.start - 2)) return false;
  if (insideIbanShape(c.text, c.start) || digitGroupAdjacent(c.text, c.start, c.end)) return false;
  // "version 1.2.3", "v2.3.4-5" — a dotted version next to its marker is not a phone.
  return !followsVersionMarker(c.text, c.start) && c.text[c.start - 1] !== '#';
}

function validInternational(c: Candidate): Verdict {
  if (isAlnumAt(c.text, c.start - 1) || !phoneContextOk(c)) return false;
  if (c.value[0] === '(' && isAlnumAt(c.text, c.start - 1)) return false;
  const digits = digitsOnly(c.value);
  if (digits.length < 8 || digits.length > 15 || !countryCodeValid(digits)) return false;
  if (digits[0] === '1' && !nanpValid(digits.slice(1))) return false;
  return 0.9;
}

function validNanp(c: Candidate): Verdict {
  if (!phoneContextOk(c)) return false;
  let digits = digitsOnly(c.value);
  if (digits.length === 11 && digits[0] === '1') digits = digits.slice(1);
  if (!nanpValid(digits)) return false;
  return c.value.includes('(') || c.value.includes('-') ? 0.8 : 0.6;
}

function validNational(minDigits: number, maxDigits: number, score: number) {
  return (c: Candidate): Verdict => {
    if (!phoneContextOk(c)) return false;
    const digits = digitsOnly(c.value);
    if (digits.length < minDigits || digits.length > maxDigits || isRepeatedChar(digits.slice(1))) return false;
    const near = wordFormNear(c.text, c.start, c.end, PHONE_KEYWORDS);
    return near ? Math.min(1, score + 0.2) : score;
  };
}

/** A letter or digit of an address, or any non-ASCII character (validEmail keeps the letters). */
const EMAIL_CHAR = r`[A-Za-z0-9\x{80}-\x{10FFFF}]`;
/** One label of an address's domain, hyphens inside. */
const EMAIL_LABEL = r`${EMAIL_CHAR}(?:[A-Za-z0-9\x{80}-\x{10FFFF}-]*${EMAIL_CHAR})?`;

const PHONE_KEYWORDS = [
  'phone', 'telephone', 'tel', 'mobile', 'cell', 'call', 'sms', 'whatsapp', 'fax', 'contact', 'mob', 'handy', 'téléphone', 'telefon',
  'teléfono', 'telefono', 'telefone', 'móvil', 'movil', 'celular', 'tlf', 'portable', 'numéro', 'número', 'numero', 'ring',
];

export const CONTACT_PII_RULES: RuleSpec[] = [
  {
    type: 'EMAIL_ADDRESS',
    literals: ['@', '%40'],
    // An apostrophe counts only between letters or digits (O'Connor, d'angelo): a quote before or
    // after an address ('bob@x.io') stays outside it. Any non-ASCII character may take a letter's
    // place (josé@correo.es, müller@bücher.de: SMTPUTF8 and IDN); validEmail then keeps only the
    // letters of the local part (“, ”, or an unspaced Chinese sentence before it, are cut off) and
    // of the domain. One broad class, not \p{L}: the PII set's DFA stays as small (and as fast) as
    // with ASCII alone. RE2's \b is ASCII, so there is none in front: the match starts at the
    // first character of the word anyway, and locate() skips one glued to an ASCII word
    // character. The TLD stays ASCII, where \b holds.
    pattern: r`${EMAIL_CHAR}(?:${EMAIL_CHAR}|[._%+-]|'${EMAIL_CHAR})*(?:@|%40)${EMAIL_LABEL}(?:\.${EMAIL_LABEL})*\.[A-Za-z]{2,24}\b`,
    score: 1.0,
    validate: validEmail,
  },
  {
    type: 'PHONE_NUMBER',
    literals: ['+'],
    // "(+44) 7700 900123" keeps its parentheses in the finding.
    pattern: r`(?:\(\+[1-9]\d{0,2}\)|\+[1-9]\d{0,2})[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{1,4}){1,5}\b`,
    score: 0.9,
    validate: validInternational,
  },
  {
    // 00 international prefix: 0044 20 7946 0958, 0049 30 1234567
    type: 'PHONE_NUMBER',
    pattern: r`\b00[1-9]\d{0,2}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{1,4}){1,5}\b`,
    score: 0.8,
    validate: (c) => {
      if (!phoneContextOk(c)) return false;
      const digits = digitsOnly(c.value).slice(2);
      if (digits.length < 8 || digits.length > 15 || !countryCodeValid(digits)) return false;
      if (digits[0] === '1' && !nanpValid(digits.slice(1))) return false;
      return c.value.includes(' ') || c.value.includes('-') || wordFormNear(c.text, c.start, c.end, PHONE_KEYWORDS) ? 0.8 : false;
    },
  },
  {
    // Brazil: (11) 98765-4321, (21) 3456-7890
    type: 'PHONE_NUMBER',
    pattern: r`\(\d{2}\)[ ]?9?\d{4}-\d{4}\b`,
    score: 0.8,
    validate: (c) => phoneContextOk(c) && c.value[1] !== '0' && 0.8,
  },
  {
    // Nine digits in threes (Spain 612 345 678, and others) only beside a phone word.
    type: 'PHONE_NUMBER',
    keywords: PHONE_KEYWORDS,
    pattern: r`\b[6-9]\d{2}[ .]\d{3}[ .]\d{3}\b`,
    score: 0.65,
    validate: (c) => phoneContextOk(c) && wordFormNear(c.text, c.start, c.end, PHONE_KEYWORDS, 32) && 0.7,
  },
  {
    type: 'PHONE_NUMBER',
    pattern: r`(?:\b1[ .-])?(?:\(\d{3}\)[ ]?|\b\d{3}[.-])\d{3}[.-]\d{4}\b|\b\d{3} \d{3} \d{4}\b`,
    score: 0.8,
    validate: validNanp,
  },
  {
    type: 'PHONE_NUMBER',
    keywords: PHONE_KEYWORDS,
    pattern: r`\b1?[2-9]\d{2}[2-9]\d{6}\b`,
    score: 0.6,
    validate: (c) => wordFormNear(c.text, c.start, c.end, PHONE_KEYWORDS, 32) && validNanp(c) !== false && 0.65,
  },
  // United Kingdom: 07xxx xxxxxx mobiles, 01/02/03 geographic and non-geographic numbers.
  { type: 'PHONE_NUMBER', pattern: r`\b0(?:7\d{3} ?\d{3} ?\d{3}|[1-3]\d{1,3} \d{3,4} ?\d{3,4})\b`, score: 0.7, validate: validNational(11, 11, 0.7) },
  // France: 0X XX XX XX XX with a separator.
  { type: 'PHONE_NUMBER', pattern: r`\b0[1-9](?:[ .-]\d{2}){4}\b`, score: 0.7, validate: validNational(10, 10, 0.7) },
  // Germany: 0AAA[A] / NNNNNNN with a separator between area code and number.
  { type: 'PHONE_NUMBER', pattern: r`\b0[1-9]\d{1,4}[ /-]\d{3,8}(?:[ -]\d{1,5})?\b`, score: 0.6, validate: validNational(9, 12, 0.6) },
  // India: 10-digit mobiles, 5+5 with a separator.
  { type: 'PHONE_NUMBER', pattern: r`\b[6-9]\d{4}[ -]\d{5}\b`, score: 0.6, validate: validNational(10, 10, 0.6) },
];
