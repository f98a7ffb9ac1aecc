// One record per finished request — data plane and everything answered before it (unknown path,
// wrong method, draining, admin, malformed HTTP, upgrades) — logged once, counted once, and handed
// to every plugin's onRequest, so a ledger can count every request an operator could ask about.
import { specOf, type GatewayError } from '../errors.js';
import type { Attempt, Completion, Exchange, Outcome, Principal } from '../exchange.js';
import { logLine, plainLineWriter, type LogFields, type Logger } from '../observability/logger.js';
import type { RequestRecord } from '../plugin/request-record.js';
import type { ApiFamily, Usage } from '../protocols/types.js';
import { errorDetail } from './error-detail.js';
import { msJson, round3 } from './ms-text.js';
import { maskPathCredentials } from './path-credentials.js';
import type { RequestMetrics } from './request-metrics.js';
import { randomBytes } from 'node:crypto';

/** This process's part of an arrival key: eight base-36 digits (40 random bits); then the sequence. */
const PROCESS_TAG = randomBytes(5).readUIntBE(0, 5).toString(36).padStart(8, '0');
let arrivals = 0;

/** Refusals by policy (auth, firewall, limits) rather than failures; plugin codes say so in their spec. */
const POLICY_CODES = new Set<string>(['SLUICE_E_BLOCKED', 'SLUICE_E_UNAUTHORIZED', 'SLUICE_E_FORBIDDEN', 'SLUICE_E_RATE_LIMITED']);
const isPolicy = (code: string) => POLICY_CODES.has(code) || specOf(code)?.outcome === 'blocked';

export function outcomeFor(error: GatewayError | undefined, status: number, clientGone: boolean): Outcome {
  if (clientGone || error?.code === 'SLUICE_E_CLIENT_CLOSED') return 'client_disconnect';
  if (error && isPolicy(error.code)) return 'blocked';
  return error || status >= 400 ? 'error' : 'success';
}

const MAX_LOGGED_NAME = 128;
/** Client-chosen names (models, paths) are logged at most this long: a log line is not a data sink. */
export function boundedForLog(name: string | undefined): string | undefined {
  return name === undefined || name.length <= MAX_LOGGED_NAME ? name : `${name.slice(0, MAX_LOGGED_NAME)}…(${name.length} chars)`;
}

/**
 * The model as logged and recorded: a client's name, which may be a key pasted where the model goes
 * (`/v1/models/sk-…`, Gemini's `models/AIza…:generateContent`, `"model": "sk-…"`) — cut as paths are.
 */
function recordedModel(name: string | undefined): string | undefined {
  return name === undefined ? undefined : maskPathCredentials(name);
}

/**
 * The usage as logged and recorded: the model the answer named is the client's name echoed back
 * by some servers (the loopback model, OpenAI-compatible ones), a key pasted there included.
 */
function recordedUsage(usage: Usage | undefined): Usage | undefined {
  const answered = usage?.answeredModel;
  if (answered === undefined) return usage;
  const masked = maskPathCredentials(answered);
  return masked === answered ? usage : { ...usage!, answeredModel: masked };
}

export interface FinishedRequest {
  id: string;
  /** The endpoint id; 'none' when no endpoint matched, 'admin' for /admin. */
  endpoint: string;
  family: ApiFamily;
  method: string;
  path: string;
  peerAddress: string;
  clientAddress: string;
  receivedAt: number;
  completion: Completion;
  exchange: Exchange | undefined;
  /**
   * The session its headers name when the request was refused before it had an exchange (a body
   * that is not JSON, no model): an agent's failed turns belong to its session's report too.
   */
  sessionId?: string;
  /** Likewise what its URL names (Gemini's `models/{model}:streamGenerateContent`): the model, and a stream asked for. */
  model?: string;
  stream?: boolean;
  /**
   * Who asked, when authentication (on the request's head) let it in and its body was then refused
   * (not JSON, too large, too slow): the key's failed turns belong to its owner's log and reports.
   */
  principal?: Principal;
}
export type RecordRequest = (r: FinishedRequest) => void;

