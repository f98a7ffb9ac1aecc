// Translating generation requests (chat, responses, messages, generateContent) between protocols.
import { asObject, GatewayError, protocolName, type Exchange, type Logger, type ProtocolName, type Target, type UpstreamRequest } from '../../core/index.js';
import type { EncodeContext, ProtocolCodec } from './codec.js';
import { codecFor } from './codecs.js';
import type { IrRequest } from './ir.js';
import { resolvePassthroughSignatures } from './passthrough-signatures.js';
import { signaturesFor, tagResponse, tagStream, untagRequest } from './signatures.js';
import { estimateTokens } from './util.js';

function codec(name: ProtocolName): ProtocolCodec {
  const c = codecFor(name);
  if (!c) throw new GatewayError('SLUICE_E_UNSUPPORTED_OPERATION', `the translator cannot speak ${name}`);
  return c;
}

/**
 * Sets up both directions for one exchange: `exchange.translate` builds each attempted target's
 * request from the client's (decoded once, lazily), and the returned function turns whatever
 * protocol answered back into the client's.
 */
export function translateGeneration(exchange: Exchange, logger: Logger): () => void {
  const clientName = protocolName(exchange.endpoint);
  const client = codec(clientName);
  let decoded: IrRequest | undefined;
  const ir = (): IrRequest => {
    if (!decoded) {
      decoded = untagRequest(client.decodeRequest(exchange.readRequest(), exchange.model ?? '', exchange.stream), exchange.endpoint.family);
      if (decoded.dropped.length) logger.debug('translation drops fields', { request_id: exchange.id, from: clientName, fields: decoded.dropped });
    }
    return decoded;
  };

  exchange.translate = (target: Target): UpstreamRequest | undefined => {
    const name = protocolName(target.protocol);
    if (name === clientName) {
      // Passthrough: the body goes as the client sent it, once any tagged signatures are resolved.
      const resolved = resolvePassthroughSignatures(name, exchange.readRequest());
      if (resolved) { ir(); exchange.request = resolved; }
      return undefined;
    }
    const request = signaturesFor(ir(), target.protocol.family);
    const body = codec(name).encodeRequest({ ...request, model: target.model, stream: exchange.stream });
    return { protocol: target.protocol, body, stream: exchange.stream, model: target.model };
  };

  return () => {
    const response = exchange.response;
    if (!response || protocolName(response.protocol) === clientName) return;
    const upstream = codec(protocolName(response.protocol));
    const request = ir();
    const ctx: EncodeContext = {
      clientModel: exchange.model ?? request.model,
      request,
      requestId: exchange.id,
      created: Math.floor(Date.now() / 1000),
      estimatedInputTokens: estimateTokens(request),
      includeUsage: asObject(exchange.readRequest()['stream_options'])?.['include_usage'] === true,
    };
    const [origin, family] = [response.protocol.family, exchange.endpoint.family];
    exchange.response = response.kind === 'json'
      ? { ...response, protocol: exchange.endpoint, body: client.encodeResponse(tagResponse(upstream.decodeResponse(response.body), origin, family), ctx) }
      : { ...response, protocol: exchange.endpoint, events: client.encodeStream(tagStream(upstream.decodeStream(response.events), origin, family), ctx) };
  };
}
