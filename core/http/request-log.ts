// The one request log line and metric, shared by the data-plane handler and by everything that
// answers before it (unknown path, wrong method, draining, admin, malformed HTTP, upgrades), so
// every response an operator could ask about is in the log and in sluice_requests_total.
import type { GatewayError } from '../errors.js';
import type { Completion, Outcome } from '../exchange.js';
import type { Logger } from '../observability/logger.js';
import type { RequestMetrics } from './request-metrics.js';

/** Refusals by policy (auth, firewall, limits) rather than failures. */
const POLICY_CODES: ReadonlySet<string> = new Set(['SLUICE_E_BLOCKED', 'SLUICE_E_UNAUTHORIZED', 'SLUICE_E_FORBIDDEN', 'SLUICE_E_RATE_LIMITED']);

export function outcomeFor(error: GatewayError | undefined, status: number, clientGone: boolean): Outcome {
  if (clientGone || error?.code === 'SLUICE_E_CLIENT_CLOSED') return 'client_disconnect';
  if (error && POLICY_CODES.has(error.code)) return 'blocked';
  return error || status >= 400 ? 'error' : 'success';
}

const MAX_LOGGED_NAME = 128;
/** Client-chosen names (models, paths) are logged at most this long: a log line is not a data sink. */
export function boundedForLog(name: string | undefined): string | undefined {
  return name === undefined || name.length <= MAX_LOGGED_NAME ? name : `${name.slice(0, MAX_LOGGED_NAME)}…(${name.length} chars)`;
}

/** A request answered without reaching the data-plane handler. */
export interface Rejection {
  id: string;
  /** Fixed label for logs and metrics: 'none' when no endpoint matched, 'admin' for /admin. */
  endpoint: string;
  method: string;
  path: string;
  status: number;
  error: GatewayError | undefined;
  receivedAt: number;
}

export type RecordRejection = (r: Rejection) => void;

export function createRejectionRecorder(logger: Logger, metrics: RequestMetrics): RecordRejection {
  return (r) => {
    const totalMs = performance.now() - r.receivedAt;
    const outcome = outcomeFor(r.error, r.status, false);
    const completion: Completion = { outcome, status: r.status, usage: undefined, error: r.error, firstByteMs: totalMs, totalMs };
    metrics.record({ id: r.endpoint }, undefined, completion);
    logger.info('request', {
      request_id: r.id, endpoint: r.endpoint, method: boundedForLog(r.method), path: boundedForLog(r.path), stream: false,
      status: r.status, outcome, error: r.error?.code, ms: round(totalMs), ttfb_ms: round(totalMs),
    });
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
