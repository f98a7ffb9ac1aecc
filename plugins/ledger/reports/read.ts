// Reads ledger rows for a report page by page (keyset on time, then rowid on SQLite; a cursor over
// one statement on PostgreSQL), so a large ledger never sits in one result set.
import type { Knex } from 'knex';
import { isSqlite } from '../../../core/index.js';
import { LEDGER_TABLE } from '../row.js';
import { sqliteRead } from '../sqlite.js';
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
  /** Added by migration 006: read only where present (optional-columns.ts). */
  service_tier: string | null;
  web_search_calls: number;
  web_fetch_calls: number;
  /** Added by migration 007: read only where present. */
  answered_model: string | null;
}

/** A report's columns: each report reads only the ones it uses (below). */
export type ReportColumn = keyof ReportRow;

/** Numbers, which PostgreSQL's bigint columns give back as strings. */
const NUMBERS = new Set<ReportColumn>([
  'time_ms', 'fallbacks', 'stream', 'status', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens',
  'count_mismatch', 'latency_ms', 'web_search_calls', 'web_fetch_calls',
]);
const NULLABLE_NUMBERS = new Set<ReportColumn>(['cost_total', 'local_input_tokens', 'local_output_tokens', 'ttfb_ms', 'output_tps']);

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
  /** Stops the reading between pages (with the signal's reason): the report's client went away. */
  signal?: AbortSignal;
}

/**
 * The rows of the filter's range, oldest first, with `columns` (numbers as numbers, text or null).
 * Only those: a row's values are made into an object of the driver's, and at all 32 report columns
 * that was most of a report's time (half a million SQLite rows: 5.7 s; 5 columns: 0.9 s).
 */
export async function* readRows<C extends ReportColumn>(knex: Knex, filter: RowFilter, columns: readonly C[]): AsyncGenerator<Pick<ReportRow, C>> {
  const pages = isSqlite(knex) ? sqlitePages(knex, filter, [...new Set<ReportColumn>([...columns, 'time_ms'])]) : knexPages(knex, filter, [...new Set<ReportColumn>(columns)]);
  for await (const page of pages) for (const row of page) yield row as Pick<ReportRow, C>;
}

/** Whether a page was the last: fewer rows than PAGE. Between pages the event loop serves I/O, and a report whose client left stops. */
async function nextPage(page: readonly unknown[], filter: RowFilter): Promise<boolean> {
  if (page.length < PAGE) return false;
  await turn();
  filter.signal?.throwIfAborted();
  return true;
}

/**
 * SQLite: keyset on (time, rowid) — the time index keeps its entries in that order (an index entry
 * ends with its row's rowid), so a page is read off the index without sorting, where (time, id)
 * sorted each page's rows. Rows come as arrays (better-sqlite3's objects are built one property at
 * a time through V8's API) and are made into objects here. Half a million rows, 14 columns: 0.9 s
 * against 2.2 s (plus 0.2–0.9 s of conversion) through knex.
 */
async function* sqlitePages(knex: Knex, filter: RowFilter, select: readonly ReportColumn[]): AsyncGenerator<Partial<ReportRow>[]> {
  const sql = sqlitePageSql(filter, select);
  const timeAt = select.indexOf('time_ms');
  const rowidAt = select.length;
  // Before the first page, a time just before the range (times are whole ms): every row of it is after.
  let after = [filter.range.from - 1, -1];
  filter.signal?.throwIfAborted();
  for (;;) {
    // From the last page's time on, not from the range's start: SQLite enters the time index at the
    // first bound, and from the range's start each page walked again past every row already read.
    const params = [Math.max(filter.range.from, after[0]!), filter.range.to, ...(filter.sessionId !== undefined ? [filter.sessionId] : []), after[0], after[0], after[1]];
    const raw = await sqliteRead(knex, (db) => db.prepare(sql).raw(true).all(...params) as unknown[][]);
    const page = new Array<Partial<ReportRow>>(raw.length);
    for (let r = 0; r < raw.length; r++) {
      const values = raw[r]!;
      const row: Record<string, unknown> = {};
      for (let i = 0; i < select.length; i++) row[select[i]!] = values[i];
      page[r] = row as Partial<ReportRow>;
    }
    yield page;
    if (!await nextPage(raw, filter)) return;
    const last = raw[raw.length - 1]!;
    after = [last[timeAt] as number, last[rowidAt] as number];
  }
}

