// Dispatch: the innermost step of the chain. Sends the routed (and maybe translated) request to the
// provider and puts its answer on the exchange; records upstream timings and usage.
import { GatewayError } from '../errors.js';
import type { Exchange, GatewayResponse, UpstreamRequest } from '../exchange.js';
import type { SluiceContext } from '../plugin/contract.js';
import { protocolName, type Protocol, type StreamEvent } from '../protocols/types.js';
import { mergeUsage, usageFrom } from '../protocols/usage.js';

/** Headers a client sends that matter to the upstream on passthrough. */
const FORWARDABLE = /^(anthropic-|openai-|x-goog-|idempotency-key$)/;

export async function dispatch(ctx: SluiceContext): Promise<void> {
  const exchange = ctx.state.exchange;
  if (exchange.response) return; // a plugin already answered
  const target = exchange.target;
  if (!target) throw new GatewayError('SLUICE_E_INTERNAL', 'no plugin chose a provider for this request');
  const upstream = exchange.upstream ?? passthroughRequest(exchange, target.protocol);
  exchange.upstream = upstream;
  exchange.timings.upstreamStart = performance.now();
  const response = await target.provider.send(upstream, {
    signal: exchange.signal,
    requestId: exchange.id,
    forwardHeaders: forwardable(exchange),
  });
  exchange.timings.upstreamHeaders = performance.now();
  exchange.response = observeUsage(exchange, response);
}

function passthroughRequest(exchange: Exchange, protocol: Protocol): UpstreamRequest {
  const ep = exchange.endpoint;
  if (protocol.family !== ep.family || protocol.operation !== ep.operation) {
    throw new GatewayError('SLUICE_E_TRANSLATION_REQUIRED',
      `provider ${exchange.target!.provider.name} speaks ${protocolName(protocol)} but the client spoke ${protocolName(ep)}; add the translator plugin to the chain`);
  }
  const model = exchange.target!.model;
  // Copy only when an alias or route rewrote the model; otherwise send the client's body as is.
  const body = typeof exchange.request['model'] === 'string' && exchange.request['model'] !== model
    ? { ...exchange.request, model }
    : exchange.request;
  return { protocol, body, stream: exchange.stream, model };
}

function forwardable(exchange: Exchange): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in exchange.headers) {
    const v = exchange.headers[name];
    if (typeof v === 'string' && FORWARDABLE.test(name)) out[name] = v;
  }
  return out;
}

function observeUsage(exchange: Exchange, response: GatewayResponse): GatewayResponse {
  if (response.kind === 'json') {
    exchange.usage = usageFrom(response.protocol, response.body);
    return response;
  }
  const protocol = response.protocol;
  const source = response.events;
  async function* observed(): AsyncGenerator<StreamEvent> {
    for await (const ev of source) {
      const u = usageFrom(protocol, ev.data);
      if (u) exchange.usage = mergeUsage(exchange.usage, u);
      yield ev;
    }
  }
  return { ...response, events: observed() };
}
