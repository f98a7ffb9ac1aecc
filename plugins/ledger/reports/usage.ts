// `sluice usage` and GET /admin/usage: requests, token classes, cost, errors and p50 latency/TTFB
// grouped by user, team, key, model, provider, session or day; or one session turn by turn.
import type { Knex } from 'knex';
import { readRows, type ReportColumn, type ReportRow } from './read.js';
import { isoRange, ReportInputError, type TimeRange } from './range.js';
import { presentColumns } from './optional-columns.js';
import { percentile, round } from './stats.js';
import { GROUPINGS, type Grouping } from './groupings.js';

/** The grouping asked for (default: by model). */
export function groupingOf(by: string | undefined): Grouping {
  if (by === undefined) return 'model';
  if (!(GROUPINGS as readonly string[]).includes(by)) throw new ReportInputError('by', `expected one of ${GROUPINGS.join(', ')}, got '${by.slice(0, 40)}'`);
  return by as Grouping;
}

/** The session asked for, if any: a session report lists turns, so a grouping does not apply to it. */
export function sessionOf(session: string | undefined, by: string | undefined): string | undefined {
  if (session === undefined) return undefined;
  if (session.trim() === '') throw new ReportInputError('session', 'expected a session id');
  // No row holds one (a session id is 1–128 of A–Z a–z 0–9 . _ : @ -), and PostgreSQL cannot even
  // compare text holding a NUL: the report failed as the database's error (a 500 at /admin/usage).
  if (/[\u0000-\u001f\u007f]/.test(session)) throw new ReportInputError('session', 'a session id has no control characters');
  if (by !== undefined) throw new ReportInputError('by', 'a session report lists its turns; it takes no grouping');
  return session;
}

/**
 * Where a report starts without `--since`: a usage report covers the last 7 days; a session report
 * the whole session, however long ago it began (a 7-day window dropped a long-running agent's early
 * turns without a word). Its query goes by the session index, so the open start costs nothing.
 */
export const defaultSince = (session: string | undefined): string => (session === undefined ? '7d' : '1970-01-01');

export interface UsageLine {
  [key: string]: string | number | null;
  requests: number;
  errors: number;
  blocked: number;
  disconnects: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  /** Calls billed per request (web search, web fetch): their cost is in cost_usd where priced. */
  web_search_calls: number;
  web_fetch_calls: number;
  /** Sum of the priced rows' costs (USD); null when every row with tokens was unpriced (unknown, not 0). */
  cost_usd: number | null;
  /** Rows with tokens whose model has no price: their cost is unknown, not 0. */
  unpriced: number;
  /** Rows whose tokens were estimated (no usage report, or a cut stream's remainder). */
  estimated: number;
  p50_latency_ms: number | null;
  p50_ttfb_ms: number | null;
}

