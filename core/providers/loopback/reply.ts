// The shape every loopback protocol handler returns: a 200 JSON body or a 200 event stream.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { GatewayResponse, UpstreamRequest } from '../../exchange.js';
import type { JsonValue, StreamEvent } from '../../protocols/types.js';

/**
 * Answers one request. Runs synchronously up to the decision, so a request loopback rejects (a
 * forged signature) fails before any stream starts, as a real provider's 400 would.
 */
export type LoopbackHandler = (request: UpstreamRequest, id: string) => GatewayResponse;

/** Stream events written between two turns of the event loop. */
const EVENTS_PER_TURN = 32;

export function jsonReply(request: UpstreamRequest, body: JsonValue): GatewayResponse {
  return { kind: 'json', status: 200, headers: {}, protocol: request.protocol, body };
}

export function streamReply(request: UpstreamRequest, events: AsyncIterable<StreamEvent>): GatewayResponse {
  return { kind: 'stream', status: 200, headers: {}, protocol: request.protocol, events: paced(events) };
}

/**
 * Loopback's events are all ready at once, and egress waits only when the socket pushes back, which
 * a local client rarely makes it do: without a pause a whole stream (thousands of argument
 * fragments) is written in one synchronous run while every other request waits. A turn of the
 * event loop every few events lets them in, as a real upstream's network reads do.
 */
async function* paced(events: AsyncIterable<StreamEvent>): AsyncGenerator<StreamEvent> {
  let written = 0;
  for await (const event of events) {
    yield event;
    if (++written % EVENTS_PER_TURN === 0) await nextTurn();
  }
}

/** Seconds since the epoch, as every protocol's `created` fields count them. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
