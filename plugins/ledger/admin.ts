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

/**
 * A time whose offset came unencoded in the URL (`?since=2026-03-01T09:00+05:30`, as docs/ledger.md
 * writes it): the query's decoding (form rules, core's) reads that `+` as a space, and the time
 * was refused. No time has a space before its offset, so it is read back as the `+` it was.
 */
const OFFSET_AS_SPACE = /^(\d{4}-\d{2}-\d{2}T\S+) (\d{2}(?::?\d{2})?)$/;
const timeParam = (value: string | undefined) => value?.replace(OFFSET_AS_SPACE, '$1+$2');

/** Reports waiting for their turn beyond which another is refused (429) rather than queued. */
const MAX_WAITING = 16;

/**
 * Runs the gateway's reports one at a time. A report reads its whole range and holds its groups'
 * latencies in memory: four at once over half a million SQLite rows took a gateway from 148 to
 * 625 MB and its /health to ~0.5 s (QA), where one after another each takes what one takes. A
 * report whose client left (`signal`) is not started, and one running stops at its next page: a
 * dashboard polling with a timeout would otherwise queue reports nobody reads (QA: a 1-hour report
 * waited 79 s behind three abandoned 30-day ones).
 */
export function reportQueue(): <T>(signal: AbortSignal, run: () => Promise<T>) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  let waiting = 0;
  return (signal, run) => {
    if (waiting >= MAX_WAITING) throw new GatewayError('SLUICE_E_RATE_LIMITED', `${waiting} reports are already waiting for their turn; retry later`, { retryAfter: '5' });
    waiting++;
    const turn = last.then(() => { waiting--; signal.throwIfAborted(); return run(); });
    last = turn.catch(() => undefined);
    return turn;
  };
}
export type ReportQueue = ReturnType<typeof reportQueue>;

export function usageRoute(host: CommandHost, queue: ReportQueue): AdminHandler {
  return ({ query, signal }) => checked(query, USAGE_PARAMS, async () => {
    // Imported on the first call, like the commands' reports (commands.ts).
    const { defaultSince, groupingOf, sessionJson, sessionOf, sessionReport, usageJson, usageReport } = await import('./reports/usage.js');
    const session = sessionOf(query['session'], query['by']);
    const by = groupingOf(query['by']);
    const r = parseRange(timeParam(query['since']), timeParam(query['until']), defaultSince(session));
    return queue(signal, async () => {
      const knex = await host.database();
      if (session !== undefined) return { body: sessionJson(await sessionReport(knex, r, session, signal)) };
      return { body: usageJson(await usageReport(knex, r, by, signal)) };
    });
  });
}

export function auditRoute(host: CommandHost, options: () => LedgerOptions, queue: ReportQueue): AdminHandler {
  return ({ query, signal }) => checked(query, AUDIT_PARAMS, async () => {
    const { auditJson, auditReport } = await import('./reports/audit.js');
    const r = parseRange(timeParam(query['since']), timeParam(query['until']), '30d');
    const { audit } = options();
    return queue(signal, async () => ({ body: auditJson(await auditReport(await host.database(), r, { degradationFactor: audit.degradation_factor, baselineDays: audit.baseline_days, signal })) }));
  });
}
