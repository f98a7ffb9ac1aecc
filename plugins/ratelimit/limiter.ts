// Admission and settlement. Admission (middleware, after auth and router: the principal and the
// served model are known) reserves the request's estimate on every counter it touches in one store
// call; settlement (onRequest, once the exchange completed) replaces the estimate by what was used.
import { randomBytes } from 'node:crypto';
import {
  abandonedCallUsage, cutStreamUsage, GatewayError, meterStreamText, operationClass, stateKey, type Exchange, type OperationClass, type Host, type PluginMiddleware, type Principal, type RequestRecord,
} from '../../core/index.js';
import { CounterPlanner, NANO, type Counter } from './counters.js';
import { costNano, estimateRequest, usageTokens, type Estimate } from './estimate.js';
import { refusal, setLimitHeaders } from './headers.js';
import type { RatelimitOptions } from './options.js';
import { StoreUnavailable, type Announcement, type LimitStore } from './store.js';

interface Admission {
  /** The reservation's id in the store (never the request id: a client may choose that one). */
  id: string;
  counters: Counter[];
  bucket: number;
  estimate: Estimate | undefined;
}
const ADMISSION = stateKey<Admission>('ratelimit.admission');

/** Operations whose success costs tokens even when the upstream reports none (count_tokens is free). */
const chargedWithoutReport = (op: OperationClass): boolean => op === 'generate' || op === 'embed';

/** How often a store outage, an unpriced model or a failed settle is logged. */
const LOG_INTERVAL_MS = 60_000;
/** Settles that failed (Redis away) wait here to be tried again: idempotent by reservation id. */
const MAX_PENDING_SETTLES = 10_000;

/**
 * Usage is the provider's own figure, and a provider may report nonsense: a negative count would
 * hand back what other requests used, and one past 2^53 (1e300) fails Redis's integer arithmetic
 * on every retry of the settle (held at the head of the retry queue, so no later settle ran).
 * 2^53 nano-USD is $9 million, a counter's exact range: such a figure still exhausts any limit.
 */
function providerAmount(n: number): number {
  return Number.isNaN(n) ? 0 : Math.min(Math.max(0, Math.ceil(n)), Number.MAX_SAFE_INTEGER);
}

const exemptClasses = (options: RatelimitOptions): Set<string> => new Set(options.exempt.map((e) => (e === 'count_tokens' ? 'count' : 'embed')));

