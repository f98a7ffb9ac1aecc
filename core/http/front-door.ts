// Every HTTP request enters here: request id, probes (/health, /ready, /metrics), the admin API
// behind its key, the endpoint table, and the data plane. Plain node:http — no framework on the
// hot path — and every refusal answered in the caller's envelope, logged and counted.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { GatewayError, toGatewayError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { EndpointGroup } from '../config/schema.js';
import type { ApiFamily } from '../protocols/types.js';
import { SLUICE_VERSION } from '../version.js';
import type { AdminRoutes } from './admin-routes.js';
import { readJsonBody, type BodyLimits } from './body.js';
import type { ClientAddressResolver } from './client-address.js';
import { isBaseUrlProbe, PROBE_ANSWER } from './base-url-probe.js';
import { bearerToken } from './credentials.js';
import { sendError, sendJson } from './egress.js';
import { logOwnFailure } from './failure-log.js';
import { msFixed3 } from './ms-text.js';
import { familyOfUnmatched, matchEndpoint, type EndpointMatch } from './endpoints.js';
import { foreignHostRefused, foreignPageRefused, fromPageElsewhere, type LocalNames } from './loopback-host.js';
import { ready, SHUTTING_DOWN, shuttingDown, type ReadinessCheck } from './readiness.js';
import { toOriginForm } from './request-target.js';
import type { Arrival } from './handler.js';
import type { Endpoint } from '../exchange.js';
import { requestIdFor } from './ingress.js';
import type { RecordRejection, Rejection } from './request-log.js';
import type { ResponseSink } from './response-sink.js';
import { logStall, watchAnswer } from './send-timeout.js';
import { headerSessionId } from './session.js';

export interface FrontDoorOptions {
  dataPlane(req: IncomingMessage, res: ResponseSink, endpoint: Endpoint, arrival: Arrival): Promise<void>;
  admin: AdminRoutes;
  adminKey: string | undefined;
  readiness: ReadonlyMap<string, ReadinessCheck>;
  metricsText(): string | Promise<string>;
  addresses: ClientAddressResolver;
  bodyLimits: BodyLimits;
  draining(): boolean;
  /** A shutdown has begun: each response is its connection's last (Gateway.closeConnections). */
  closing(): boolean;
  /** During a shutdown: whether this request is the one a stream's connection may still carry (last-request.ts). */
  lastRequest(socket: Socket): boolean;
  recordRejection: RecordRejection;
  logger: Logger;
  /** server.send_timeout_ms: an admin or metrics answer the client stops taking closes its connection (send-timeout.ts). */
  sendTimeoutMs?: number;
  /** Multi-port mode: the endpoint groups this listener serves (all when undefined). */
  serves?: ReadonlySet<EndpointGroup>;
  /**
   * Set when no plugin authenticates and remote clients were not allowed: every request but the
   * probes must be addressed (`Host`) to one of these names, and the data plane refuses requests
   * that a web page elsewhere made (an http(s) `Origin` not among them). Such a page reaches a
   * loopback-only gateway by DNS rebinding its own name to 127.0.0.1, and the browser then lets it
   * read the answers — spending the operator's provider keys, reading /metrics or /v1/models. The
   * page's requests carry its own name in `Host`; SDKs and CLIs send a loopback one and no Origin.
   */
  localOnly?: LocalNames;
}

const HEALTH = JSON.stringify({ status: 'ok', version: SLUICE_VERSION });

/**
 * SPEC §3: every response carries x-sluice-overhead-ms, probes and refusals included (none of them
 * waits on an upstream, so all their time is Sluice's). Set just before the answer is written.
 */
function stampOverhead(res: ServerResponse, receivedAt: number): void {
  res.setHeader('x-sluice-overhead-ms', msFixed3(performance.now() - receivedAt));
}
const ADMIN_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

