// OpenAI and any OpenAI-compatible endpoint (vLLM, Ollama, LM Studio, OpenRouter, …).
import type { ProviderConfig } from '../config/schema.js';
import type { UpstreamRequest } from '../exchange.js';
import type { ProtocolName } from '../protocols/types.js';
import { forwardHeaders, HttpProvider } from './http-provider.js';
import type { WireRequest } from './http-upstream.js';
import type { SendContext } from './provider.js';

const PATHS: Partial<Record<UpstreamRequest['protocol']['operation'], string>> = {
  chat: '/chat/completions',
  responses: '/responses',
  embeddings: '/embeddings',
  models: '/models',
};

/** Chat first: every OpenAI-compatible server has it; Responses is served natively when a client speaks it. */
const OPENAI_PROTOCOLS: readonly ProtocolName[] = ['openai.chat', 'openai.responses', 'openai.embeddings', 'openai.models'];

/** Client headers that change what OpenAI does and so must reach it on passthrough. */
const FORWARD = ['openai-organization', 'openai-project', 'openai-beta', 'idempotency-key'];

export class OpenAIProvider extends HttpProvider {
  readonly type = 'openai';

  constructor(name: string, config: ProviderConfig) {
    super(name, config, 'openai', 'https://api.openai.com/v1', OPENAI_PROTOCOLS);
  }

  protected wire(request: UpstreamRequest, ctx: SendContext): WireRequest | undefined {
    const suffix = PATHS[request.protocol.operation];
    if (!suffix) return undefined;
    const headers = forwardHeaders(ctx.forwardHeaders, FORWARD);
    const key = this.http.key();
    if (key) headers['authorization'] = `Bearer ${key}`;
    return { path: this.http.path(suffix), headers };
  }
}
