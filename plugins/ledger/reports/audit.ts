// `sluice audit`: how each provider and model behaved, day by day — TTFB and latency percentiles,
// output tokens per second, error and fallback rates, billed-vs-local token drift — and which days
// look like a degradation against the trailing baseline (a slower first byte or fewer tokens/s).
import type { Knex } from 'knex';
import { isProviderFailure } from '../../../core/index.js';
import { presentColumns } from './optional-columns.js';
import { readRows, type ReportRow } from './read.js';
import { isoRange, type TimeRange } from './range.js';
import { median, percentile, round } from './stats.js';

export interface AuditOptions {
  degradationFactor: number;
  baselineDays: number;
  /** Stops the report between pages: its client went away. */
  signal?: AbortSignal;
}

export interface AuditLine {
  [key: string]: string | number | boolean | null;
  day: string;
  provider: string;
  model: string;
  requests: number;
  ttfb_p50_ms: number | null;
  ttfb_p95_ms: number | null;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  tokens_per_s_p50: number | null;
  /**
   * The provider's failures (unreachable, timeouts, cut streams, 429, 5xx — not a 4xx refusing a
   * client's request) over the requests it answered; null when it answered none (its only attempts
   * failed over: see fallback_rate).
   */
  error_rate: number | null;
  /** Share of this provider's attempts that failed over to another target. */
  fallback_rate: number;
  /** (billed − local) / local over the rows counted locally, in per cent; null when none were. */
  input_drift_pct: number | null;
  output_drift_pct: number | null;
  mismatched: number;
  /**
   * Answers that named another model than the one asked of the provider (answered_model against
   * served_model, a dated snapshot of it counting as the same): a downgrade the request did not
   * choose. Such a day is flagged whatever its baseline.
   */
  other_model_answers: number;
  /** The day is flagged as a degradation against its baseline. */
  degraded: boolean;
  /** Why (null when it is not flagged). */
  degradation: string | null;
}

const DAY_MS = 86_400_000;

interface Acc {
  day: string; provider: string; model: string; requests: number; errors: number; fallbacksFrom: number; mismatched: number;
  /** The other models the answers named, with how many did. */
  others: Map<string, number>;
  ttfb: number[]; latency: number[]; tps: number[];
  /** The same TTFBs and tokens/s by kind of answer: [JSON, streamed] (see Timings). */
  ttfbBy: [number[], number[]]; tpsBy: [number[], number[]];
  billedIn: number; localIn: number; billedOut: number; localOut: number;
}

export interface AuditReport { range: TimeRange; lines: AuditLine[] }

export async function auditReport(knex: Knex, range: TimeRange, opts: AuditOptions): Promise<AuditReport> {
  // Whole UTC days: --since is rounded down to its day's start. The baseline of the first days in
  // range lies before it.
  const start = Math.floor(range.from / DAY_MS) * DAY_MS;
  const read = { from: start - opts.baselineDays * DAY_MS, to: range.to };
  const groups = new Map<string, Acc>();
  const get = (day: string, provider: string, model: string): Acc => {
    const key = `${day}\u0000${provider}\u0000${model}`;
    let acc = groups.get(key);
    if (!acc) {
      groups.set(key, acc = {
        day, provider, model, requests: 0, errors: 0, fallbacksFrom: 0, mismatched: 0, others: new Map(), ttfb: [], latency: [], tps: [],
        ttfbBy: [[], []], tpsBy: [[], []], billedIn: 0, localIn: 0, billedOut: 0, localOut: 0,
      });
    }
    return acc;
  };
  // A ledger an earlier version wrote may not have answered_model yet (the reports migrate nothing).
  const columns = [...AUDITED, ...await presentColumns(knex, ['answered_model'] as const)];
  for await (const r of readRows(knex, { range: read, modelCalls: true, signal: opts.signal }, columns) as AsyncGenerator<Audited & { answered_model?: string | null }>) {
    const acc = get(r.day, r.provider!, r.served_model ?? r.requested_model ?? '(none)');
    // The targets that failed before this answer count against their own provider and model, and
    // the time they took is theirs: the answering provider is timed from its own attempt (a primary
    // timing out for seconds must not read as a slow fallback). Rows written before attempts kept
    // their time (no `ms`) are taken as they are.
    let failedMs = 0;
    if (r.fallbacks > 0 && r.fallback_detail) {
      for (const a of parseAttempts(r.fallback_detail)) {
        get(r.day, a.provider, a.model).fallbacksFrom++;
        failedMs += a.ms;
      }
    }
    add(acc, r, failedMs);
    const answered = r.answered_model;
    if (answered && r.served_model && !sameModel(r.served_model, answered)) acc.others.set(answered, (acc.others.get(answered) ?? 0) + 1);
  }
  const bySeries = new Map<string, Acc[]>();
  for (const acc of groups.values()) {
    const key = `${acc.provider}\u0000${acc.model}`;
    (bySeries.get(key) ?? bySeries.set(key, []).get(key)!).push(acc);
  }
  const firstDay = new Date(start).toISOString().slice(0, 10);
  const lines: AuditLine[] = [];
  for (const series of bySeries.values()) {
    series.sort((a, b) => a.day.localeCompare(b.day));
    const daily = series.map((acc) => ({ line: summarise(acc), timings: timingsOf(acc) }));
    for (const [i, { line, timings }] of daily.entries()) {
      if (line.day < firstDay) continue;
      const since = new Date(Date.parse(`${line.day}T00:00:00Z`) - opts.baselineDays * DAY_MS).toISOString().slice(0, 10);
      const baseline = daily.slice(0, i).filter((d) => d.line.day >= since).map((d) => d.timings);
      const others = series[i]!.others;
      const reasons = [degradation(timings, baseline, opts.degradationFactor), others.size ? `answers named another model: ${otherModels(others)}` : null].filter((r) => r !== null);
      line.degradation = reasons.length ? reasons.join('; ') : null;
      line.degraded = line.degradation !== null;
      lines.push(line);
    }
  }
  lines.sort((a, b) => a.day.localeCompare(b.day) || a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model));
  // The range read, as rounded: what the report covers.
  return { range: { from: start, to: range.to }, lines };
}

