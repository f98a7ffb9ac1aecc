// Options of `hooks:` — where lifecycle events go (webhook and/or a local command).
import { z } from '../../core/index.js';

/**
 * Lifecycle events auth emits, and the gateway events other plugins emit that auth delivers too
 * (the ratelimit plugin's budget thresholds: 80 % and 100 % of a budget).
 */
export const LIFECYCLE_EVENTS = ['user.created', 'user.disabled', 'key.created', 'key.revoked', 'budget.warning', 'budget.exhausted'] as const;

export const hookOptions = z.strictObject({
  webhook: z.strictObject({
    url: z.url({ protocol: /^https?$/ }).meta({ expected: 'an http(s) URL' }),
    secret: z.string().min(16).describe('HMAC-SHA256 key; receivers check `x-sluice-webhook-signature: t=<unix time>,v1=<hex>` over "<t>.<raw body>" and refuse an old t (plugins/auth/README.md); `x-sluice-signature: sha256=<hex>` over the body alone is still sent.'),
    timeout_ms: z.number().int().min(100).max(60_000).default(5_000),
    retries: z.number().int().min(0).max(20).default(5).describe('Further attempts after a failure (network error, 408, 429, 5xx), with exponential backoff.'),
    backoff_ms: z.number().int().min(1).max(60_000).default(500).describe('Delay before the first retry; doubled each time, capped at 60 s; never shorter than the receiver\'s retry-after.'),
  }).optional(),
  command: z.strictObject({
    run: z.array(z.string().min(1)).min(1).describe('Program and arguments (no shell); the event JSON arrives on its stdin.'),
    timeout_ms: z.number().int().min(100).max(600_000).default(10_000),
  }).optional(),
  events: z.array(z.enum(LIFECYCLE_EVENTS)).min(1).optional().describe('Which events to send (default: all).'),
});

export type HookOptions = z.output<typeof hookOptions>;
