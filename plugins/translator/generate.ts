// Translating generation requests (chat, responses, messages, generateContent) between protocols.
import { asObject, emptyUsage, GatewayError, protocolName, stateKey, type Exchange, type Logger, type ProtocolName, type Target, type UpstreamRequest } from '../../core/index.js';
import type { EncodeContext, ProtocolCodec } from './codec.js';
import { codecFor } from './codecs.js';
import { hideResponseReasoning, hidesReasoning, hideStreamReasoning } from './hidden-reasoning.js';
import type { IrRequest, IrResponse } from './ir.js';
import { mayNeedResolving, resolvePassthroughSignatures } from './passthrough-signatures.js';
import { signaturesFor, tagResponse, tagStream, untagRequest } from './signatures.js';
import { clientToolNames, restoreResponseNames, restoreStreamNames, toolNamesFor } from './tool-names.js';
import { unsentFieldNames } from './unsent-fields.js';
import { estimateTokens } from './util.js';

function codec(name: ProtocolName): ProtocolCodec {
  const c = codecFor(name);
  if (!c) throw new GatewayError('SLUICE_E_UNSUPPORTED_OPERATION', `the translator cannot speak ${name}`);
  return c;
}

/** The client's request in the IR, decoded once per exchange and only when a translation needs it. */
const DECODED = stateKey<IrRequest>('translator.decoded');

/**
 * `log` false: the caller encodes for a target and logs the decoder's drops itself, with what that
 * target's encoder leaves out, in the one `translation drops fields` line.
 */
function decodedRequest(exchange: Exchange, logger: Logger, log = true): IrRequest {
  let decoded = exchange.get(DECODED);
  if (!decoded) {
    const clientName = protocolName(exchange.endpoint);
    decoded = untagRequest(codec(clientName).decodeRequest(exchange.readRequest(), exchange.model ?? '', exchange.stream, logger.enabled('debug')), exchange.endpoint.family);
    if (log) logDrops(exchange, logger, decoded.dropped);
    exchange.set(DECODED, decoded);
  }
  return decoded;
}

function logDrops(exchange: Exchange, logger: Logger, fields: string[], to?: ProtocolName): void {
  if (fields.length) logger.debug('translation drops fields', { request_id: exchange.id, from: protocolName(exchange.endpoint), ...(to ? { to } : {}), fields });
}

/**
 * The translator's `exchange.translate`, made once per plugin instance: dispatch calls it as a
 * method of the exchange (`exchange.translate(target)`) for each attempted target, and it builds
 * that target's request from the client's. One shared function, not closures made per request:
 * a per-request closure over the exchange, stored on the exchange, made V8 promote each
 * exchange's whole object graph to the old generation (measured: ~5 KB per request promoted,
 * scavenges ~3× as costly, on the passthrough hot path).
 */
export function generationTranslator(logger: Logger): (this: Exchange, target: Target) => UpstreamRequest | undefined {
  return function translate(this: Exchange, target: Target): UpstreamRequest | undefined {
    const exchange = this;
    const endpoint = exchange.endpoint;
    const protocol = target.protocol;
    if (protocol === endpoint || (protocol.family === endpoint.family && protocol.operation === endpoint.operation)) {
      // Passthrough: the body goes as the client sent it, once any tagged signatures are resolved.
      const name = protocolName(endpoint);
      if (!mayNeedResolving(name, exchange.originalBody)) return undefined;
      const resolved = resolvePassthroughSignatures(exchange.view());
      if (resolved) { decodedRequest(exchange, logger); exchange.request = resolved; }
      return undefined;
    }
    const logged = exchange.get(DECODED) !== undefined;
    const decoded = decodedRequest(exchange, logger, false);
    const request = toolNamesFor(signaturesFor(decoded, protocol.family), protocol.family);
    const to = protocolName(protocol);
    const upstream = codec(to);
    const ir: IrRequest = { ...request, model: target.model, stream: exchange.stream };
    const body = upstream.encodeRequest(ir);
    if (logger.enabled('debug')) {
      // Per target: a fallback to another protocol leaves out other fields. The decoder's drops
      // are named once, on the first line.
      const unsent = unsentFieldNames(upstream.unsentFields(ir, body), codec(protocolName(endpoint)).unsentNames);
      logDrops(exchange, logger, logged ? unsent : [...decoded.dropped, ...unsent], to);
    }
    return { protocol, body, stream: exchange.stream, model: target.model };
  };
}

/** Before the chain goes on: refuses a client protocol the translator cannot speak (as before any upstream call). */
export function checkGeneration(exchange: Exchange): void {
  codec(protocolName(exchange.endpoint));
}

/** After the chain: turns whatever protocol answered back into the client's. */
export function translateGenerationBack(exchange: Exchange, logger: Logger): void {
  const response = exchange.response;
  const endpoint = exchange.endpoint;
  if (!response || response.protocol === endpoint) return;
  const clientName = protocolName(endpoint);
  if (protocolName(response.protocol) === clientName) return;
  const client = codec(clientName);
  const upstream = codec(protocolName(response.protocol));
  const request = decodedRequest(exchange, logger);
  const ctx: EncodeContext = {
    clientModel: exchange.model ?? request.model,
    request,
    requestId: exchange.id,
    created: Math.floor(Date.now() / 1000),
    estimatedInputTokens: estimateTokens(request),
    includeUsage: asObject(exchange.readRequest()['stream_options'])?.['include_usage'] === true,
  };
  const [origin, family] = [response.protocol.family, endpoint.family];
  // Tool names the upstream was sent mapped (tool-names.ts) go back to the client's own.
  const names = clientToolNames(request, origin);
  // Reasoning text the client did not ask to see travels hidden in its signature (hidden-reasoning.ts).
  const hide = hidesReasoning(clientName, request);
  if (response.kind === 'json') {
    const decoded = restoreResponseNames(upstream.decodeResponse(response.body), names);
    const tagged = tagResponse(withUsageEstimate(decoded, exchange, ctx), origin, family);
    exchange.response = { ...response, protocol: endpoint, body: client.encodeResponse(hide ? hideResponseReasoning(tagged) : tagged, ctx) };
  } else {
    const decoded = names ? restoreStreamNames(upstream.decodeStream(response.events), names) : upstream.decodeStream(response.events);
    const tagged = tagStream(decoded, origin, family);
    exchange.response = { ...response, protocol: endpoint, events: client.encodeStream(hide ? hideStreamReasoning(tagged) : tagged, ctx) };
  }
}

/**
 * An upstream answer with no usage report (its decoder gives zeros): the client gets the input
 * estimate a stream's terminal event carries in the same case, not zeros. Core read the answer's
 * usage before translation (exchange.usage): undefined when it had none.
 */
function withUsageEstimate(response: IrResponse, exchange: Exchange, ctx: EncodeContext): IrResponse {
  if (exchange.usage) return response;
  return { ...response, usage: { ...emptyUsage(), inputTokens: ctx.estimatedInputTokens, estimated: true } };
}
