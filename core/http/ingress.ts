// Ingress: turns an HTTP request on a known endpoint into an Exchange, parsing the body once and
// keeping its bytes (a request no plugin changes goes upstream exactly as the client sent it).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../errors.js';
import type { Endpoint } from '../exchange.js';
import type { JsonObject } from '../protocols/types.js';
import type { AbortLike } from './abort.js';
import { readJsonBody, type BodyLimits } from './body.js';
import { HttpExchange } from './exchange-impl.js';
import { sessionIdFrom } from './session.js';

/**
 * Client request ids are echoed in headers, logs and upstream ids, so only a safe set passes:
 * letters, digits and `. _ : -`, at most 128. Anything else (spaces, quotes, `/`, unicode) gets a
 * fresh id rather than an escaped copy.
 */
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Echo a well-formed client request id; otherwise mint one. */
export function requestIdFor(header: string | string[] | undefined): string {
  return typeof header === 'string' && VALID_REQUEST_ID.test(header) ? header : `req_${randomUUID().replace(/-/g, '')}`;
}

export interface IngressInput {
  id: string;
  endpoint: Endpoint;
  req: IncomingMessage;
  query: Record<string, string>;
  peerAddress: string;
  clientAddress: string;
  receivedAt: number;
  bodyLimits: BodyLimits;
  signal: AbortLike;
  /** Path parameters that carry request data (Gemini puts the model in the URL). */
  pathModel?: string;
}

const EMPTY: JsonObject = Object.freeze({}) as JsonObject;

export async function createExchange(input: IngressInput): Promise<HttpExchange> {
  const { endpoint, req } = input;
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readJsonBody(req, input.bodyLimits);
  const request = body?.value ?? { ...EMPTY };
  const model = input.pathModel ?? (typeof request['model'] === 'string' ? request['model'] : undefined);
  if (endpoint.operation !== 'models' && (model === undefined || model === '')) {
    throw new GatewayError('SLUICE_E_MISSING_MODEL', 'you must provide a model parameter', { param: 'model' });
  }
  if (request['stream'] !== undefined && typeof request['stream'] !== 'boolean') {
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
    signal: input.signal,
    request,
    bytes: body?.bytes,
    model,
    stream: endpoint.streamByPath === true || request['stream'] === true,
  });
}
