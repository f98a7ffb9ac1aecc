// Ingress: turns an HTTP request on a known endpoint into an Exchange, parsing the body once.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../errors.js';
import type { Completion, Endpoint, Exchange } from '../exchange.js';
import type { JsonObject } from '../protocols/types.js';
import { readJsonBody, type BodyLimits } from './body.js';

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
  clientIp: string;
  receivedAt: number;
  bodyLimits: BodyLimits;
  signal: AbortSignal;
  /** Path parameters that carry request data (Gemini puts the model in the URL). */
  pathModel?: string;
}

export interface ExchangeHandle {
  exchange: Exchange;
  complete(completion: Completion): void;
}

export async function createExchange(input: IngressInput): Promise<ExchangeHandle> {
  const { endpoint, req } = input;
  const request: JsonObject = req.method === 'GET' || req.method === 'HEAD' ? {} : await readJsonBody(req, input.bodyLimits);
  const model = input.pathModel ?? (typeof request['model'] === 'string' ? request['model'] : undefined);
  if (needsModel(endpoint) && (model === undefined || model === '')) {
    throw new GatewayError('SLUICE_E_MISSING_MODEL', 'you must provide a model parameter', { param: 'model' });
  }
  if (request['stream'] !== undefined && typeof request['stream'] !== 'boolean') {
    throw new GatewayError('SLUICE_E_INVALID_REQUEST', "'stream' must be a boolean", { param: 'stream' });
  }
  let complete!: (c: Completion) => void;
  const completed = new Promise<Completion>((resolve) => { complete = resolve; });
  const exchange: Exchange = {
    id: input.id,
    endpoint,
    clientFamily: endpoint.family,
    receivedAt: input.receivedAt,
    headers: req.headers,
    query: input.query,
    clientIp: input.clientIp,
    signal: input.signal,
    request,
    model,
    stream: endpoint.streamByPath === true || request['stream'] === true,
    principal: undefined,
    target: undefined,
    fallbacks: [],
    translate: undefined,
    attempts: [],
    upstream: undefined,
    response: undefined,
    usage: undefined,
    findings: [],
    responseHeaders: {},
    timings: {},
    completed,
    state: new Map(),
  };
  return { exchange, complete };
}

function needsModel(endpoint: Endpoint): boolean {
  return endpoint.operation !== 'models';
}