/** What add() reads of a row. */
const ADDED = ['outcome', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_total', 'usage_source', 'latency_ms', 'ttfb_ms'] as const;
/** Added by a later migration: read where the table has them. */
const FEE_COLUMNS = ['web_search_calls', 'web_fetch_calls'] as const;
type Added = Pick<ReportRow, (typeof ADDED)[number]> & Partial<Pick<ReportRow, (typeof FEE_COLUMNS)[number]>>;

/** The column each grouping reads; `model` falls back to the requested model where none was served. */
const GROUP_COLUMN = {
  user: 'user_id', team: 'team_id', key: 'key_id', session: 'session_id', day: 'day', model: 'served_model', provider: 'provider',
} as const satisfies Record<Grouping, ReportColumn>;
type Grouped = Partial<Pick<ReportRow, (typeof GROUP_COLUMN)[Grouping] | 'requested_model'>>;
const groupOf = (by: Grouping, r: Grouped): string | null => r[GROUP_COLUMN[by]] ?? (by === 'model' ? r.requested_model : null) ?? null;
/** What a session's turn shows beyond add()'s columns. */
const TURN = ['request_id', 'time_ms', 'served_model', 'requested_model', 'provider', 'status', 'findings'] as const;

interface Acc { line: UsageLine; cost: number; priced: number; latency: number[]; ttfb: number[] }

function emptyLine(label: string, value: string | null): Acc {
  return {
    line: {
      [label]: value, requests: 0, errors: 0, blocked: 0, disconnects: 0, input_tokens: 0, output_tokens: 0, cache_read_tokens: 0,
      cache_write_tokens: 0, reasoning_tokens: 0, cost_usd: 0, unpriced: 0, estimated: 0, p50_latency_ms: null, p50_ttfb_ms: null, web_search_calls: 0, web_fetch_calls: 0,
    },
    cost: 0, priced: 0, latency: [], ttfb: [],
  };
}

function add(acc: Acc, r: Added): void {
  const l = acc.line;
  l.requests++;
  if (r.outcome === 'error') l.errors++;
  else if (r.outcome === 'blocked') l.blocked++;
  else if (r.outcome === 'client_disconnect') l.disconnects++;
  l.input_tokens += r.input_tokens;
  l.output_tokens += r.output_tokens;
  l.cache_read_tokens += r.cache_read_tokens;
  l.cache_write_tokens += r.cache_write_tokens;
  l.reasoning_tokens += r.reasoning_tokens;
  l.web_search_calls += r.web_search_calls ?? 0;
  l.web_fetch_calls += r.web_fetch_calls ?? 0;
  // Priced and unpriced are counted among rows with tokens only: a refusal's cost is a known 0 (it
  // billed nothing), which says nothing of what the group's unpriced tokens cost.
  const tokens = r.input_tokens + r.output_tokens + r.cache_read_tokens + r.cache_write_tokens > 0;
  if (r.cost_total !== null) { acc.cost += r.cost_total; if (tokens) acc.priced++; } else if (tokens) l.unpriced++;
  if (r.usage_source === 'estimated' || r.usage_source === 'partial') l.estimated++;
  acc.latency.push(r.latency_ms);
  if (r.ttfb_ms !== null) acc.ttfb.push(r.ttfb_ms);
}

function finish(acc: Acc): UsageLine {
  acc.line.cost_usd = acc.priced === 0 && acc.line.unpriced > 0 ? null : round(acc.cost, 9)!;
  acc.line.p50_latency_ms = round(percentile(acc.latency, 50), 1);
  acc.line.p50_ttfb_ms = round(percentile(acc.ttfb, 50), 1);
  return acc.line;
}

export interface UsageReport { by: Grouping; range: TimeRange; lines: UsageLine[]; total: UsageLine }

export async function usageReport(knex: Knex, range: TimeRange, by: Grouping, signal?: AbortSignal): Promise<UsageReport> {
  // Rows without the grouping's value (no user without auth, no model on a 404) are one group, null.
  const groups = new Map<string | null, Acc>();
  const total = emptyLine(by, 'TOTAL');
  const fees = await presentColumns(knex, FEE_COLUMNS);
  for await (const r of readRows(knex, { range, signal }, [...ADDED, ...fees, GROUP_COLUMN[by], ...(by === 'model' ? ['requested_model' as const] : [])])) {
    const value = groupOf(by, r);
    let acc = groups.get(value);
    if (!acc) groups.set(value, acc = emptyLine(by, value));
    add(acc, r);
    add(total, r);
  }
  // Days in order; everything else by cost, then requests.
  const lines = [...groups.values()].map(finish).sort(by === 'day'
    ? (a, b) => String(a[by]).localeCompare(String(b[by]))
    : (a, b) => (b.cost_usd ?? 0) - (a.cost_usd ?? 0) || b.requests - a.requests || String(a[by] ?? '').localeCompare(String(b[by] ?? '')));
  return { by, range, lines, total: finish(total) };
}

/** The report as JSON, the same from `sluice usage --json` and GET /admin/usage. */
export const usageJson = (r: UsageReport) => ({ ...isoRange(r.range), by: r.by, rows: r.lines, total: r.total });

/** A session's report as JSON, the same from `sluice usage --session ID --json` and GET /admin/usage?session=ID. */
export const sessionJson = (r: SessionReport) => ({ ...isoRange(r.range), session: r.session, turns: r.turns, loops: r.loops, total: r.total });

export interface SessionTurn {
  [key: string]: string | number | null;
  turn: number;
  time: string;
  request_id: string;
  model: string | null;
  provider: string | null;
  status: number;
  outcome: string;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_usd: number | null;
  latency_ms: number;
  ttfb_ms: number | null;
  /** What the plugins found on the turn (a loop the detector noted or stopped, a firewall finding): `TYPE=count:action`, comma-separated, `@response` after one found in the answer; null when nothing. */
  findings: string | null;
}

export interface SessionReport {
  session: string;
  range: TimeRange;
  turns: SessionTurn[];
  /** Turns on which the loop detector noted or stopped a repeat (REPEATED_TOOL_CALL, TOOL_CYCLE, TOOL_FAILURE_STREAK). */
  loops: number;
  total: UsageLine;
}

interface StoredFinding { source?: unknown; type?: unknown; count?: unknown; action?: unknown; direction?: unknown }

/** A row's stored findings, read defensively (the column is JSON text another version may have written). */
function parseFindings(json: string | null): StoredFinding[] {
  if (!json) return [];
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((f): f is StoredFinding => typeof f === 'object' && f !== null) : [];
  } catch {
    return [];
  }
}

export async function sessionReport(knex: Knex, range: TimeRange, sessionId: string, signal?: AbortSignal): Promise<SessionReport> {
  const turns: SessionTurn[] = [];
  let loops = 0;
  const total = emptyLine('session', sessionId);
  for await (const r of readRows(knex, { range, sessionId, signal }, [...ADDED, ...TURN])) {
    add(total, r);
    const found = parseFindings(r.findings);
    if (found.some((f) => f.source === 'dedupe')) loops++;
    turns.push({
      turn: turns.length + 1, time: new Date(r.time_ms).toISOString(), request_id: r.request_id,
      model: r.served_model ?? r.requested_model, provider: r.provider, status: r.status, outcome: r.outcome,
      input_tokens: r.input_tokens, output_tokens: r.output_tokens, cache_read_tokens: r.cache_read_tokens,
      cache_write_tokens: r.cache_write_tokens, reasoning_tokens: r.reasoning_tokens,
      cost_usd: round(r.cost_total, 9), latency_ms: round(r.latency_ms, 1)!, ttfb_ms: round(r.ttfb_ms, 1),
      findings: found.length ? found.map((f) => `${String(f.type)}=${Number(f.count)}:${String(f.action)}${f.direction === 'response' ? '@response' : ''}`).join(',') : null,
    });
  }
  return { session: sessionId, range, turns, loops, total: finish(total) };
}
