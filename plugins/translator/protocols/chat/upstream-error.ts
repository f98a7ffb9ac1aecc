// An `error` object sent by a Chat upstream inside a 200 body or stream becomes a GatewayError
// with the status its code implies (core's streamError: `server_is_overloaded` 503,
// `rate_limit_exceeded` 429, a numeric code as given) and its body for same-family clients.
import { streamError, type GatewayError, type JsonObject } from '../../../../core/index.js';

const CHAT = { family: 'openai', operation: 'chat' } as const;

export function upstreamError(body: JsonObject): GatewayError {
  return streamError(CHAT, undefined, { data: body });
}
