// `sluice usage` and `sluice audit`: reports over the config's database.
import { parseArgs } from 'node:util';
import { describeParseError, type CommandHost, type CommandIO, type PluginCommand } from '../../core/index.js';
import type { LedgerOptions } from './options.js';
import { LEDGER_TABLE } from './row.js';
import type { AuditLine } from './reports/audit.js';
import { parseRange, ReportInputError } from './reports/range.js';

// The reports and their formatting are imported when a command runs: every other command (and
// `config validate`) loads this plugin for its definition only.
const reports = () => Promise.all([import('./reports/usage.js'), import('./reports/audit.js'), import('./reports/format.js')]);

export const USAGE_HELP = `Usage: sluice usage [--since 7d|DATE] [--until …] [--by user|team|key|model|provider|session|day] [--json|--csv]
       sluice usage --session ID [--since …] [--until …] [--json|--csv]

Requests, tokens by class (input never includes cached tokens), web searches and fetches billed per
call, cost, errors and p50 latency and TTFB from the ledger, grouped (default: by model); --session
shows one agent session turn by turn. Costs come from the price table, at the service tier that
served each request; rows of unpriced models (or tiers, or calls) are counted as 'unpriced', not as 0.

Options:
  -c, --config FILE   the config whose database to read
      --since WHEN    start: 7d, 24h, 30m, 2w, a date (YYYY-MM-DD, UTC) or an ISO time (default 7d before --until)
      --until WHEN    end, not included (default now); a time without a zone is UTC
      --by KEY        user, team, key, model, provider, session or day
      --session ID    one session's requests in order (all of them unless --since or --until narrows it)
      --json          JSON
      --csv           CSV
  -h, --help          show this help`;

export const AUDIT_HELP = `Usage: sluice audit [--since 30d] [--until …] [--json|--csv]

Per provider and model, by day: TTFB and latency p50/p95, output tokens per second, error and
fallback rates, billed-vs-local token drift, and days flagged as degraded (TTFB p50 or tokens/s worse
than the trailing baseline by audit.degradation_factor).

Options:
  -c, --config FILE   the config whose database to read
      --since WHEN    start, rounded down to its UTC day (default 30d before --until)
      --until WHEN    end, not included (default now); a time without a zone is UTC
      --json          JSON
      --csv           CSV
  -h, --help          show this help`;

