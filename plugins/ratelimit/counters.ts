// Which counters a request touches: every rule whose scope has a subject on this request and whose
// glob matches it, plus the API key's own limits. A counter is a subject's usage of one kind in one
// window — two rules limiting the same thing share it, and the tighter limit wins.
import { createHash } from 'node:crypto';
import { compileGlob, type Exchange, type GlobMatcher } from '../../core/index.js';
import { CalendarClock } from './calendar.js';
import type { LimitKind, RatelimitOptions, Scope } from './options.js';

/** Budgets are counted in nano-dollars: integers, exact in a double up to $9 million. */
export const NANO = 1e9;
/** The sliding window: 60 one-second buckets. */
export const SLIDING_MS = 60_000;
/** Keys of a sliding window outlive their last bucket by this much. */
const SLIDING_TTL_MS = SLIDING_MS + 1_000;

export interface Counter {
  scope: Scope;
  subject: string;
  kind: LimitKind;
  /** Requests, tokens or nano-USD. */
  limit: number;
  /** The store key (calendar budgets include the window's id). */
  key: string;
  window: 'sliding' | 'budget';
  /** How long the store keeps the counter after a write. */
  ttlMs: number;
  /** When a calendar budget's window ends (epoch ms); 0 for sliding windows and lifetime budgets. */
  resetAt: number;
  /** `minute`, `day:2026-12-05`, `month:2026-12` or `lifetime`. */
  label: string;
  /** What this request reserves on it: 1 request, estimated tokens, estimated nano-USD. */
  amount: number;
}

interface CompiledRule {
  scope: Scope;
  matches: GlobMatcher;
  limits: [LimitKind, number][];
}

const toLimit = (kind: LimitKind, value: number) => (kind === 'rpm' || kind === 'tpm' ? value : Math.round(value * NANO));

export function compileRules(options: RatelimitOptions): CompiledRule[] {
  return options.rules.map((r) => ({
    scope: r.scope,
    matches: compileGlob(r.match),
    limits: (['rpm', 'tpm', 'budget_daily_usd', 'budget_monthly_usd', 'budget_usd'] as const)
      .filter((k) => r[k] !== undefined).map((k) => [k, toLimit(k, r[k]!)] as [LimitKind, number]),
  }));
}

/** Subjects longer than this (session ids come from clients) are keyed by their hash. */
const MAX_SUBJECT = 128;
const SAFE_SUBJECT = /^[\w.@:/+=-]*$/;

function subjectKey(subject: string): string {
  return subject.length <= MAX_SUBJECT && SAFE_SUBJECT.test(subject) ? subject : `#${createHash('sha256').update(subject).digest('hex').slice(0, 32)}`;
}

export function subjectOf(scope: Scope, exchange: Exchange): string | undefined {
  switch (scope) {
    case 'key': return exchange.principal?.keyId;
    case 'key_kind': return exchange.principal?.keyKind;
    case 'user': return exchange.principal?.user;
    case 'team': return exchange.principal?.team;
    case 'model': return exchange.target?.model;
    case 'session': return exchange.sessionId;
    case 'global': return '*';
  }
}

/**
 * Where a subject's counters live. A session id is chosen by the client (a header, or Claude Code's
 * metadata), so a session's counters are keyed within its principal's user: another user sending
 * the same id gets a session of their own instead of spending, or exhausting, someone else's. The
 * id alone is what rules match and refusals name. (User names and session ids carry no `/`.)
 */
function storeSubject(scope: Scope, subject: string, exchange: Exchange): string {
  const user = exchange.principal?.user;
  return scope === 'session' && user !== undefined ? `${user}/${subject}` : subject;
}

export class CounterPlanner {
  private readonly rules: CompiledRule[];
  private readonly day: CalendarClock;
  private readonly month: CalendarClock;
  private readonly prefix: string;
  private readonly keyLimits: boolean;
  private readonly lifetimeMs: number;
  private readonly graceMs: number;

  constructor(options: RatelimitOptions) {
    this.rules = compileRules(options);
    this.day = new CalendarClock('day', options.timezone);
    this.month = new CalendarClock('month', options.timezone);
    this.prefix = options.key_prefix;
    this.keyLimits = options.key_limits;
    this.lifetimeMs = options.lifetime_ttl_days * 86_400_000;
    // A calendar counter lives past its window long enough for its last reservations to settle.
    this.graceMs = options.reservation_ttl_ms + 60_000;
  }

  /** The counters this request touches (amounts still 0), or an empty list. */
  plan(exchange: Exchange, now: number): Counter[] {
    const out: Counter[] = [];
    for (const rule of this.rules) {
      const subject = subjectOf(rule.scope, exchange);
      if (subject === undefined || !rule.matches(subject)) continue;
      const stored = storeSubject(rule.scope, subject, exchange);
      for (const [kind, limit] of rule.limits) this.add(out, rule.scope, subject, kind, limit, now, stored);
    }
    const p = exchange.principal;
    if (this.keyLimits && p?.keyId !== undefined) {
      if (p.limits?.rpm !== undefined) this.add(out, 'key', p.keyId, 'rpm', p.limits.rpm, now);
      if (p.limits?.tpm !== undefined) this.add(out, 'key', p.keyId, 'tpm', p.limits.tpm, now);
      if (p.budget?.dailyUsd !== undefined) this.add(out, 'key', p.keyId, 'budget_daily_usd', toLimit('budget_daily_usd', p.budget.dailyUsd), now);
      if (p.budget?.monthlyUsd !== undefined) this.add(out, 'key', p.keyId, 'budget_monthly_usd', toLimit('budget_monthly_usd', p.budget.monthlyUsd), now);
    }
    return out;
  }

  private add(out: Counter[], scope: Scope, subject: string, kind: LimitKind, limit: number, now: number, stored = subject): void {
    const base = `${this.prefix}${scope}:${subjectKey(stored)}:`;
    let counter: Counter;
    switch (kind) {
      case 'rpm':
      case 'tpm':
        counter = { scope, subject, kind, limit, key: base + kind, window: 'sliding', ttlMs: SLIDING_TTL_MS, resetAt: 0, label: 'minute', amount: 0 };
        break;
      case 'budget_daily_usd':
      case 'budget_monthly_usd': {
        const unit = kind === 'budget_daily_usd' ? 'day' : 'month';
        const w = (unit === 'day' ? this.day : this.month).at(now);
        counter = { scope, subject, kind, limit, key: `${base}${unit}:${w.id}`, window: 'budget', ttlMs: w.end - now + this.graceMs, resetAt: w.end, label: `${unit}:${w.id}`, amount: 0 };
        break;
      }
      case 'budget_usd':
        counter = { scope, subject, kind, limit, key: `${base}life`, window: 'budget', ttlMs: this.lifetimeMs, resetAt: 0, label: 'lifetime', amount: 0 };
        break;
    }
    const same = out.find((c) => c.key === counter.key);
    if (same) same.limit = Math.min(same.limit, counter.limit);
    else out.push(counter);
  }
}