/**
 * A page's SQL on SQLite; its parameters: the range's start (or the last page's time), its end, the
 * session (if filtered on), then the last page's time twice and rowid.
 */
export function sqlitePageSql(filter: Omit<RowFilter, 'range'>, select: readonly ReportColumn[]): string {
  const where = ['time_ms >= ?', 'time_ms < ?'];
  if (filter.sessionId !== undefined) where.push('session_id = ?');
  if (filter.modelCalls) where.push(MODEL_CALLS);
  return `select ${select.join(', ')}, rowid from ${LEDGER_TABLE} where ${where.join(' and ')} and (time_ms > ? or (time_ms = ? and rowid > ?)) order by time_ms, rowid limit ${PAGE}`;
}

/**
 * A request refused after routing but before any call (a rate limit, the loop detector) names the
 * provider it was routed to; it says nothing of that provider, so model calls leave it out. So are
 * token counts (Anthropic's count_tokens, Gemini's :countTokens): they generate nothing, are answered
 * in a few ms, and clients send many (Gemini CLI, Claude Code) — among them a day of slow answers
 * kept its TTFB p50 and went unflagged.
 */
const MODEL_CALLS = "provider is not null and (outcome <> 'blocked' or usage_source <> 'none') and (endpoint is null or endpoint not in ('anthropic.count_tokens', 'gemini.count_tokens'))";

/** The cursor a PostgreSQL report reads through (one per transaction, and a report is one transaction). */
const CURSOR = 'ledger_report_rows';

/**
 * PostgreSQL: the range is one statement, read PAGE rows at a time through a cursor in a
 * transaction of its own; bigint columns come back as strings. Not a keyset query per page: its
 * plan rests on the table's statistics, and without them (a table not analyzed yet — bulk-filled,
 * restored, or autovacuum off) PostgreSQL fetched and sorted the rest of the range for every page
 * (1 M rows, usage over 7 days: 24 s; the audit's 30 days: over 10 minutes). One statement sorts
 * the range once, whatever the statistics (the audit's 30 days: ~5 s).
 */
async function* knexPages(knex: Knex, filter: RowFilter, select: readonly ReportColumn[]): AsyncGenerator<Partial<ReportRow>[]> {
  const convert = select.map((c) => (NUMBERS.has(c) ? toNumber : NULLABLE_NUMBERS.has(c) ? toNumberOrNull : toText));
  filter.signal?.throwIfAborted();
  const q = knex(LEDGER_TABLE).select(select).where('time_ms', '>=', filter.range.from).andWhere('time_ms', '<', filter.range.to);
  if (filter.sessionId !== undefined) q.andWhere('session_id', filter.sessionId);
  if (filter.modelCalls) q.whereRaw(MODEL_CALLS);
  const { sql, bindings } = q.orderBy([{ column: 'time_ms' }, { column: 'request_id' }]).toSQL();
  const trx = await knex.transaction({ readOnly: true });
  try {
    await trx.raw(`declare ${CURSOR} no scroll cursor for ${sql}`, bindings);
    for (;;) {
      const raw = (await trx.raw(`fetch ${PAGE} from ${CURSOR}`) as { rows: Record<string, unknown>[] }).rows;
      const page = new Array<Partial<ReportRow>>(raw.length);
      for (let r = 0; r < raw.length; r++) {
        const values = raw[r]!;
        const row: Record<string, unknown> = {};
        for (let i = 0; i < select.length; i++) row[select[i]!] = convert[i]!(values[select[i]!]);
        page[r] = row as Partial<ReportRow>;
      }
      yield page;
      if (!await nextPage(raw, filter)) return;
    }
  } finally {
    // Also when the report stops early (its client gone, a reader that stopped): the cursor and the
    // connection are given back. It only read: nothing to keep (knex's rollback never rejects).
    await trx.rollback();
  }
}

const toText = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
