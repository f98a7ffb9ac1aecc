// The shape every loopback protocol handler returns: a 200 JSON body or a 200 event stream.
import type { GatewayResponse, UpstreamRequest } from '../../exchange.js';
import type { JsonValue, StreamEvent } from '../../protocols/types.js';

/**
 * Answers one request. Runs synchronously up to the decision, so a request loopback rejects (a
 * forged signature) fails before any stream starts, as a real provider's 400 would.
 */
export type LoopbackHandler = (request: UpstreamRequest, id: string) => GatewayResponse;

export function jsonReply(request: UpstreamRequest, body: JsonValue): GatewayResponse {
  return { kind: 'json', status: 200, headers: {}, protocol: request.protocol, body };
}

export function streamReply(request: UpstreamRequest, events: AsyncIterable<StreamEvent>): GatewayResponse {
  return { kind: 'stream', status: 200, headers: {}, protocol: request.protocol, events };
}

/** Seconds since the epoch, as every protocol's `created` fields count them. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
