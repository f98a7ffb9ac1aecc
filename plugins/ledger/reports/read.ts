// Reads ledger rows for a report page by page (keyset on time and id), so a large ledger never
// sits in one result set; the same SQL on SQLite and PostgreSQL.
import type { Knex } from 'knex';
import { LEDGER_TABLE } from '../row.js';
import { toNumber, toNumberOrNull } from '../store.js';
import type { TimeRange } from './range.js';

/** The columns the reports use, as numbers and strings. */
export interface ReportRow {
  request_id: string;
  time_ms: number;
  day: string;
  user_id: string | null;
  team_id: string | null;
  key_id: string | null;
  session_id: string | null;
  requested_model: string | null;
  served_model: string | null;
  provider: string | null;
  endpoint: string | null;
  fallbacks: number;
  fallback_detail: string | null;
  stream: number;
  status: number;
  outcome: string;
  error_code: string | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  usage_source: string;
  cost_total: number | null;
  local_input_tokens: number | null;
  local_output_tokens: number | null;
  local_method: string | null;
  count_mismatch: number;
  ttfb_ms: number | null;
  latency_ms: number;
  output_tps: number | null;
  /** The row's findings as stored: a JSON array of { source, type, count, action }, or null. */
  findings: string | null;
}

const COLUMNS = [
  'request_id', 'time_ms', 'day', 'user_id', 'team_id', 'key_id', 'session_id', 'requested_model', 'served_model', 'provider', 'endpoint',
  'fallbacks', 'fallback_detail', 'stream', 'status', 'outcome', 'error_code', 'input_tokens', 'output_tokens', 'cache_read_tokens',
  'cache_write_tokens', 'reasoning_tokens', 'usage_source', 'cost_total', 'local_input_tokens', 'local_output_tokens', 'local_method',
  'count_mismatch', 'ttfb_ms', 'latency_ms', 'output_tps', 'findings',
];
/**
 * Rows a page. On SQLite a query runs on the gateway's event loop, synchronously: a page is read
 * and grouped in ~10–30 ms here, and requests are served between pages (GET /admin/usage over half
 * a million rows must not hold every proxied request for seconds).
 */
const PAGE = 2000;
/** Lets the event loop serve I/O between two pages (an await alone only runs microtasks). */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface RowFilter {
  range: TimeRange;
  sessionId?: string;
  /** Only rows of requests that went to a provider (the audit's). */
  modelCalls?: boolean;
}

export async function* readRows(knex: Knex, filter: RowFilter): AsyncGenerator<ReportRow> {
  let after: { time: number; id: string } | undefined;
  for (;;) {
    // From the last page's time on, not from the range's start: the time index is entered there,
    // rather than walked again past every row already read.
    const q = knex(LEDGER_TABLE).select(COLUMNS).where('time_ms', '>=', after?.time ?? filter.range.from).andWhere('time_ms', '<', filter.range.to);
    if (filter.sessionId !== undefined) q.andWhere('session_id', filter.sessionId);
    // A request refused after routing but before any call (a rate limit, the loop detector) names
    // the provider it was routed to; it says nothing of that provider, so model calls leave it out.
    if (filter.modelCalls) q.whereNotNull('provider').andWhere((w) => { w.whereNot('outcome', 'blocked').orWhereNot('usage_source', 'none'); });
    if (after) {
      const a = after;
      q.andWhere((w) => { w.where('time_ms', '>', a.time).orWhere((w2) => { w2.where('time_ms', a.time).andWhere('request_id', '>', a.id); }); });
    }
    const page = await q.orderBy([{ column: 'time_ms' }, { column: 'request_id' }]).limit(PAGE) as Record<string, unknown>[];
    for (const raw of page) yield normalise(raw);
    if (page.length < PAGE) return;
    await turn();
    const last = page[page.length - 1]!;
    after = { time: toNumber(last['time_ms']), id: String(last['request_id']) };
  }
}

function normalise(r: Record<string, unknown>): ReportRow {
  const s = (k: string) => (r[k] === null || r[k] === undefined ? null : String(r[k]));
  return {
    request_id: String(r['request_id']), time_ms: toNumber(r['time_ms']), day: String(r['day']),
    user_id: s('user_id'), team_id: s('team_id'), key_id: s('key_id'), session_id: s('session_id'),
    requested_model: s('requested_model'), served_model: s('served_model'), provider: s('provider'), endpoint: s('endpoint'),
    fallbacks: toNumber(r['fallbacks']), fallback_detail: s('fallback_detail'), stream: toNumber(r['stream']), status: toNumber(r['status']),
    outcome: String(r['outcome']), error_code: s('error_code'),
    input_tokens: toNumber(r['input_tokens']), output_tokens: toNumber(r['output_tokens']), cache_read_tokens: toNumber(r['cache_read_tokens']),
    cache_write_tokens: toNumber(r['cache_write_tokens']), reasoning_tokens: toNumber(r['reasoning_tokens']), usage_source: String(r['usage_source']),
    cost_total: toNumberOrNull(r['cost_total']), local_input_tokens: toNumberOrNull(r['local_input_tokens']), local_output_tokens: toNumberOrNull(r['local_output_tokens']),
    local_method: s('local_method'), count_mismatch: toNumber(r['count_mismatch']),
    ttfb_ms: toNumberOrNull(r['ttfb_ms']), latency_ms: toNumber(r['latency_ms']), output_tps: toNumberOrNull(r['output_tps']),
    findings: s('findings'),
  };
}
