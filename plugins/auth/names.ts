// The shapes of names and values operators give the admin API and the CLI, validated once here.
import { z } from '../../core/index.js';

export const teamName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)
  .meta({ expected: 'a team name: letters, digits, . _ -, up to 64 characters' });

/** User names may be e-mail addresses (what an authenticating proxy sends). */
export const userName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@+-]{0,253}$/)
  .meta({ expected: 'a user name: letters, digits, . _ @ + -, up to 254 characters' });

/**
 * E-mail addresses name one person however they are capitalised (an SSO proxy may send
 * `Alice@Example.com` where the operator typed `alice@example.com`; mail systems ignore the case of
 * the domain by rule and of the local part in practice), so a user name with `@` is kept and looked
 * up in lower case: one user, one budget, one ledger. Other names keep their case.
 */
export function normaliseUserName(name: string): string {
  return name.includes('@') ? name.toLowerCase() : name;
}

export const email = z.email().max(254).meta({ expected: 'an e-mail address' });

/** A model glob: `*` matches any run of characters; no spaces or commas (the CLI splits on them). */
export const modelGlob = z.string().regex(/^[^\s,]{1,200}$/)
  .meta({ expected: 'a model name or glob such as gpt-4o* (no spaces or commas)' });

export const keyKind = z.enum(['user', 'service', 'marketplace']);
export type KeyKind = z.output<typeof keyKind>;

export const keyLabel = z.string().min(1).max(200).meta({ expected: 'a label of 1 to 200 characters' });

export const positiveInt = z.number().int().min(1).max(1_000_000_000);
// The bound is named with the floor: "above 0, got 10000000000" read as if the number were wrong-signed.
export const usd = z.number().positive().max(1_000_000_000).meta({ expected: 'an amount in USD above 0 and at most 1000000000' });

const DURATION = /^(\d{1,6})([mhdw])$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/**
 * `30d`, `12h`, `90m`, `2w` from `now`, or a date (`2026-12-31`: the key stops working when that day
 * begins, UTC) or an ISO date-time with an offset. Undefined when the text is neither.
 */
export function parseExpiry(text: string, now: number): number | undefined {
  const d = DURATION.exec(text);
  if (d) return Number(d[1]) > 0 ? now + Number(d[1]) * UNIT_MS[d[2] as keyof typeof UNIT_MS] : undefined;
  if (DATE_ONLY.test(text)) {
    const t = Date.parse(`${text}T00:00:00Z`);
    return Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== text ? undefined : t;
  }
  if (DATE_TIME.test(text)) {
    const t = Date.parse(text);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

/** An expiry as given by an operator: a duration or date in the future. */
export const expiry = z.string().superRefine((text, ctx) => {
  const at = parseExpiry(text, Date.now());
  if (at === undefined) ctx.addIssue({ code: 'custom', input: text, message: `expected a duration such as 30d, 12h or 2w, or a date such as 2026-12-31, got "${text}"` });
  else if (at <= Date.now()) ctx.addIssue({ code: 'custom', input: text, message: `expected a time in the future, got "${text}"` });
});
