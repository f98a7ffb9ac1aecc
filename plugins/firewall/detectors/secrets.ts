// The secrets detector: provider tokens (data tables, with and without a prefix) plus structural
// secrets — PEM private keys, JWTs, connection URLs with a password — HTTP credentials
// (http-auth.ts) and generic `password=` / `secret:` assignments (assignments.ts).
import type { Candidate, RuleSpec } from '../types.js';
import { AI_AND_CLOUD_PROVIDERS } from './providers-ai-cloud.js';
import { DEV_AND_SAAS_PROVIDERS } from './providers-dev-saas.js';
import { CONTEXT_PROVIDERS } from './providers-context.js';
import { HTTP_AUTH_RULES, passwordOk, urlUserinfo } from './http-auth.js';
import { ASSIGNMENT_RULES } from './assignments.js';
import { looksFake } from '../validators/entropy.js';
import { isPlaceholderValue } from '../validators/secret-value.js';
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

function jwtClaims(segment: string): Record<string, unknown> | undefined {
  if (!jwtSegmentIsJson(segment)) return undefined;
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
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
    // A PEM private key base64-encoded again: kubeconfig client-key-data, Kubernetes Secret data.
    type: 'PRIVATE_KEY',
    literals: ['LS0tLS1CRUdJTi'],
    keywords: ['ls0tls1crudjti'],
    pattern: r`\bLS0tLS1CRUdJTi[A-Za-z0-9+/]+={0,2}`,
    score: 1.0,
    validate: (c) => {
      const pem = Buffer.from(c.value, 'base64').toString('latin1');
      if (!/PRIVATE KEY( BLOCK)?-----/.test(pem.slice(0, 60))) return false;
      return pemHasKeyMaterial({ ...c, value: pem });
    },
  },
  {
    type: 'JWT',
    literals: ['eyJ'],
    pattern: r`\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,}`,
    score: 0.9,
    validate: (c) => {
      const [header, payload] = c.value.split('.');
      if (!jwtSegmentIsJson(header!, 'alg') || isAlnumAt(c.text, c.end)) return false;
      const claims = jwtClaims(payload!);
      // Supabase's anon key is a JWT meant to ship in browsers (role "anon"), like a publishable key;
      // jwt.io's sample token (John Doe, 1234567890) is documentation.
      if (claims === undefined || claims.role === 'anon') return false;
      return !(claims.sub === '1234567890' && claims.name === 'John Doe');
    },
  },
  {
    type: 'DATABASE_URL_WITH_PASSWORD',
    literals: ['://'],
    // The path stops at a backslash: inside JSON-escaped text "\n" ends the URL.
    pattern: r`(?i)\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|clickhouse|cockroachdb|couchdb|neo4j(?:\+s)?|oracle|db2|snowflake|jdbc:[a-z0-9]+|kafka|nats|mqtt|memcached|cassandra|influxdb|elasticsearch|ftp|sftp|smtps?|ldaps?)://[^\s:/@'"<>\\]*:[^\s@'"<>/\\]+@[A-Za-z0-9._~-]+(?::\d{1,5})?(?:/[^\s'"<>)\\]*)?`,
    score: 0.95,
    validate: (c) => {
      const creds = urlUserinfo(c.value);
      if (!creds) return false;
      const { user, password } = creds;
      if (user.length > 64 || password.length > 128) return false;
      // redis://:password@host has no user name; otherwise the usual user/password checks.
      return user === '' ? !isPlaceholderValue(password) && password.length >= 6 : passwordOk(user, password);
    },
  },
];

/** Every built-in secrets rule, provider tables first. */
export const SECRET_RULES: readonly RuleSpec[] = [
  ...AI_AND_CLOUD_PROVIDERS,
  ...DEV_AND_SAAS_PROVIDERS,
  ...CONTEXT_PROVIDERS,
  ...STRUCTURAL,
  ...HTTP_AUTH_RULES,
  ...ASSIGNMENT_RULES,
];

/** Distinct secret entity types (for docs and options validation). */
export const SECRET_TYPES: readonly string[] = [...new Set(SECRET_RULES.flatMap((rule) => rule.types ?? [rule.type]))];
