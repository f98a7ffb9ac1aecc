// An `error` object sent by a Chat upstream inside a 200 body or stream becomes a GatewayError
// that keeps the upstream's status (when it gave one) and its body for same-family clients.
import { asObject, asString, GatewayError, type JsonObject } from '../../../../core/index.js';

export function upstreamError(body: JsonObject): GatewayError {
  const err = asObject(body['error']);
  const message = asString(err?.['message']) ?? asString(body['error']) ?? 'upstream error';
  const code = err?.['code'] ?? err?.['status'];
  const n = typeof code === 'number' ? code : typeof code === 'string' && /^\d{3}$/.test(code) ? Number(code) : NaN;
  const status = n >= 400 && n <= 599 ? n : 502;
  return new GatewayError('SLUICE_E_UPSTREAM_ERROR', message, { status, upstream: { family: 'openai', body } });
}