/** A request answered without reaching the data-plane handler. */
export interface Rejection {
  id: string;
  endpoint: string;
  family?: ApiFamily;
  method: string;
  path: string;
  status: number;
  error: GatewayError | undefined;
  receivedAt: number;
  peerAddress?: string;
  clientAddress?: string;
  /** The session its headers name (Codex's WebSocket attempt, a 404): part of that session's report. */
  sessionId?: string;
}
export type RecordRejection = (r: Rejection) => void;

/** A plugin's onRequest, with its label for the log line when it fails. */
export interface RequestListener { plugin: string; listen(r: RequestRecord): void }

export function createRequestRecorder(logger: Logger, metrics: RequestMetrics, listeners: readonly RequestListener[]): RecordRequest {
  const epochOffset = Date.now() - performance.now();
  return (finished) => {
    const path = maskPathCredentials(finished.path);
    const r = path === finished.path ? finished : { ...finished, path };
    const { completion: c, exchange: ex } = r;
    metrics.record({ id: r.endpoint }, ex, c);
    const matched = r.endpoint !== 'none' && r.endpoint !== 'admin';
    // The access log: one line per request, its fields built only when it is written. Plain values
    // only (no credentials, no Error objects), so it may be serialised without pino's walk.
    const write = plainLineWriter(logger, 'info');
    if (write) write('request', accessMembers(r, matched));
    else if (logger.enabled('info')) logLine(logger, 'info', 'request', accessFields(r, matched));
    if (listeners.length === 0) return;
    const record: RequestRecord = {
      id: r.id, arrivalKey: PROCESS_TAG + (arrivals++).toString(36), time: Math.round(epochOffset + r.receivedAt), method: r.method, path: r.path,
      endpoint: matched ? r.endpoint : undefined, family: r.family, peerAddress: r.peerAddress, clientAddress: r.clientAddress,
      principal: ex ? ex.principal : r.principal, sessionId: ex ? ex.sessionId : r.sessionId, model: recordedModel(ex ? ex.model : r.model), provider: ex?.target?.provider.name,
      servedModel: recordedModel(ex?.target?.model), attempts: ex?.attempts ?? [], stream: (ex ? ex.stream : r.stream) ?? false, status: c.status,
      outcome: c.outcome, errorCode: c.error?.code, usage: recordedUsage(c.usage), findings: ex?.findings ?? [],
      firstByteMs: c.firstByteMs, totalMs: c.totalMs, exchange: ex,
    };
    for (const { plugin, listen } of listeners) {
      try {
        // An async onRequest (the contract says synchronous, but TypeScript accepts one) rejects
        // instead of throwing: caught the same way, or it would end the process.
        const returned: unknown = listen(record);
        if (returned instanceof Promise) returned.catch((err: unknown) => { logger.error('onRequest listener failed', { plugin, request_id: r.id, error: err }); });
      } catch (err) {
        logger.error('onRequest listener failed', { plugin, request_id: r.id, error: err });
      }
    }
  };
}

/**
 * A failed attempt as the log line lists it: where it went and how it failed, not how long it took
 * (`ms`, kept on the exchange for what measures the answering provider: the ledger's audit), its usage as recorded.
 */
function loggedAttempt(a: Attempt): Omit<Attempt, 'ms'> {
  if (a.ms === undefined && a.usage?.answeredModel === undefined) return a;
  const { ms: _ms, ...logged } = a;
  if (logged.usage) logged.usage = recordedUsage(logged.usage);
  return logged;
}

