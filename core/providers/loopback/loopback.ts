// The built-in offline model: answers every supported protocol with deterministic content and usage.
import { GatewayError } from '../../errors.js';
import type { GatewayResponse, UpstreamRequest } from '../../exchange.js';
import { protocolName, type ProtocolName } from '../../protocols/types.js';
import type { Provider, SendContext } from '../provider.js';
import { chatCompletion, chatCompletionStream } from './openai-chat.js';
import { embeddings } from './openai-embeddings.js';

/** Everything Sluice's clients speak, so every surface can be tried offline without translation. */
export const LOOPBACK_PROTOCOLS: readonly ProtocolName[] = [
  'openai.chat', 'openai.responses', 'openai.embeddings', 'anthropic.messages', 'anthropic.count_tokens',
  'gemini.generate', 'gemini.count_tokens', 'gemini.embed',
];

export const LOOPBACK_MODELS = ['loopback', 'loopback-embed'];

export class LoopbackProvider implements Provider {
  readonly type = 'loopback';
  readonly protocols: readonly ProtocolName[] = LOOPBACK_PROTOCOLS;
  readonly models: readonly string[];

  constructor(readonly name: string, models: readonly string[]) {
    this.models = models.length ? models : LOOPBACK_MODELS;
  }

  async send(request: UpstreamRequest, ctx: SendContext): Promise<GatewayResponse> {
    const { protocol, body, model } = request;
    const id = ctx.requestId.replace(/[^A-Za-z0-9]/g, '').slice(0, 24);
    const json = (b: GatewayResponse & { kind: 'json' }) => b;
    switch (protocolName(protocol)) {
      case 'openai.chat':
        return request.stream
          ? { kind: 'stream', status: 200, headers: {}, protocol, events: chatCompletionStream(body, model, id) }
          : json({ kind: 'json', status: 200, headers: {}, protocol, body: chatCompletion(body, model, id) });
      case 'openai.embeddings':
        return { kind: 'json', status: 200, headers: {}, protocol, body: embeddings(body, model) };
      default:
        throw new GatewayError('SLUICE_E_UNSUPPORTED_OPERATION', `the loopback provider does not serve ${protocolName(protocol)} yet`);
    }
  }

  async close(): Promise<void> {}
}