/** What the audit reads of a row. */
const AUDITED = [
  'day', 'provider', 'served_model', 'requested_model', 'stream', 'fallbacks', 'fallback_detail', 'outcome', 'status', 'error_code', 'count_mismatch', 'ttfb_ms', 'latency_ms',
  'output_tps', 'usage_source', 'input_tokens', 'cache_read_tokens', 'cache_write_tokens', 'output_tokens', 'reasoning_tokens',
  'local_input_tokens', 'local_output_tokens',
] as const;
type Audited = Pick<ReportRow, (typeof AUDITED)[number]>;

/** `failedMs`: the time the failed attempts before the answer took, left out of its TTFB and latency. */
function add(acc: Acc, r: Audited, failedMs: number): void {
  acc.requests++;
  if (r.outcome === 'error' && providersFault(r)) acc.errors++;
  if (r.count_mismatch) acc.mismatched++;
  const kind = r.stream ? 1 : 0;
  if (r.ttfb_ms !== null && r.outcome === 'success') {
    const ttfb = Math.max(0, r.ttfb_ms - failedMs);
    acc.ttfb.push(ttfb);
    acc.ttfbBy[kind].push(ttfb);
  }
  if (r.outcome === 'success') acc.latency.push(Math.max(0, r.latency_ms - failedMs));
  if (r.output_tps !== null) {
    acc.tps.push(r.output_tps);
    acc.tpsBy[kind].push(r.output_tps);
  }
  if (r.usage_source === 'reported' && r.local_input_tokens !== null) {
    acc.billedIn += r.input_tokens + r.cache_read_tokens + r.cache_write_tokens;
    acc.localIn += r.local_input_tokens;
  }
  if (r.usage_source === 'reported' && r.local_output_tokens !== null) {
    acc.billedOut += r.output_tokens - r.reasoning_tokens;
    acc.localOut += r.local_output_tokens;
  }
}

/**
 * An error the provider is to blame for, as the router's fallbacks see it: not a 4xx it answered to
 * a request it found wrong (a client's bad parameter, a prompt too long: another provider would say
 * the same), which would read as a sick provider. An error after the answer began (status below
 * 400: the stream cut, an error event in it) is the provider's.
 */
const providersFault = (r: Audited): boolean => r.status < 400 || isProviderFailure(r.error_code, r.status);

function summarise(a: Acc): AuditLine {
  const pct = (billed: number, local: number) => (local > 0 ? round(((billed - local) / local) * 100, 1) : null);
  return {
    day: a.day, provider: a.provider, model: a.model, requests: a.requests,
    ttfb_p50_ms: round(percentile(a.ttfb, 50), 1), ttfb_p95_ms: round(percentile(a.ttfb, 95), 1),
    latency_p50_ms: round(percentile(a.latency, 50), 1), latency_p95_ms: round(percentile(a.latency, 95), 1),
    tokens_per_s_p50: round(percentile(a.tps, 50), 1),
    error_rate: a.requests ? round(a.errors / a.requests, 4)! : null,
    fallback_rate: a.requests + a.fallbacksFrom ? round(a.fallbacksFrom / (a.requests + a.fallbacksFrom), 4)! : 0,
    input_drift_pct: pct(a.billedIn, a.localIn), output_drift_pct: pct(a.billedOut, a.localOut),
    mismatched: a.mismatched, other_model_answers: [...a.others.values()].reduce((n, c) => n + c, 0), degraded: false, degradation: null,
  };
}

/**
 * A name's dated snapshot or alias suffix: `-2024-08-06`, `-20250929`, OpenAI's older month-day
 * snapshots (`gpt-3.5-turbo` answers as `gpt-3.5-turbo-0125`, `gpt-4` as `gpt-4-0613`), Gemini's
 * `-002`, `-latest`, Ollama's `:latest`, and Anthropic's `-0` aliases (`claude-sonnet-4-0` answers
 * as `claude-sonnet-4-20250514`).
 */
