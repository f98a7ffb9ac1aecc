// GET /admin/usage and GET /admin/audit: the CLI reports as JSON, with the same parameters
// (since, until, by, session). A bad or unknown parameter is a 400 naming it.
import { GatewayError, type AdminHandler, type CommandHost } from '../../core/index.js';
import type { LedgerOptions } from './options.js';
import { parseRange, ReportInputError } from './reports/range.js';

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

export function usageRoute(host: CommandHost): AdminHandler {
  return ({ query }) => checked(query, USAGE_PARAMS, async () => {
    // Imported on the first call, like the commands' reports (commands.ts).
    const { groupingOf, sessionJson, sessionOf, sessionReport, usageJson, usageReport } = await import('./reports/usage.js');
    const session = sessionOf(query['session'], query['by']);
    const by = groupingOf(query['by']);
    const r = parseRange(query['since'], query['until'], '7d');
    const knex = await host.database();
    if (session !== undefined) return { body: sessionJson(await sessionReport(knex, r, session)) };
    return { body: usageJson(await usageReport(knex, r, by)) };
  });
}

export function auditRoute(host: CommandHost, options: () => LedgerOptions): AdminHandler {
  return ({ query }) => checked(query, AUDIT_PARAMS, async () => {
    const { auditJson, auditReport } = await import('./reports/audit.js');
    const r = parseRange(query['since'], query['until'], '30d');
    const { audit } = options();
    return { body: auditJson(await auditReport(await host.database(), r, { degradationFactor: audit.degradation_factor, baselineDays: audit.baseline_days })) };
  });
}
