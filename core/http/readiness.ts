// GET /ready: whether this instance can serve. Every registered check runs (at most 2 s each); a
// failing required one makes the answer 503, a failing optional one (a dependency the instance
// serves without, such as Redis behind a rate limiter that admits unchecked) is reported as
// degraded with a 200 — every instance shares that dependency, and a load balancer that took them
// all out over it would cause the outage the gateway was built to ride out.

import { GatewayError } from '../errors.js';

/** What a request (or a WebSocket upgrade) arriving once the shutdown has begun is answered. */
export const shuttingDown = (): GatewayError => new GatewayError('SLUICE_E_SHUTTING_DOWN', 'the gateway is shutting down; retry on another instance');

export interface ReadinessCheck {
  check(): Promise<void>;
  /** Read at each probe: whether this instance cannot serve while the check fails. */
  required(): boolean;
}

export interface ReadinessAnswer {
  ok: boolean;
  body: { status: 'ready' | 'degraded' | 'not ready' | 'shutting down'; checks: Record<string, string>; degraded?: string[] };
}

/** The answer once a shutdown has begun, whatever the checks would say. */
export const SHUTTING_DOWN: Readonly<ReadinessAnswer> = { ok: false, body: { status: 'shutting down', checks: {} } };

const CHECK_TIMEOUT_MS = 2000;

export function readinessCheck(check: () => Promise<void>, required: boolean | (() => boolean) = true): ReadinessCheck {
  return { check, required: typeof required === 'function' ? required : () => required };
}

/** `timeoutMs`: how long each check may take (a test shortens it). */
export async function ready(checks: ReadonlyMap<string, ReadinessCheck>, timeoutMs = CHECK_TIMEOUT_MS): Promise<ReadinessAnswer> {
  const results: Record<string, string> = {};
  const degraded: string[] = [];
  let ok = true;
  await Promise.all([...checks].map(async ([name, { check, required }]) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      // The timer fires before the event loop reads its sockets: after a busy spell longer than the
      // timeout, a dependency that had answered would read as timed out. Deciding after one poll
      // phase (setImmediate) takes that answer; only a check still silent is a timeout.
      await Promise.race([check(), new Promise((_, reject) => { timer = setTimeout(() => setImmediate(() => reject(new Error('timeout'))), timeoutMs); })]);
      results[name] = 'ok';
    } catch (err) {
      if (required()) ok = false;
      else degraded.push(name);
      // Only the error class: connection strings and hosts stay out of public output.
      results[name] = `failed: ${(err as { code?: string }).code ?? (err as Error).name ?? 'error'}`;
    } finally {
      clearTimeout(timer);
    }
  }));
  if (!ok) return { ok, body: { status: 'not ready', checks: results } };
  if (degraded.length === 0) return { ok, body: { status: 'ready', checks: results } };
  return { ok, body: { status: 'degraded', checks: results, degraded: degraded.sort() } };
}
