// Lifecycle hooks: identity events (user created, key revoked, …) sent to a webhook — signed with
// HMAC-SHA256 over a timestamp and the body, and retried with backoff — and/or piped as JSON to a local command. Delivery runs
// off the request path: `emit` only queues; `drain` waits for what is in flight (shutdown, CLI).
// Events never carry key material: a key appears only as its public id.
import { spawn } from 'node:child_process';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { retryAfterMs, type JsonObject, type Logger } from '../../core/index.js';
import type { HookOptions } from './hook-options.js';

export interface LifecycleEvent {
  /** Unique per event: receivers use it to drop a delivery they already processed. */
  id: string;
  /** e.g. "key.revoked"; other plugins' gateway events (budget.warning, …) are delivered alike. */
  type: string;
  /** ISO 8601 time of the change. */
  time: string;
  data: JsonObject;
}

export interface HookDispatcher {
  /** Queues the event for delivery; never throws, never waits. */
  emit(type: string, data: JsonObject): void;
  /** Queues an event built elsewhere (a gateway event from another plugin: budget thresholds). */
  deliver(event: LifecycleEvent): void;
  /** Resolves once every queued delivery finished or gave up, or after `timeoutMs`. */
  drain(timeoutMs?: number): Promise<void>;
}

/**
 * The signature receivers should check: a timestamp signed with the body (signatureHeader), which a
 * captured delivery cannot be replayed past.
 */
export const SIGNATURE_HEADER = 'x-sluice-webhook-signature';
/**
 * The first signature, still sent for receivers written against it: `sha256=<hex HMAC of the body>`.
 * It signs no time, so a receiver that checks only it can be fed a captured delivery again.
 */
export const BODY_SIGNATURE_HEADER = 'x-sluice-signature';
/** How far a receiver should let a signature's time be from its clock (Stripe's default too). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const hmac = (secret: string, t: number, body: string) => createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (Stripe's scheme). The time is signed
 * with the body: a receiver that refuses old times cannot be fed a captured delivery later, which
 * a signature over the body alone allowed for ever. Made anew for every attempt (a retry may come
 * minutes after the first).
 */
export function signatureHeader(body: string, secret: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  return `t=${nowSeconds},v1=${hmac(secret, nowSeconds, body)}`;
}

/**
 * What a receiver does (docs: plugins/auth/README.md, "Verifying a delivery"): the signature is one
 * of the header's `v1` values for its `t`, compared in constant time, and `t` is within the
 * tolerance of now (either way: a clock ahead is no licence either).
 */
export function verifySignature(header: string, body: string, secret: string, o: { toleranceSeconds?: number; nowSeconds?: number } = {}): boolean {
  let t: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (t === undefined || signatures.length === 0) return false;
  const now = o.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (o.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return false;
  const expected = Buffer.from(hmac(secret, t, body), 'hex');
  return signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
}

const MAX_BACKOFF_MS = 60_000;
/** The longest `retry-after` honoured (the marketplace's bound too); a longer one is cut to this. */
const MAX_RETRY_AFTER_MS = 3_600_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export function createHookDispatcher(options: HookOptions | undefined, logger: Logger): HookDispatcher {
  const inFlight = new Set<Promise<void>>();
  const wanted = options?.events ? new Set<string>(options.events) : undefined;
  const hasTarget = options?.webhook !== undefined || options?.command !== undefined;

  async function postWebhook(event: LifecycleEvent, body: string): Promise<void> {
    const hook = options!.webhook!;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'sluice-hooks',
      'x-sluice-event': event.type,
      'x-sluice-delivery': event.id,
    };
    const bodySignature = `sha256=${createHmac('sha256', hook.secret).update(body).digest('hex')}`;
    for (let attempt = 0; ; attempt++) {
      headers[SIGNATURE_HEADER] = signatureHeader(body, hook.secret);
      headers[BODY_SIGNATURE_HEADER] = bodySignature;
      let failure: string;
      // A throttled or unavailable receiver's `retry-after`: retrying sooner spends the retries
      // inside the window it asked for, and the event is dropped while it still refuses.
      let askedMs: number | undefined;
      try {
        // Redirects are not followed: fetch would re-send the signed event to wherever the Location
        // points (307/308), or turn the POST into a GET that answers 200 and count the event as
        // delivered (301/302/303) — a moved or hijacked receiver must be seen, not silently obeyed.
        const res = await fetch(hook.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(hook.timeout_ms) });
        await res.body?.cancel();
        if (res.ok) return;
        failure = `HTTP ${res.status}`;
        askedMs = retryAfterMs(res.headers.get('retry-after'));
        if (res.status >= 300 && res.status < 400) {
          logger.error('lifecycle webhook answered a redirect, which is not followed; event dropped (set webhook.url to the final address)', { event: event.type, event_id: event.id, status: res.status });
          return;
        }
        if (!retryable(res.status)) {
          logger.warn('lifecycle webhook refused the event', { event: event.type, event_id: event.id, status: res.status });
          return;
        }
      } catch (err) {
        failure = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      }
      if (attempt >= hook.retries) {
        logger.error('lifecycle webhook failed; event dropped', { event: event.type, event_id: event.id, attempts: attempt + 1, error: failure });
        return;
      }
      await sleep(Math.max(Math.min(hook.backoff_ms * 2 ** attempt, MAX_BACKOFF_MS), Math.min(askedMs ?? 0, MAX_RETRY_AFTER_MS)));
    }
  }

  function runCommand(event: LifecycleEvent, body: string): Promise<void> {
    const { run, timeout_ms } = options!.command!;
    return new Promise((resolve) => {
      const child = spawn(run[0]!, run.slice(1), { stdio: ['pipe', 'ignore', 'pipe'], timeout: timeout_ms });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => { if (stderr.length < 500) stderr += chunk; });
      child.stdin.on('error', () => { /* a command that does not read stdin is not an error */ });
      child.on('error', (err) => {
        logger.error('lifecycle hook command could not run', { event: event.type, event_id: event.id, command: run[0], error: err.message });
        resolve();
      });
      child.on('close', (code, signal) => {
        if (code !== 0) logger.warn('lifecycle hook command failed', { event: event.type, event_id: event.id, command: run[0], exit_code: code, signal, stderr: stderr.slice(0, 500) });
        resolve();
      });
      child.stdin.end(body);
    });
  }

  function track(work: Promise<void>): void {
    const p = work.catch((err: Error) => logger.error('lifecycle hook failed', { error: err.message }))
      .finally(() => { inFlight.delete(p); });
    inFlight.add(p);
  }

  return {
    emit(type, data) {
      this.deliver({ id: randomUUID(), type, time: new Date().toISOString(), data });
    },
    deliver(event) {
      if (!hasTarget || (wanted && !wanted.has(event.type))) return;
      const body = JSON.stringify(event);
      if (options!.webhook) track(postWebhook(event, body));
      if (options!.command) track(runCommand(event, body));
    },
    async drain(timeoutMs = 30_000) {
      if (inFlight.size === 0) return;
      await Promise.race([Promise.allSettled([...inFlight]), sleep(timeoutMs)]);
      if (inFlight.size > 0) logger.warn('lifecycle hooks still being delivered were abandoned', { pending: inFlight.size, waited_ms: timeoutMs });
    },
  };
}
