// The ledger table's columns in insert order, and each value fitted to what both databases accept:
// strings within their column's width and without NUL, integers whole and within ±2^53, numbers
// finite. One odd value (a provider's 1e300 tokens, a client's model name holding a NUL) would
// otherwise fail its whole batch on every retry and replay.
import { storableText } from '../../core/index.js';
import type { LedgerRow } from './row.js';

/** Column widths of the migration: PostgreSQL refuses a longer value, and one such row would fail its batch for ever. */
export const WIDTHS: Partial<Record<keyof LedgerRow, number>> = {
  request_id: 128, day: 10, user_id: 256, team_id: 256, key_id: 128, session_id: 256, client_address: 64, method: 16, path: 512,
  endpoint: 64, client_protocol: 64, requested_model: 256, served_model: 256, provider: 128, outcome: 32, error_code: 96,
  usage_source: 16, local_method: 32, direction: 16, offer_id: 128, arrival_key: 40, service_tier: 32, answered_model: 256,
};
const INTEGERS: (keyof LedgerRow)[] = [
  'time_ms', 'fallbacks', 'stream', 'status', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'count_mismatch',
  'web_search_calls', 'web_fetch_calls',
];
const NULLABLE_INTEGERS: (keyof LedgerRow)[] = ['local_input_tokens', 'local_output_tokens'];
const DOUBLES: (keyof LedgerRow)[] = ['cost_input', 'cost_output', 'cost_cache_read', 'cost_cache_write', 'cost_reasoning', 'cost_total', 'ttfb_ms', 'latency_ms', 'output_tps', 'cost_fees'];

export type Kind = 'integer' | 'nullableInteger' | 'double' | 'latency' | number | 'text';
const KIND = new Map<string, Kind>([
  ...Object.entries(WIDTHS).map(([c, w]) => [c, w!] as [string, Kind]),
  ...INTEGERS.map((c) => [c, 'integer'] as [string, Kind]),
  ...NULLABLE_INTEGERS.map((c) => [c, 'nullableInteger'] as [string, Kind]),
  ...DOUBLES.map((c) => [c, c === 'latency_ms' ? 'latency' : 'double'] as [string, Kind]),
]);

// The fitting rules, one per kind of column: fitValue picks one by the column's kind, rowValues
// calls them by name.
/** Strings within their column's width, NUL as U+FFFD (core's storableText: PostgreSQL refuses a NUL). */
export const text = (v: unknown, width: number): unknown => (typeof v === 'string' ? storableText(v, width) : v ?? null);
/** A text column without a width (JSON the row built: fallback_detail, findings). */
const anyText = (v: unknown): unknown => (typeof v === 'string' ? storableText(v) : v ?? null);
/**
 * Whole, and within ±2^53: token counts are the provider's own figures, and one past PostgreSQL's
 * bigint (an upstream reporting 1e300) failed its batch on every retry and replay. The clamp keeps
 * such a figure absurd in the row, as evidence, without refusing the rows written with it.
 */
const whole = (v: number): number => Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, Math.round(v)));
const integer = (v: unknown): number => (Number.isFinite(v) ? whole(v as number) : 0);
const integerOrNull = (v: unknown): number | null => (Number.isFinite(v) ? whole(v as number) : null);
const double = (v: unknown): unknown => (Number.isFinite(v) ? v : null);
/** A latency is never null: not finite counts as 0. */
const latency = (v: unknown): unknown => (Number.isFinite(v) ? v : 0);

/** One column's value as both databases accept it: strings within their column, integers whole, numbers finite. */
export function fitValue(kind: Kind | undefined, v: unknown): unknown {
  switch (kind) {
    case undefined: case 'text': return anyText(v);
    case 'integer': return integer(v);
    case 'nullableInteger': return integerOrNull(v);
    case 'double': return double(v);
    case 'latency': return latency(v);
    default: return text(v, kind);
  }
}

/** A row both databases accept (one odd value would otherwise fail its batch for ever). */
export function fitRow(row: LedgerRow): LedgerRow {
  const out: Record<string, unknown> = {};
  for (const col of Object.keys(row)) out[col] = fitValue(KIND.get(col), row[col as keyof LedgerRow]);
  return out as unknown as LedgerRow;
}

