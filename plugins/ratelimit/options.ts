// Options of `use: ratelimit` (docs: plugins/ratelimit/README.md, docs/ratelimit.md).
import { z } from '../../core/index.js';

export const SCOPES = ['key', 'key_kind', 'user', 'team', 'model', 'session', 'global'] as const;
export type Scope = (typeof SCOPES)[number];

export const LIMIT_KINDS = ['rpm', 'tpm', 'budget_daily_usd', 'budget_monthly_usd', 'budget_usd'] as const;
export type LimitKind = (typeof LIMIT_KINDS)[number];

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const usd = z.number().positive().max(1e9);

const rule = z.strictObject({
  scope: z.enum(SCOPES)
    .describe('Whose usage is counted: the API key, every key of one kind together (key_kind: user, service, marketplace — a sold offer\'s capacity across all its buyers), the user, the team, the served model, the agent session, or everything at once (global).'),
  match: z.string().min(1).max(256).default('*')
    .describe('Glob over the scope\'s subject (key id, key kind, user, team, model, session id): `*` matches any run of characters. Each matching subject has its own counters.'),
  rpm: z.number().int().min(1).optional().describe('Requests per minute (sliding 60-second window).'),
  tpm: z.number().int().min(1).optional().describe('Tokens per minute, input (cached or not) plus output (sliding 60-second window).'),
  budget_daily_usd: usd.optional().describe('Spend per calendar day in `timezone` (USD).'),
  budget_monthly_usd: usd.optional().describe('Spend per calendar month in `timezone` (USD).'),
  budget_usd: usd.optional().describe('Spend over the subject\'s whole life (USD) — a session\'s budget, say; forgotten after `lifetime_ttl_days` without use.'),
}).refine((r) => LIMIT_KINDS.some((k) => r[k] !== undefined), { message: 'a rule needs at least one limit: rpm, tpm, budget_daily_usd, budget_monthly_usd or budget_usd' });

export type Rule = z.output<typeof rule>;

export const ratelimitOptions = z.strictObject({
  store: z.enum(['memory', 'redis']).default('memory')
    .describe('memory: counters in this process (one instance); redis: shared by every instance through storage.redis (one atomic script per admission).'),
  on_store_error: z.enum(['open', 'closed']).default('open')
    .describe('When Redis cannot answer: open admits the request unchecked, closed refuses it with a retryable 503. Either way a metric and a log line.'),
  timezone: z.string().min(1).default('UTC').refine(validZone).meta({ expected: 'an IANA time zone such as UTC or Europe/Berlin' })
    .describe('Time zone of the calendar windows (budget_daily_usd, budget_monthly_usd).'),
  rules: z.array(rule).default([]),
  key_limits: z.boolean().default(true)
    .describe('Enforce the limits stored on the API key itself (rpm, tpm, budget_daily_usd, budget_monthly_usd) as scope `key`.'),
  exempt: z.array(z.enum(['count_tokens', 'embeddings'])).default([])
    .describe('Endpoints not limited at all. Everything else — passthrough, translation, embeddings, count-tokens — is.'),
  default_max_output_tokens: z.number().int().min(0).max(10_000_000).default(4096)
    .describe('Output tokens reserved for a request that names no maximum (max_tokens, max_output_tokens, max_completion_tokens, maxOutputTokens).'),
  reservation_ttl_ms: z.number().int().min(1000).max(86_400_000).default(900_000)
    .describe('A reservation whose request never settles (its instance died) is given back after this long.'),
  lifetime_ttl_days: z.number().min(1).max(3650).default(30)
    .describe('budget_usd counters of a subject unused this long are forgotten.'),
  store_timeout_ms: z.number().int().min(10).max(10_000).default(500)
    .describe('A Redis call slower than this counts as a store error (on_store_error decides).'),
  key_prefix: z.string().min(1).max(64).default('sluice:rl:')
    .describe('Prefix of every Redis key. Wrap it in braces ("{sluice:rl}:") to keep all keys in one Redis Cluster slot.'),
});

export type RatelimitOptions = z.output<typeof ratelimitOptions>;
