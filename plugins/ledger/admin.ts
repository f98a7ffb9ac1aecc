// GET /admin/usage and GET /admin/audit: the CLI reports as JSON, with the same parameters
// (since, until, by, session). A bad parameter is a 400 naming it.
import { GatewayError, type AdminHandler, type CommandHost } from '../../core/index.js';
import type { LedgerOptions } from './options.js';
import { parseRange, ReportInputError, type TimeRange } from './reports/range.js';
import type { Grouping } from './reports/usage.js';

function range(query: Readonly<Record<string, string>>, defaultSince: string): TimeRange {
  try {
    return parseRange(query['since'], query['until'], defaultSince);
  } catch (err) {
    if (err instanceof ReportInputError) throw new GatewayError('SLUICE_E_INVALID_REQUEST', err.message.replace(/^--/, ''), { param: err.message.startsWith('--until') ? 'until' : 'since' });
    throw err;
  }
}

const iso = (r: TimeRange) => ({ since: new Date(r.from).toISOString(), until: new Date(r.to).toISOString() });

export function usageRoute(host: CommandHost): AdminHandler {
  return async ({ query }) => {
    // Imported on the first call, like the commands' reports (commands.ts).
    const { GROUPINGS, sessionReport, usageReport } = await import('./reports/usage.js');
    const by = query['by'] ?? 'model';
    if (!(GROUPINGS as readonly string[]).includes(by)) {
      throw new GatewayError('SLUICE_E_INVALID_REQUEST', `by: expected one of ${GROUPINGS.join(', ')}`, { param: 'by' });
    }
    const r = range(query, '7d');
    const knex = await host.database();
    if (query['session'] !== undefined) {
      const report = await sessionReport(knex, r, query['session']);
      return { body: { ...iso(r), session: report.session, turns: report.turns, total: report.total } };
    }
    const report = await usageReport(knex, r, by as Grouping);
    return { body: { ...iso(r), by, rows: report.lines, total: report.total } };
  };
}

export function auditRoute(host: CommandHost, options: () => LedgerOptions): AdminHandler {
  return async ({ query }) => {
    const { auditReport } = await import('./reports/audit.js');
    const r = range(query, '30d');
    const { audit } = options();
    const report = await auditReport(await host.database(), r, { degradationFactor: audit.degradation_factor, baselineDays: audit.baseline_days });
    return { body: { ...iso(r), rows: report.lines } };
  };
}