/** The table's columns in insert order (every LedgerRow field). */
export const COLUMNS: readonly (keyof LedgerRow)[] = [
  'request_id', 'time_ms', 'day', 'user_id', 'team_id', 'key_id', 'session_id', 'client_address', 'method', 'path', 'endpoint',
  'client_protocol', 'requested_model', 'served_model', 'provider', 'fallbacks', 'fallback_detail', 'stream', 'status', 'outcome',
  'error_code', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'usage_source',
  'cost_input', 'cost_output', 'cost_cache_read', 'cost_cache_write', 'cost_reasoning', 'cost_total', 'local_input_tokens',
  'local_output_tokens', 'local_method', 'count_mismatch', 'ttfb_ms', 'latency_ms', 'output_tps', 'findings', 'direction', 'offer_id',
  'arrival_key', 'service_tier', 'web_search_calls', 'web_fetch_calls', 'cost_fees', 'answered_model',
];

/**
 * A row's values in COLUMNS order, fitted as fitValue fits them (a test holds the two to each other).
 * Spelled out rather than looped over COLUMNS: `row[column]` with 48 different names is a
 * megamorphic keyed load per value, and the switch on the column's kind a branch per value; here
 * each load is a named one on the row's single shape. Written into `out` from `at` (the SQLite insert
 * fits a slice's rows into one array), reused by the caller.
 */
export function rowValues(r: LedgerRow, out: unknown[], at = 0): unknown[] {
  out[at] = text(r.request_id, 128); out[at + 1] = integer(r.time_ms); out[at + 2] = text(r.day, 10);
  out[at + 3] = text(r.user_id, 256); out[at + 4] = text(r.team_id, 256); out[at + 5] = text(r.key_id, 128); out[at + 6] = text(r.session_id, 256);
  out[at + 7] = text(r.client_address, 64); out[at + 8] = text(r.method, 16); out[at + 9] = text(r.path, 512); out[at + 10] = text(r.endpoint, 64);
  out[at + 11] = text(r.client_protocol, 64); out[at + 12] = text(r.requested_model, 256); out[at + 13] = text(r.served_model, 256); out[at + 14] = text(r.provider, 128);
  out[at + 15] = integer(r.fallbacks); out[at + 16] = anyText(r.fallback_detail); out[at + 17] = integer(r.stream); out[at + 18] = integer(r.status); out[at + 19] = text(r.outcome, 32);
  out[at + 20] = text(r.error_code, 96); out[at + 21] = integer(r.input_tokens); out[at + 22] = integer(r.output_tokens); out[at + 23] = integer(r.cache_read_tokens);
  out[at + 24] = integer(r.cache_write_tokens); out[at + 25] = integer(r.reasoning_tokens); out[at + 26] = text(r.usage_source, 16);
  out[at + 27] = double(r.cost_input); out[at + 28] = double(r.cost_output); out[at + 29] = double(r.cost_cache_read); out[at + 30] = double(r.cost_cache_write);
  out[at + 31] = double(r.cost_reasoning); out[at + 32] = double(r.cost_total); out[at + 33] = integerOrNull(r.local_input_tokens);
  out[at + 34] = integerOrNull(r.local_output_tokens); out[at + 35] = text(r.local_method, 32); out[at + 36] = integer(r.count_mismatch);
  out[at + 37] = double(r.ttfb_ms); out[at + 38] = latency(r.latency_ms); out[at + 39] = double(r.output_tps);
  out[at + 40] = anyText(r.findings); out[at + 41] = text(r.direction, 16); out[at + 42] = text(r.offer_id, 128); out[at + 43] = text(r.arrival_key, 40);
  out[at + 44] = text(r.service_tier, 32); out[at + 45] = integer(r.web_search_calls); out[at + 46] = integer(r.web_fetch_calls); out[at + 47] = double(r.cost_fees);
  out[at + 48] = text(r.answered_model, 256);
  return out;
}

/** fitValue over COLUMNS, column by column: what rowValues must equal (tests). */
export function fittedByColumn(row: LedgerRow): unknown[] {
  return COLUMNS.map((c) => fitValue(KIND.get(c), row[c]));
}

/** Whether a column holds text (a number bound there is stored as text). */
export const isTextColumn = (column: keyof LedgerRow): boolean => {
  const kind = KIND.get(column);
  return kind === undefined || kind === 'text' || typeof kind === 'number';
};