export function createFrontDoor(opts: FrontDoorOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const adminToken = opts.adminKey === undefined ? undefined : digest(opts.adminKey);
  const serves = opts.serves;
  const localOnly = opts.localOnly;
  const foreignPage = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    return origin !== undefined && fromPageElsewhere(localOnly!, origin, req.method === 'POST' && req.headers['content-type'] === undefined);
  };

  /**
   * The data plane's promise itself, without an async wrapper (one promise and resumption fewer per
   * request); everything else is answered by `answer`.
   */
  const route = (req: IncomingMessage, res: ServerResponse, id: string, receivedAt: number, path: string, query: Record<string, string>): Promise<void> => {
    const method = req.method ?? 'GET';
    let last = false;
    if (opts.closing()) {
      res.shouldKeepAlive = false; // served, and the connection's last (server.ts)
      last = opts.lastRequest(req.socket); // served even while draining
    }
    const match = path.startsWith('/admin') ? undefined : matchEndpoint({ method, path, headers: req.headers, query });
    if (match && 'endpoint' in match && (last || !opts.draining()) && (serves === undefined || serves.has(match.endpoint.family))
      && (localOnly === undefined || (localOnly.allowsHost(req.headers.host) && !foreignPage(req)))) {
      // The data plane writes the request id with the rest of its head (one writeHead).
      const a = arrivalOf(req, id, receivedAt, query);
      a.pathModel = match.pathModel;
      return opts.dataPlane(req, res, match.endpoint, a);
    }
    return answer(req, res, id, receivedAt, path, query, method, match);
  };

  /**
   * An answer larger than the kernel takes at once (an admin listing, a big /metrics) whose client
   * stops reading would hold its connection: closed after server.send_timeout_ms with nothing taken.
   */
  const unlessTaken = (res: ServerResponse, id: string): void => {
    const ms = opts.sendTimeoutMs;
    if (res.writableFinished || ms === undefined) return;
    watchAnswer(res, ms, () => logStall(opts.logger, ms, id))?.arm();
  };

  /** Probes, metrics, the admin API and every refusal. */
  const answer = async (req: IncomingMessage, res: ServerResponse, id: string, receivedAt: number, path: string, query: Record<string, string>, method: string, match: EndpointMatch): Promise<void> => {
    res.setHeader('x-request-id', id);
    // Probes are answered without a log line or a metric: orchestrators poll them every few seconds.
    if (path === '/health') { stampOverhead(res, receivedAt); sendJson(res, 200, HEALTH); return; }
    if (path === '/ready') {
      // Shutting down: still answering what comes on open connections, but a balancer that checks
      // health must send nothing new here.
      const r = opts.closing() ? SHUTTING_DOWN : await ready(opts.readiness);
      stampOverhead(res, receivedAt);
      sendJson(res, r.ok ? 200 : 503, r.body);
      return;
    }
    const reject = (endpoint: string, family: ApiFamily, error: GatewayError) => {
      closeIfUnread(req, res);
      stampOverhead(res, receivedAt);
      sendError(res, family, error);
      recordAnswered(req, { id, endpoint, family, method, path, status: error.status, error, receivedAt });
    };
    // Everything past the probes is refused under a name that is not this machine's: /metrics and
    // /admin too (a rebinding page reads the one, and would try keys on the other).
    if (localOnly !== undefined && !localOnly.allowsHost(req.headers.host)) {
      const admin = path === '/admin' || path.startsWith('/admin/');
      const endpoint = admin ? 'admin' : match && 'endpoint' in match ? match.endpoint.id : 'none';
      const family = admin ? 'openai' : match && 'endpoint' in match ? match.endpoint.family : familyOfUnmatched(path, req.headers);
      reject(endpoint, family, foreignHostRefused('a request'));
      return;
    }
    if (path === '/metrics' && (serves === undefined || serves.has('metrics'))) {
      const text = await opts.metricsText();
      stampOverhead(res, receivedAt);
      res.setHeader('content-type', 'text/plain; version=0.0.4; charset=utf-8');
      res.end(text);
      unlessTaken(res, id);
      return;
    }
    if (isBaseUrlProbe(method, path)) {
      // Unlike /health, a request a client made: logged, counted and in the ledger, as a success.
      stampOverhead(res, receivedAt);
      sendJson(res, 200, PROBE_ANSWER); // Node writes no body for HEAD
      recordAnswered(req, { id, endpoint: 'none', family: familyOfUnmatched(path, req.headers), method, path, status: 200, error: undefined, receivedAt });
      return;
    }
    if (path === '/admin' || path.startsWith('/admin/')) {
      if (serves !== undefined && !serves.has('admin')) {
        reject('admin', 'openai', new GatewayError('SLUICE_E_NOT_FOUND', `this listener does not serve the admin API (server.listeners)`));
        return;
      }
      // Hashing first gives equal lengths for timingSafeEqual: neither the key nor its length leaks.
      const token = bearerToken(req.headers['authorization']);
      if (!adminToken || token === undefined || !timingSafeEqual(digest(token), adminToken)) {
        reject('admin', 'openai', new GatewayError(adminToken ? 'SLUICE_E_UNAUTHORIZED' : 'SLUICE_E_FORBIDDEN', adminToken ? 'a valid admin key is required' : 'the admin API is disabled: set admin.key in the config'));
        return;
      }
      try {
        if (!ADMIN_METHODS.has(method)) throw new GatewayError('SLUICE_E_METHOD_NOT_ALLOWED', `the admin API does not answer ${method.slice(0, 20)}`);
        const repeated = repeatedParam(req.url ?? '');
        if (repeated !== undefined) throw new GatewayError('SLUICE_E_INVALID_REQUEST', `query parameter ${repeated} is given more than once`, { param: repeated });
        const body = method === 'GET' || method === 'DELETE' || req.headers['content-length'] === '0' ? undefined
          : req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined ? undefined
          : (await readJsonBody(req, opts.bodyLimits)).value;
        const answer = await opts.admin.handle(method, path, query, body, clientGone(res));
        for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
        stampOverhead(res, receivedAt);
        sendJson(res, answer.status ?? 200, answer.body);
        unlessTaken(res, id);
        recordAnswered(req, { id, endpoint: 'admin', method, path, status: res.statusCode, error: undefined, receivedAt });
      } catch (err) {
        const error = toGatewayError(err);
        logOwnFailure(opts.logger, id, error);
        reject('admin', 'openai', error);
      }
      return;
    }
    // Multi-port mode: a group this listener does not serve is not here at all, in its own envelope.
    const family = match && 'endpoint' in match ? match.endpoint.family : familyOfUnmatched(path, req.headers);
    const group: EndpointGroup = path === '/metrics' ? 'metrics' : family;
    if (serves !== undefined && !serves.has(group)) {
      reject('none', family, new GatewayError('SLUICE_E_NOT_FOUND', `this listener does not serve the ${group} endpoints (server.listeners): no endpoint ${method.slice(0, 20)} ${path.slice(0, 200)}`));
      return;
    }
    if (!match) {
      reject('none', family, new GatewayError('SLUICE_E_NOT_FOUND', `no endpoint ${method.slice(0, 20)} ${path.slice(0, 200)}`));
      return;
    }
    if ('methodNotAllowed' in match) {
      res.setHeader('allow', match.methodNotAllowed);
      reject('none', family, new GatewayError('SLUICE_E_METHOD_NOT_ALLOWED', `${path.slice(0, 200)} accepts ${match.methodNotAllowed}, not ${method.slice(0, 20)}`));
      return;
    }
    if (localOnly !== undefined && foreignPage(req)) {
      reject(match.endpoint.id, match.endpoint.family, foreignPageRefused('a request'));
      return;
    }
    // An endpoint matched while draining.
    res.setHeader('connection', 'close');
    reject(match.endpoint.id, match.endpoint.family, shuttingDown());
  };

  /** Where the request came from: the peer and, behind trusted proxies, the client. */
  const arrivalOf = (req: IncomingMessage, id: string, receivedAt: number, query: Record<string, string>): Arrival => {
    const peer = req.socket.remoteAddress ?? '';
    return { id, receivedAt, query, peerAddress: peer, clientAddress: opts.addresses.resolve(peer, req.headers['x-forwarded-for']), pathModel: undefined, body: undefined };
  };

  /**
   * A request answered here rather than by the data plane (a probe, the admin API, a refusal):
   * logged, counted and in the ledger, with where it came from and the session its headers name
   * (Codex's first request of a session, a 404, are that session's turns).
   */
  const recordAnswered = (req: IncomingMessage, r: Omit<Rejection, 'peerAddress' | 'clientAddress' | 'sessionId'>): void => {
    const peer = req.socket.remoteAddress ?? '';
    opts.recordRejection({ ...r, peerAddress: peer, clientAddress: opts.addresses.resolve(peer, req.headers['x-forwarded-for']), sessionId: headerSessionId(req.headers) });
  };

  return (req, res) => {
    const receivedAt = performance.now();
    toOriginForm(req);
    const id = requestIdFor(req.headers['x-request-id']);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? {} : Object.fromEntries(new URLSearchParams(url.slice(q + 1)));
    let answered: Promise<void>;
    try {
      answered = route(req, res, id, receivedAt, path, query);
    } catch (err) {
      answered = Promise.reject(err);
    }
    answered.catch((err: unknown) => {
      // Whatever throws outside the data plane (a malformed %-escape, say) is answered in the
      // caller's envelope with the request id, never a bare 500.
      const error = toGatewayError(err);
      logOwnFailure(opts.logger, id, error);
      if (res.headersSent) { res.destroy(); return; }
      const admin = path === '/admin' || path.startsWith('/admin/');
      const family = admin ? 'openai' : familyOfUnmatched(path, req.headers);
      closeIfUnread(req, res);
      res.setHeader('x-request-id', id);
      stampOverhead(res, receivedAt);
      sendError(res, family, error);
      recordAnswered(req, { id, endpoint: admin ? 'admin' : 'none', family, method: req.method ?? '', path, status: error.status, error, receivedAt });
    });
  };
}

