// The x-ratelimit-* headers (OpenAI's names) for the tightest limit of each kind, and the refusal.
import { GatewayError, type Exchange } from '../../core/index.js';
import { NANO, type Counter } from './counters.js';
import type { ReserveResult } from './store.js';

type Group = 'requests' | 'tokens' | 'budget-usd';
const groupOf = (c: Counter): Group => (c.kind === 'rpm' ? 'requests' : c.kind === 'tpm' ? 'tokens' : 'budget-usd');

/** OpenAI's reset format: `20ms`, `1s`, `59.5s`, `6m0s`, `23h59m59s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const total = Math.round(ms) / 1000;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = Math.round((total % 60) * 1000) / 1000;
  return h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
}

const amountText = (c: Counter, v: number) => (groupOf(c) === 'budget-usd' ? (v / NANO).toFixed(6).replace(/\.?0+$/, '') || '0' : String(v));

function write(headers: Record<string, string>, c: Counter, used: number, resetMs: number): void {
  const g = groupOf(c);
  headers[`x-ratelimit-limit-${g}`] = amountText(c, c.limit);
  headers[`x-ratelimit-remaining-${g}`] = amountText(c, Math.max(0, c.limit - used));
  if (resetMs >= 0) headers[`x-ratelimit-reset-${g}`] = formatDuration(resetMs);
}

/** Every response: the tightest counter of each kind (least remaining, relative to its limit). */
export function setLimitHeaders(exchange: Exchange, counters: Counter[], result: ReserveResult): void {
  const best = new Map<Group, number>();
  for (let i = 0; i < counters.length; i++) {
    const c = counters[i]!;
    const g = groupOf(c);
    const at = best.get(g);
    const left = (c.limit - (result.used[i] ?? 0)) / c.limit;
    if (at === undefined || left < (counters[at]!.limit - (result.used[at] ?? 0)) / counters[at]!.limit) best.set(g, i);
  }
  if (result.refused >= 0) best.set(groupOf(counters[result.refused]!), result.refused);
  for (const i of best.values()) write(exchange.responseHeaders, counters[i]!, result.used[i] ?? 0, result.resetMs[i] ?? -1);
}

const UNIT: Record<Counter['kind'], string> = {
  rpm: 'requests per minute', tpm: 'tokens per minute',
  budget_daily_usd: 'USD per day', budget_monthly_usd: 'USD per month', budget_usd: 'USD',
};

export function describe(c: Counter): string {
  const limit = groupOf(c) === 'budget-usd' ? (c.limit / NANO).toString() : String(c.limit);
  const who = c.scope === 'global' ? 'all requests' : `${c.scope} ${c.subject.length > 64 ? `${c.subject.slice(0, 64)}…` : c.subject}`;
  return `${limit} ${UNIT[c.kind]} for ${who}`;
}

/** The 429: rate limits may be retried after `retry-after`; a spent budget, or a request bigger than the limit, may not. */
export function refusal(exchange: Exchange, c: Counter, resetMs: number): GatewayError {
  const budget = groupOf(c) === 'budget-usd';
  const never = resetMs < 0 || c.amount > c.limit;
  const retryAfter = never ? undefined : String(Math.max(1, Math.ceil(resetMs / 1000)));
  if (never || (budget && resetMs > 60_000)) exchange.responseHeaders['x-should-retry'] = 'false';
  if (never && c.amount > c.limit) {
    const what = budget ? `its estimated cost (${(c.amount / NANO).toFixed(6)} USD)` : `its ${c.amount} tokens (prompt estimate plus maximum output)`;
    return new GatewayError(budget ? 'SLUICE_E_BUDGET_EXCEEDED' : 'SLUICE_E_RATE_LIMITED', `request exceeds the limit of ${describe(c)} on its own: ${what}; lower max_tokens`, { retryAfter });
  }
  const message = budget ? `budget exhausted: ${describe(c)} (${c.label})` : `rate limit reached: ${describe(c)}`;
  return new GatewayError(budget ? 'SLUICE_E_BUDGET_EXCEEDED' : 'SLUICE_E_RATE_LIMITED', message, { retryAfter });
}
