// GET /admin/usage and GET /admin/audit: the CLI reports as JSON, with the same parameters
// (since, until, by, session). A bad or unknown parameter is a 400 naming it.
import { GatewayError, type AdminHandler, type CommandHost } from '../../core/index.js';
import type { LedgerOptions } from './options.js';
import { parseRange, ReportInputError, type TimeRange } from './reports/range.js';

const USAGE_PARAMS = ['since', 'until', 'by', 'session'] as const;
const AUDIT_PARAMS = ['since', 'until'] as const;

/** Runs a report, its input errors (and unknown parameters: a misspelt one would widen the report silently) as 400s. */
async function checked<T>(query: Readonly<Record<string, string>>, known: readonly string[], run: () => Promise<T>): Promise<T> {
  try {
    for (const name of Object.keys(query)) {
      if (!known.includes(name)) throw new ReportInputError(name.slice(0, 40), `unknown parameter (known: ${known.join(', ')})`);
    }
    return await run();
  } catch (err) {
    if (err instanceof ReportInputError) throw new GatewayError('SLUICE_E_INVALID_REQUEST', err.message, { param: err.param });
    throw err;
  }
}

const iso = (r: TimeRange) => ({ since: new Date(r.from).toISOString(), until: new Date(r.to).toISOString() });

export function usageRoute(host: CommandHost): AdminHandler {
  return ({ query }) => checked(query, USAGE_PARAMS, async () => {
    // Imported on the first call, like the commands' reports (commands.ts).
    const { groupingOf, sessionOf, sessionReport, usageReport } = await import('./reports/usage.js');
    const session = sessionOf(query['session'], query['by']);
    const by = groupingOf(query['by']);
    const r = parseRange(query['since'], query['until'], '7d');
    const knex = await host.database();
    if (session !== undefined) {
      const report = await sessionReport(knex, r, session);
      return { body: { ...iso(r), session: report.session, turns: report.turns, loops: report.loops, total: report.total } };
    }
    const report = await usageReport(knex, r, by);
    return { body: { ...iso(r), by, rows: report.lines, total: report.total } };
  });
}

export function auditRoute(host: CommandHost, options: () => LedgerOptions): AdminHandler {
  return ({ query }) => checked(query, AUDIT_PARAMS, async () => {
    const { auditReport } = await import('./reports/audit.js');
    const r = parseRange(query['since'], query['until'], '30d');
    const { audit } = options();
    const report = await auditReport(await host.database(), r, { degradationFactor: audit.degradation_factor, baselineDays: audit.baseline_days });
    return { body: { since: new Date(report.range.from).toISOString(), until: new Date(report.range.to).toISOString(), rows: report.lines } };
  });
}
