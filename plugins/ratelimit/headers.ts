// The x-ratelimit-* headers (OpenAI's names; Anthropic's too for Anthropic clients) for the tightest
// limit of each kind, and the refusal.
import { GatewayError, operationClass, type Exchange } from '../../core/index.js';
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

/** Nano-USD as USD, 6 decimals at most. */
const usd = (nano: number) => (nano / NANO).toFixed(6).replace(/\.?0+$/, '') || '0';
const amountText = (c: Counter, v: number) => (groupOf(c) === 'budget-usd' ? usd(v) : String(v));

function write(headers: Record<string, string>, c: Counter, used: number, resetMs: number, anthropic: boolean): void {
  const g = groupOf(c);
  const limit = amountText(c, c.limit);
  const remaining = amountText(c, Math.max(0, c.limit - used));
  headers[`x-ratelimit-limit-${g}`] = limit;
  headers[`x-ratelimit-remaining-${g}`] = remaining;
  if (resetMs >= 0) headers[`x-ratelimit-reset-${g}`] = formatDuration(resetMs);
  // Anthropic clients read their own names, with the reset as an RFC 3339 time (requests and tokens
  // only: Anthropic has no budget headers).
  if (anthropic && g !== 'budget-usd') {
    headers[`anthropic-ratelimit-${g}-limit`] = limit;
    headers[`anthropic-ratelimit-${g}-remaining`] = remaining;
    if (resetMs >= 0) headers[`anthropic-ratelimit-${g}-reset`] = new Date(Date.now() + resetMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
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
  const anthropic = exchange.clientFamily === 'anthropic';
  for (const i of best.values()) write(exchange.responseHeaders, counters[i]!, result.used[i] ?? 0, result.resetMs[i] ?? -1, anthropic);
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

/**
 * The 429. `retry-after` only when waiting can help: never for a request larger than the limit on
 * its own (no window will ever hold it) nor for a lifetime budget (`resetMs` -1: it never resets).
 * A spent budget whose window ends in more than a minute is not worth an SDK's automatic retries.
 * `used` is the counter's usage as it stands, which tells a spent budget from one this request's
 * estimate would overshoot.
 */
export function refusal(exchange: Exchange, c: Counter, resetMs: number, used: number): GatewayError {
  const budget = groupOf(c) === 'budget-usd';
  const tooBig = c.amount > c.limit;
  const never = resetMs < 0 || tooBig;
  const retryAfter = never ? undefined : String(Math.max(1, Math.ceil(resetMs / 1000)));
  if (never || (budget && resetMs > 60_000)) exchange.responseHeaders['x-should-retry'] = 'false';
  const code = budget ? 'SLUICE_E_BUDGET_EXCEEDED' : 'SLUICE_E_RATE_LIMITED';
  // Only a generation has an output cap to lower (embeddings and count-tokens reserve their input only).
  const generates = operationClass(exchange.endpoint.operation) === 'generate';
  if (tooBig) {
    const what = budget
      ? `its estimated cost (${usd(c.amount)} USD)`
      : `its ${c.amount} tokens (${generates ? 'prompt estimate plus maximum output' : 'input estimate'})`;
    return new GatewayError(code, `request exceeds the limit of ${describe(c)} on its own: ${what}; ${generates ? 'lower max_tokens' : 'send less input'}`, { retryAfter });
  }
  if (!budget) return new GatewayError(code, `rate limit reached: ${describe(c)}`, { retryAfter });
  if (used >= c.limit) return new GatewayError(code, `budget exhausted: ${describe(c)} (${c.label})`, { retryAfter });
  // Room is left, just not enough for this request's estimate (or requests in flight hold it).
  const left = `${usd(c.limit - used)} USD of it left`;
  return new GatewayError(code, `request would exceed the budget of ${describe(c)} (${c.label}): its estimated cost is ${usd(c.amount)} USD, ${left}${generates ? '; a lower max_tokens may fit' : ''}`, { retryAfter });
}