export class Limiter {
  private planner: CounterPlanner;
  private exempt: Set<string>;
  private readonly admitted;
  private readonly refused;
  private readonly storeErrors;
  private readonly unchecked;
  /** Admissions per "scope|kind", added to the labelled counter once a second (a labelled inc costs more than the check). */
  private readonly admittedPending = new Map<string, number>();
  private lastStoreLog = 0;
  /**
   * Reservations are keyed by an id minted here — this process's random tag and a sequence — not
   * by the request id, which a client may set (`x-request-id`) to replay an earlier admission.
   */
  private readonly tag = randomBytes(8).toString('hex');
  private sequence = 0;
  private readonly unpricedLogged = new Set<string>();
  /** With the principal the budget events name: a retried settle announces what it crossed. */
  private readonly pendingSettles: { input: Parameters<LimitStore['settle']>[0]; principal: Principal | undefined }[] = [];
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private options: RatelimitOptions, private readonly host: Host, private readonly store: () => LimitStore) {
    this.planner = new CounterPlanner(options);
    this.exempt = exemptClasses(options);
    const m = host.metrics;
    this.admitted = m.counter('sluice_ratelimit_admitted_total', 'Requests admitted, per counter they were checked against, by scope and limit kind.', { labelNames: ['scope', 'kind'] });
    this.refused = m.counter('sluice_ratelimit_refused_total', 'Requests refused (429), by the scope and limit kind that refused them.', { labelNames: ['scope', 'kind'] });
    this.storeErrors = m.counter('sluice_ratelimit_store_errors_total', 'Failed or timed-out calls to the limit store, by operation.', { labelNames: ['op'] });
    this.unchecked = m.counter('sluice_ratelimit_unchecked_total', 'Requests let through unchecked because the store failed (on_store_error: open).');
  }

  /**
   * New limits from a reload, for the requests admitted after it. Counters are keyed by scope,
   * subject and window, not by the limit, so a raised or lowered limit applies to the use already
   * counted in the current window; a request admitted before settles against the counters it took.
   */
  reconfigure(options: RatelimitOptions): void {
    this.options = options;
    this.planner = new CounterPlanner(options);
    this.exempt = exemptClasses(options);
  }

  start(): void {
    this.retryTimer = setInterval(() => { this.flushMetrics(); void this.retrySettles(); }, 1000);
    this.retryTimer.unref();
  }

  async close(): Promise<void> {
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.flushMetrics();
    await this.retrySettles();
  }

  readonly middleware: PluginMiddleware = async (ctx, next) => {
    const exchange = ctx.exchange;
    // Answered before routing (model listings), or an endpoint the operator exempted.
    if (!exchange.target || this.exempt.has(operationClass(exchange.endpoint.operation))) return next();
    const now = Date.now();
    const counters = this.planner.plan(exchange, now);
    if (counters.length === 0) return next();
    const estimate = this.amounts(exchange, counters);
    const id = `${this.tag}.${(++this.sequence).toString(36)}`;
    let result;
    try {
      result = await this.store().reserve(id, now, counters);
    } catch (err) {
      this.storeFailed('reserve', err);
      if (this.options.on_store_error === 'closed') {
        // A call that only timed out may still run in Redis afterwards and reserve for a request
        // that was refused: a budget would look spent for reservation_ttl_ms (15 min by default).
        // Given back like any request that used nothing; the settle marks the id, so a reserve that
        // runs later still (a reconnect, NOSCRIPT) reserves nothing.
        this.settle({ id, now, counters, actual: counters.map(() => 0), bucket: Math.floor(now / 1000) });
        exchange.responseHeaders['x-should-retry'] = 'true';
        throw new GatewayError('SLUICE_E_RATELIMIT_UNAVAILABLE', 'rate limits cannot be checked right now; retry shortly', { retryAfter: '1' });
      }
      this.unchecked.inc();
      // Settled all the same: the spend is recorded once the store is back.
      exchange.set(ADMISSION, { id, counters, bucket: Math.floor(now / 1000), estimate });
      await next();
      this.meterStream(exchange, estimate);
      return;
    }
    this.announce(result.announce, counters, exchange.principal);
    setLimitHeaders(exchange, counters, result);
    if (!result.admitted) {
      const c = counters[result.refused]!;
      this.refused.inc({ scope: c.scope, kind: c.kind });
      this.host.logger.info('request refused by a limit', { request_id: exchange.id, scope: c.scope, kind: c.kind, window: c.label, key_id: exchange.principal?.keyId });
      throw refusal(exchange, c, result.resetMs[result.refused] ?? -1, result.used[result.refused] ?? 0);
    }
    for (const c of counters) {
      const name = `${c.scope}|${c.kind}`;
      this.admittedPending.set(name, (this.admittedPending.get(name) ?? 0) + 1);
    }
    exchange.set(ADMISSION, { id, counters, bucket: result.bucket, estimate });
    await next();
    this.meterStream(exchange, estimate);
  };

  /**
   * A stream may be cut before its usage report (OpenAI reports only at the end): the text that
   * went out is then what settlement can charge. Metered only where tokens or money are counted
   * (the estimate exists exactly then); an rpm-only request's stream passes unobserved.
   */
  private meterStream(exchange: Exchange, estimate: Estimate | undefined): void {
    if (estimate && exchange.response?.kind === 'stream') meterStreamText(exchange);
  }

  /** Fills in what the request reserves on each counter; estimates only when a counter needs it. */
  private amounts(exchange: Exchange, counters: Counter[]): Estimate | undefined {
    let estimate: Estimate | undefined;
    for (const c of counters) {
      if (c.kind === 'rpm') { c.amount = 1; continue; }
      estimate ??= estimateRequest(exchange, this.options.default_max_output_tokens, this.host.pricing);
      c.amount = c.kind === 'tpm' ? estimate.tokens : estimate.nano;
    }
    if (estimate && !estimate.priced) this.unpriced(exchange.target?.model ?? exchange.model ?? '');
    return estimate;
  }

  /** Settles once the exchange is done: real usage replaces the reservation. */
  onRequest(record: RequestRecord): void {
    const exchange = record.exchange;
    const admission = exchange?.get(ADMISSION);
    if (!exchange || !admission) return;
    const actual = this.actualUse(record, exchange, admission);
    this.settle({ id: admission.id, now: Date.now(), counters: admission.counters, actual, bucket: admission.bucket }, exchange);
  }

  /** Settles now, or once the store is back (idempotent by reservation id). */
  private settle(input: Parameters<LimitStore['settle']>[0], exchange?: Exchange): void {
    this.store().settle(input).then(
      (announce) => { if (exchange) this.announce(announce, input.counters, exchange.principal); },
      (err) => {
        this.storeFailed('settle', err);
        if (this.pendingSettles.length < MAX_PENDING_SETTLES) this.pendingSettles.push({ input, principal: exchange?.principal });
      },
    );
  }

  /**
   * What the request used on each counter. A request counts against rpm whatever its fate. Tokens
   * and spend are what the upstream reported, even for a failure. A stream cut short (client gone,
   * shutdown, upstream cut) is charged what was reported so far, the request's input estimate for
   * input not reported, and at least the estimate of the text that went out (cutStreamUsage) —
   * else aborting before the final usage chunk would cost nothing. With no report, a failed or
   * blocked request gives its reservation back, while a successful generation or embedding (an
   * upstream that reports no usage: Gemini's embeddings never do) is charged its estimate, and one
   * its client abandoned after it went upstream the estimate of its prompt.
   */
  private actualUse(record: RequestRecord, exchange: Exchange, admission: Admission): number[] {
    let tokens = 0;
    let nano = 0;
    // A stream cut short, or a call its client abandoned after it went upstream (the provider has
    // the prompt and bills it; the answer's size is unknown): core's rules, which the ledger and the
    // marketplace follow too — else a client with a short timeout would spend without limit.
    const estimated = admission.estimate
      && (cutStreamUsage(exchange, record.usage, admission.estimate.input) ?? abandonedCallUsage(exchange, record.outcome, record.usage, admission.estimate.input));
    const usage = estimated || record.usage;
    if (usage) {
      tokens = usageTokens(usage);
      if (admission.counters.some((c) => c.window === 'budget')) nano = costNano(this.host.pricing, usage, exchange, record.servedModel).nano;
    } else if (record.outcome === 'success' && chargedWithoutReport(operationClass(exchange.endpoint.operation)) && admission.estimate) {
      tokens = admission.estimate.tokens;
      nano = admission.estimate.nano;
    }
    return admission.counters.map((c) => (c.kind === 'rpm' ? 1 : c.kind === 'tpm' ? providerAmount(tokens) : providerAmount(nano)));
  }

  private flushMetrics(): void {
    for (const [name, n] of this.admittedPending) {
      if (n === 0) continue;
      const [scope, kind] = name.split('|') as [string, string];
      this.admitted.inc({ scope, kind }, n);
      this.admittedPending.set(name, 0);
    }
  }

  private async retrySettles(): Promise<void> {
    while (this.pendingSettles.length > 0) {
      const { input, principal } = this.pendingSettles[0]!;
      let announce;
      try {
        announce = await this.store().settle({ ...input, now: Date.now() });
      } catch {
        return; // still away: next tick
      }
      this.pendingSettles.shift();
      // The settle set the once-per-window markers of what it crossed: announced here, or never.
      this.announce(announce, input.counters, principal);
    }
  }

  private announce(list: Announcement[], counters: Counter[], p: Principal | undefined): void {
    for (const a of list) {
      const c = counters[a.counter];
      if (!c) continue;
      const data: Record<string, string | number> = {
        scope: c.scope, subject: c.subject.slice(0, 256), window: c.label,
        limit_usd: c.limit / NANO, spent_usd: Math.round(a.spent) / NANO, percent: Math.round((a.spent / c.limit) * 1000) / 10,
      };
      if (p?.keyId !== undefined) data['key_id'] = p.keyId;
      if (p?.user !== undefined) data['user'] = p.user;
      if (p?.team !== undefined) data['team'] = p.team;
      this.host.events.emit(a.level === 100 ? 'budget.exhausted' : 'budget.warning', data);
      this.host.logger.info(a.level === 100 ? 'budget exhausted' : 'budget at 80 %', { scope: c.scope, kind: c.kind, window: c.label, key_id: p?.keyId });
    }
  }

  private storeFailed(op: 'reserve' | 'settle', err: unknown): void {
    this.storeErrors.inc({ op });
    const now = Date.now();
    if (now - this.lastStoreLog < LOG_INTERVAL_MS) return;
    this.lastStoreLog = now;
    const message = err instanceof StoreUnavailable ? err.message : (err as Error).message;
    this.host.logger.warn(`rate limit store unavailable; requests are ${this.options.on_store_error === 'open' ? 'admitted unchecked' : 'refused with 503'}`, { op, error: message });
  }

  private unpriced(model: string): void {
    if (this.unpricedLogged.has(model) || this.unpricedLogged.size > 1000) return;
    this.unpricedLogged.add(model);
    this.host.logger.warn('model has no price: budgets cannot count its spend (add it under pricing: or providers.X.prices)', { model: model.slice(0, 128) });
  }
}