/**
 * A body nobody read to its end (refused, or never needed) is not drained: the connection closes
 * after the answer, so a stalled or endless upload cannot hold or wedge it.
 */
export function closeIfUnread(req: IncomingMessage, res: ResponseSink): void {
  // `complete` turns true only once the parser finished the message, which for a bodiless request
  // may be just after this runs: only a request that has a body can leave one unread.
  const hasBody = (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.complete && !res.headersSent) res.setHeader('connection', 'close');
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * A query parameter named twice (`?since=7d&since=2w`): the query object keeps the last, so an
 * admin request would be answered for one of two ranges the caller asked for; it is refused instead.
 */
function repeatedParam(url: string): string | undefined {
  const q = url.indexOf('?');
  if (q === -1) return undefined;
  const seen = new Set<string>();
  for (const name of new URLSearchParams(url.slice(q + 1)).keys()) {
    if (seen.has(name)) return name.slice(0, 40);
    seen.add(name);
  }
  return undefined;
}

/** Aborted when the response closes before it finished: its client went away. */
function clientGone(res: ServerResponse): AbortSignal {
  const gone = new AbortController();
  res.once('close', () => { if (!res.writableFinished) gone.abort(new GatewayError('SLUICE_E_CLIENT_CLOSED', 'the client closed the connection before the answer')); });
  return gone.signal;
}