const VERSION_SUFFIX = /(-\d{4}-\d{2}-\d{2}|-\d{8}|-\d{4}|-\d{3}|-0|-latest|:latest)$/;
const baseModel = (name: string) => name.toLowerCase().replace(VERSION_SUFFIX, '');

/** The model asked for and the one the answer named are the same model (one may be a dated snapshot of the other). */
export function sameModel(served: string, answered: string): boolean {
  return served === answered || baseModel(served) === baseModel(answered);
}

/** The other models a day's answers named, most first: `gpt-4o-mini-2024-07-18 ×12`. */
function otherModels(others: Map<string, number>): string {
  return [...others].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([m, n]) => `${m} ×${n}`).join(', ') + (others.size > 3 ? ', …' : '');
}

/**
 * A day's p50s as the degradation compares them: of all its answers, and of each kind apart. A JSON
 * answer's first byte is its whole answer and its tokens/s include the prefill, a stream's are the
 * first token and the decoding speed: a day whose clients streamed less would read as a slower day.
 * So where the day or its baseline holds both kinds, each kind is compared with its own baseline.
 */
interface Timings {
  ttfb: number | null; tps: number | null;
  /** [JSON, streamed] */
  ttfbBy: [number | null, number | null]; tpsBy: [number | null, number | null];
}

function timingsOf(a: Acc): Timings {
  const p50 = (values: number[]) => round(percentile(values, 50), 1);
  return {
    ttfb: p50(a.ttfb), tps: p50(a.tps),
    ttfbBy: [p50(a.ttfbBy[0]), p50(a.ttfbBy[1])], tpsBy: [p50(a.tpsBy[0]), p50(a.tpsBy[1])],
  };
}

const KINDS = ['JSON answers', 'streams'] as const;

/**
 * Compared with the median of the baseline days' own p50s: with an even number of days, the mean of
 * the middle two (the lower of them, as a nearest-rank p50 would take, leans the baseline towards
 * the day's own worst neighbour: more slow-TTFB flags, fewer tokens/s ones).
 */
function degradation(day: Timings, baseline: Timings[], factor: number): string | null {
  const reasons: string[] = [];
  const base = (pick: (d: Timings) => number | null) => round(median(baseline.map(pick).filter((v): v is number => v !== null)), 1);
  // Which kinds of answer the day and its baseline hold (a p50 exists for each kind present).
  const mixed = (by: (d: Timings) => [number | null, number | null]) =>
    [day, ...baseline].some((d) => by(d)[0] !== null) && [day, ...baseline].some((d) => by(d)[1] !== null);
  const slower = (value: number | null, baseValue: number | null) => value !== null && baseValue !== null && baseValue > 0 && value > baseValue * factor;
  const fewer = (value: number | null, baseValue: number | null) => value !== null && baseValue !== null && value < baseValue / factor;
  if (!mixed((d) => d.ttfbBy)) {
    const ttfb = base((d) => d.ttfb);
    if (slower(day.ttfb, ttfb)) reasons.push(`ttfb p50 ${day.ttfb} ms vs ${ttfb} ms baseline`);
  } else {
    for (const k of [1, 0] as const) {
      const ttfb = base((d) => d.ttfbBy[k]);
      if (slower(day.ttfbBy[k], ttfb)) reasons.push(`ttfb p50 of ${KINDS[k]} ${day.ttfbBy[k]} ms vs ${ttfb} ms baseline`);
    }
  }
  if (!mixed((d) => d.tpsBy)) {
    const tps = base((d) => d.tps);
    if (fewer(day.tps, tps)) reasons.push(`tokens/s p50 ${day.tps} vs ${tps} baseline`);
  } else {
    for (const k of [1, 0] as const) {
      const tps = base((d) => d.tpsBy[k]);
      if (fewer(day.tpsBy[k], tps)) reasons.push(`tokens/s p50 of ${KINDS[k]} ${day.tpsBy[k]} vs ${tps} baseline`);
    }
  }
  return reasons.length ? reasons.join('; ') : null;
}

/** A row's failed attempts as stored, read defensively (the column is JSON another version may have written); `ms` 0 where not kept. */
function parseAttempts(json: string): { provider: string; model: string; ms: number }[] {
  try {
    const v = JSON.parse(json) as unknown;
    if (!Array.isArray(v)) return [];
    return v.filter((a): a is { provider: string; model: string; ms?: unknown } => typeof a?.provider === 'string' && typeof a?.model === 'string')
      .map((a) => ({ provider: a.provider, model: a.model, ms: typeof a.ms === 'number' && Number.isFinite(a.ms) && a.ms > 0 ? a.ms : 0 }));
  } catch {
    return [];
  }
}

/** The report as JSON, the same from `sluice audit --json` and GET /admin/audit. */
export const auditJson = (r: AuditReport) => ({ ...isoRange(r.range), rows: r.lines });
