// How GET /admin/usage and GET /admin/audit are described in GET /admin/openapi.json: their query
// parameters and the JSON they answer (usageJson, sessionJson, auditJson; docs/ledger.md, "Reports").
// Built at setup, not when the module loads: the CLI's report commands import the plugin too.
import { z, type AdminRouteDoc } from '../../core/index.js';
import { GROUPINGS } from './reports/groupings.js';

export function ledgerAdminDocs(): { usage: AdminRouteDoc; audit: AdminRouteDoc } {
  const count = z.number().int().nonnegative();
  const nullableNumber = z.number().nullable();
  const range = { since: z.string().describe('ISO time: the range read starts here (inclusive)'), until: z.string().describe('ISO time: the range ends here (exclusive)') };

  const usageLine = z.object({
    requests: count, errors: count, blocked: count, disconnects: count,
    input_tokens: count, output_tokens: count, cache_read_tokens: count, cache_write_tokens: count, reasoning_tokens: count,
    cost_usd: nullableNumber.describe('USD of the priced rows; null when every row with tokens was unpriced (unknown, not 0)'),
    unpriced: count.describe('Rows with tokens and no price'),
    estimated: count.describe('Rows whose tokens were estimated or partial'),
    p50_latency_ms: nullableNumber, p50_ttfb_ms: nullableNumber, web_search_calls: count, web_fetch_calls: count,
  }).catchall(z.string().nullable()).describe('One group: its value under the grouping\'s name (`model`, `user`, …; null for rows without one, "TOTAL" for the total), then the figures');

  const sessionTurn = z.object({
    turn: count, time: z.string(), request_id: z.string(), model: z.string().nullable(), provider: z.string().nullable(),
    status: count, outcome: z.enum(['success', 'error', 'blocked', 'client_disconnect']),
    input_tokens: count, output_tokens: count, cache_read_tokens: count, cache_write_tokens: count, reasoning_tokens: count,
    cost_usd: nullableNumber, latency_ms: z.number(), ttfb_ms: nullableNumber,
    findings: z.string().nullable().describe('TYPE=count:action, comma-separated; @response after one found in the answer'),
  });

  const usageResponse = z.union([
    z.object({ ...range, by: z.enum(GROUPINGS), rows: z.array(usageLine), total: usageLine }).describe('A usage report (no `session`)'),
    z.object({ ...range, session: z.string(), turns: z.array(sessionTurn), loops: count.describe('Turns on which the loop detector noted or stopped a repeat'), total: usageLine })
      .describe('One session turn by turn (`session=ID`)'),
  ]);

  const auditRow = z.object({
    day: z.string(), provider: z.string(), model: z.string(), requests: count,
    ttfb_p50_ms: nullableNumber, ttfb_p95_ms: nullableNumber, latency_p50_ms: nullableNumber, latency_p95_ms: nullableNumber, tokens_per_s_p50: nullableNumber,
    error_rate: nullableNumber.describe('0–1: the provider\'s failures over the requests it answered'),
    fallback_rate: z.number().describe('0–1: attempts that failed over or were retried'),
    input_drift_pct: nullableNumber, output_drift_pct: nullableNumber, mismatched: count, other_model_answers: count,
    degraded: z.boolean(), degradation: z.string().nullable(),
  });

  const busy = { 429: 'Too many reports already waiting for their turn (retry-after)' };
  const when = 'A duration back from now (30m, 24h, 7d, 2w), a date (UTC midnight) or an ISO time';

  const usage: AdminRouteDoc = {
    summary: 'Usage by user, team, key, model, provider, session or day — or one session turn by turn (`sluice usage`)',
    tag: 'usage',
    query: {
      since: `Start of the range (default 7d; the whole session with \`session\`). ${when}`,
      until: `End of the range, exclusive (default now). ${when}`,
      by: `Grouping: ${GROUPINGS.join(', ')} (default model); not with \`session\``,
      session: 'A session id: its requests turn by turn',
    },
    response: usageResponse,
    errors: busy,
  };

  const audit: AdminRouteDoc = {
    summary: 'Per UTC day, provider and served model: TTFB and latency percentiles, tokens/s, error and fallback rates, token drift, degradation (`sluice audit`)',
    tag: 'usage',
    query: { since: `Start of the range, rounded down to its UTC day (default 30d). ${when}`, until: `End of the range, exclusive (default now). ${when}` },
    response: z.object({ ...range, rows: z.array(auditRow) }),
    errors: busy,
  };
  return { usage, audit };
}
