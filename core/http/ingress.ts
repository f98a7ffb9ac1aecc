// Ingress: turns an HTTP request on a known endpoint into an Exchange, parsing the body once and
// keeping its bytes (a request no plugin changes goes upstream exactly as the client sent it).
import { randomFillSync } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../errors.js';
import type { Endpoint } from '../exchange.js';
import { operationClass, type JsonObject } from '../protocols/types.js';
import type { AbortLike } from './abort.js';
import { readJsonBody, type BodyLimits, type JsonBody } from './body.js';
import { HttpExchange } from './exchange-impl.js';
import { holdsKey } from './path-credentials.js';
import { sessionIdFrom } from './session.js';

/**
 * Client request ids are echoed in headers, logs and upstream ids, so only a safe set passes:
 * letters, digits and `. _ : -`, at most 128. Anything else (spaces, quotes, `/`, unicode) gets a
 * fresh id rather than an escaped copy.
 */
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Echo a well-formed client request id; otherwise (a key pasted there too) mint one. */
export function requestIdFor(header: string | string[] | undefined): string {
  return typeof header === 'string' && VALID_REQUEST_ID.test(header) && !holdsKey(header) ? header : freshRequestId();
}

/**
 * `req_`, the time in ms (48 bits) and 80 random bits, in 32 hex digits: ids minted later sort
 * later, as UUIDv7's do, so a B-tree keyed by request id (the ledger's primary key) takes each new
 * id at its right edge instead of on a random page (a random id cost SQLite a page of its own per
 * row; bench/results/ledger.md). 80 random bits keep ids unguessable; the time they show is the
 * request's own arrival, which its client already knows. The random bits come from a pool filled
 * 256 ids at a time (as randomUUID does internally).
 */
const RANDOM_BYTES = 10;
const idPool = Buffer.allocUnsafe(RANDOM_BYTES * 256);
let idAt = idPool.length;
let stampMs = -1;
let stampHex = '';
export function freshRequestId(now = Date.now()): string {
  if (idAt === idPool.length) { randomFillSync(idPool); idAt = 0; }
  if (now !== stampMs) { stampMs = now; stampHex = now.toString(16).padStart(12, '0').slice(-12); }
  const id = `req_${stampHex}${idPool.toString('hex', idAt, idAt + RANDOM_BYTES)}`;
  idAt += RANDOM_BYTES;
  return id;
}

export interface IngressInput {
  id: string;
  receivedAt: number;
  query: Record<string, string>;
  peerAddress: string;
  clientAddress: string;
  /** Path parameters that carry request data (Gemini puts the model in the URL). */
  pathModel: string | undefined;
}

const EMPTY: JsonObject = Object.freeze({}) as JsonObject;

/** The body a request on `endpoint` needs read (none for GET and HEAD). */
export function readRequestBody(req: IncomingMessage, limits: BodyLimits): Promise<JsonBody> | undefined {
  return req.method === 'GET' || req.method === 'HEAD' ? undefined : readJsonBody(req, limits);
}

/** The Exchange for a request whose body (if any) has been read. */
export function createExchange(input: IngressInput, endpoint: Endpoint, req: IncomingMessage, abort: AbortLike, body: JsonBody | undefined): HttpExchange {
  const request = body?.value ?? { ...EMPTY };
  const model = input.pathModel ?? (typeof request['model'] === 'string' ? request['model'] : undefined);
  if (endpoint.operation !== 'models' && (model === undefined || model === '')) {
    throw new GatewayError('SLUICE_E_MISSING_MODEL', 'you must provide a model parameter', { param: 'model' });
  }
  const stream = request['stream'];
  if (stream !== undefined && typeof stream !== 'boolean') {
    throw new GatewayError('SLUICE_E_INVALID_REQUEST', "'stream' must be a boolean", { param: 'stream' });
  }
  return new HttpExchange({
    id: input.id,
    endpoint,
    receivedAt: input.receivedAt,
    headers: req.headers,
    query: input.query,
    peerAddress: input.peerAddress,
    clientAddress: input.clientAddress,
    sessionId: sessionIdFrom(req.headers, request),
    signal: abort,
    request,
    bytes: body?.bytes,
    model,
    // Only generation has an event stream: `stream: true` in a count or embeddings body is a stray
    // field, and the upstream answers it with JSON (a "streaming request" would make that a 502).
    stream: endpoint.streamByPath === true || (stream === true && operationClass(endpoint.operation) === 'generate'),
  });
}