// The per-call fee columns came later: last, so the earlier columns keep their places (scripts that cut CSV by position).
export const USAGE_COLUMNS = ['requests', 'errors', 'blocked', 'disconnects', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_usd', 'unpriced', 'estimated', 'p50_latency_ms', 'p50_ttfb_ms', 'web_search_calls', 'web_fetch_calls'];
export const SESSION_COLUMNS = ['turn', 'time', 'request_id', 'model', 'provider', 'status', 'outcome', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_usd', 'latency_ms', 'ttfb_ms', 'findings'];
export const AUDIT_COLUMNS = ['day', 'provider', 'model', 'requests', 'ttfb_p50_ms', 'ttfb_p95_ms', 'latency_p50_ms', 'latency_p95_ms', 'tokens_per_s_p50', 'error_rate', 'fallback_rate', 'input_drift_pct', 'output_drift_pct', 'mismatched', 'other_model_answers', 'degraded', 'degradation'];
/** The table shows the reason where the day is flagged, in one column. */
const AUDIT_TABLE_COLUMNS = AUDIT_COLUMNS.filter((c) => c !== 'degradation');

const write = (stream: NodeJS.WritableStream, text: string) => { stream.write(text.endsWith('\n') ? text : `${text}\n`); };

type Values = Record<string, string | boolean | undefined>;

function parse(args: string[], options: Record<string, { type: 'string' | 'boolean' }>, help: string, io: CommandIO): Values | number {
  let values: Values;
  try {
    const parsed = parseArgs({ args, options: { ...options, json: { type: 'boolean' }, csv: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false, tokens: true });
    values = parsed.values as Values;
    // parseArgs keeps the last of a repeated flag; `--since 7d --since 2w` is a mistake to name, as
    // a repeated query parameter is over HTTP.
    const seen = new Set<string>();
    for (const tok of parsed.tokens) {
      if (tok.kind !== 'option') continue;
      if (seen.has(tok.name)) throw new ReportInputError(tok.name, 'given more than once');
      seen.add(tok.name);
    }
  } catch (err) {
    write(io.stderr, `sluice: ${err instanceof ReportInputError ? err.flagMessage : describeParseError(err)}\n\n${help}`);
    return 2;
  }
  if (values['help']) { write(io.stdout, help); return 0; }
  if (values['json'] && values['csv']) { write(io.stderr, `sluice: --json and --csv exclude each other\n\n${help}`); return 2; }
  return values;
}

async function guarded(io: CommandIO, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ReportInputError) { write(io.stderr, `sluice: ${err.flagMessage}`); return 2; }
    throw err;
  }
}

export const usageCommand: PluginCommand<LedgerOptions> = {
  summary: 'tokens, cost and latency from the ledger, by user, team, key, model, provider, session or day',
  usage: USAGE_HELP,
  readsOnly: true,
  readsTables: [LEDGER_TABLE],
  async run(args, _options, io, host: CommandHost) {
    const values = parse(args, { since: { type: 'string' }, until: { type: 'string' }, by: { type: 'string' }, session: { type: 'string' } }, USAGE_HELP, io);
    if (typeof values === 'number') return values;
    return guarded(io, async () => {
      const [{ defaultSince, groupingOf, sessionJson, sessionOf, sessionReport, usageJson, usageReport }, , { csv, humanTable }] = await reports();
      const session = sessionOf(values['session'] as string | undefined, values['by'] as string | undefined);
      const by = groupingOf(values['by'] as string | undefined);
      const range = parseRange(values['since'] as string | undefined, values['until'] as string | undefined, defaultSince(session));
      const knex = await host.database();
      if (session !== undefined) {
        const report = await sessionReport(knex, range, session);
        if (values['json']) write(io.stdout, JSON.stringify(sessionJson(report), null, 2));
        else if (values['csv']) write(io.stdout, csv(report.turns, SESSION_COLUMNS));
        else write(io.stdout, report.turns.length ? `${humanTable(report.turns, SESSION_COLUMNS)}\n\n${totalLine(report.total)}${report.loops ? `; loops noted or stopped on ${report.loops} turn${report.loops === 1 ? '' : 's'}` : ''}` : `no requests for session ${session} in this range`);
        return 0;
      }
      const report = await usageReport(knex, range, by);
      const columns = [by, ...USAGE_COLUMNS];
      if (values['json']) write(io.stdout, JSON.stringify(usageJson(report), null, 2));
      else if (values['csv']) write(io.stdout, csv(report.lines, columns));
      // The table names the group of rows without a value (null in JSON, empty in CSV).
      else write(io.stdout, report.lines.length ? humanTable([...report.lines.map((l) => (l[by] === null ? { ...l, [by]: '(none)' } : l)), report.total], columns) : 'no requests in this range');
      return 0;
    });
  },
};

function totalLine(t: Record<string, string | number | null>): string {
  return `${t['requests']} requests, ${t['input_tokens']} input + ${t['cache_read_tokens']} cache-read + ${t['cache_write_tokens']} cache-write + ${t['output_tokens']} output tokens, ${t['cost_usd'] === null ? 'cost unknown' : `$${Number(t['cost_usd']).toFixed(6)}`}${t['unpriced'] ? ` (+${t['unpriced']} unpriced)` : ''}`;
}

export const auditCommand: PluginCommand<LedgerOptions> = {
  summary: 'per provider and model by day: TTFB, latency, tokens/s, errors, fallbacks, token drift, degradations',
  usage: AUDIT_HELP,
  readsOnly: true,
  readsTables: [LEDGER_TABLE],
  async run(args, options, io, host) {
    const values = parse(args, { since: { type: 'string' }, until: { type: 'string' } }, AUDIT_HELP, io);
    if (typeof values === 'number') return values;
    return guarded(io, async () => {
      const [, { auditJson, auditReport }, { csv, humanTable }] = await reports();
      const range = parseRange(values['since'] as string | undefined, values['until'] as string | undefined, '30d');
      const report = await auditReport(await host.database(), range, { degradationFactor: options.audit.degradation_factor, baselineDays: options.audit.baseline_days });
      if (values['json']) write(io.stdout, JSON.stringify(auditJson(report), null, 2));
      else if (values['csv']) write(io.stdout, csv(report.lines, AUDIT_COLUMNS));
      else write(io.stdout, report.lines.length ? humanTable(report.lines.map(flagged), AUDIT_TABLE_COLUMNS) : 'no model calls in this range');
      return 0;
    });
  },
};

const flagged = (l: AuditLine): Record<string, string | number | null> => ({ ...l, degraded: l.degraded ? `DEGRADED: ${l.degradation}` : '' });