/** The access-log fields; undefined ones are left out of the line. */
export function accessFields(r: FinishedRequest, matched: boolean): LogFields {
  const { completion: c, exchange: ex } = r;
  const detail = c.error ? errorDetail(c.error) : undefined;
  return {
    request_id: r.id, endpoint: r.endpoint,
    method: matched ? undefined : boundedForLog(r.method), path: matched ? undefined : boundedForLog(r.path),
    model: boundedForLog(recordedModel(ex ? ex.model : r.model)), provider: ex?.target?.provider.name, served_model: boundedForLog(recordedModel(ex?.target?.model)),
    user: (ex ? ex.principal : r.principal)?.user, session: ex ? ex.sessionId : r.sessionId, client: r.clientAddress || undefined,
    stream: (ex ? ex.stream : r.stream) ?? false, status: c.status, outcome: c.outcome, error: c.error?.code,
    cause: detail?.cause, upstream_type: detail?.upstreamType, upstream_code: detail?.upstreamCode,
    ms: round3(c.totalMs), ttfb_ms: c.firstByteMs === undefined ? undefined : round3(c.firstByteMs),
    usage: recordedUsage(c.usage), fallbacks: ex?.attempts.length ? ex.attempts.map(loggedAttempt) : undefined,
    findings: ex?.findings.length ? ex.findings.map((f) => `${f.type}=${f.count}:${f.action}`) : undefined,
  };
}

/**
 * accessFields as JSON members, written by hand: the same text JSON.stringify(accessFields(…))
 * gives between its braces (a test holds them equal), without the object and the whole-line
 * stringify — a measurable share of the per-request CPU.
 */
export function accessMembers(r: FinishedRequest, matched: boolean): string {
  const { completion: c, exchange: ex } = r;
  let out = `"request_id":${str(r.id)},"endpoint":${str(r.endpoint)}`;
  if (!matched) out += `,"method":${str(boundedForLog(r.method)!)},"path":${str(boundedForLog(r.path)!)}`;
  const model = recordedModel(ex ? ex.model : r.model);
  if (model !== undefined) out += `,"model":${str(boundedForLog(model)!)}`;
  const target = ex?.target;
  if (target) out += `,"provider":${str(target.provider.name)},"served_model":${str(boundedForLog(recordedModel(target.model))!)}`;
  const user = (ex ? ex.principal : r.principal)?.user;
  if (user !== undefined) out += `,"user":${str(user)}`;
  const session = ex ? ex.sessionId : r.sessionId;
  if (session !== undefined) out += `,"session":${str(session)}`;
  if (r.clientAddress) out += `,"client":${str(r.clientAddress)}`;
  out += `,"stream":${(ex ? ex.stream : r.stream) === true},"status":${num(c.status)},"outcome":${str(c.outcome)}`;
  if (c.error) {
    out += `,"error":${str(c.error.code)}`;
    const d = errorDetail(c.error);
    if (d?.cause) out += `,"cause":${str(d.cause)}`;
    if (d?.upstreamType) out += `,"upstream_type":${str(d.upstreamType)}`;
    if (d?.upstreamCode) out += `,"upstream_code":${str(d.upstreamCode)}`;
  }
  out += `,"ms":${msJson(c.totalMs)}`;
  if (c.firstByteMs !== undefined) out += `,"ttfb_ms":${msJson(c.firstByteMs)}`;
  if (c.usage !== undefined) out += `,"usage":${JSON.stringify(recordedUsage(c.usage))}`;
  if (ex?.attempts.length) out += `,"fallbacks":${JSON.stringify(ex.attempts.map(loggedAttempt))}`;
  if (ex?.findings.length) out += `,"findings":${JSON.stringify(ex.findings.map((f) => `${f.type}=${f.count}:${f.action}`))}`;
  return out;
}

/** Strings of only safe characters need no escaping (ids, endpoint names, codes, addresses, most models). */
const PLAIN = /^[\w .:/@+-]*$/;
function str(s: string): string {
  return PLAIN.test(s) ? `"${s}"` : JSON.stringify(s);
}
function num(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}
export function rejectionRecorder(record: RecordRequest): RecordRejection {
  return (r) => {
    const totalMs = performance.now() - r.receivedAt;
    const outcome = outcomeFor(r.error, r.status, false);
    const completion: Completion = { outcome, status: r.status, usage: undefined, error: r.error, firstByteMs: totalMs, totalMs };
    record({
      id: r.id, endpoint: r.endpoint, family: r.family ?? 'openai', method: r.method, path: r.path,
      peerAddress: r.peerAddress ?? '', clientAddress: r.clientAddress ?? r.peerAddress ?? '', receivedAt: r.receivedAt, completion, exchange: undefined,
      sessionId: r.sessionId,
    });
  };
}

