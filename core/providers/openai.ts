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
/**
 * The ones that pick the account billed (a key may belong to several organisations and projects):
 * once the operator pins one in the provider's `headers`, a client's value is not forwarded — it
 * would otherwise take precedence and spend on an organisation or project of the client's choice.
 */
const ACCOUNT = new Set(['openai-organization', 'openai-project']);

export class OpenAIProvider extends HttpProvider {
  readonly type = 'openai';

  private readonly forward: readonly string[];

  constructor(name: string, config: ProviderConfig) {
    super(name, config, 'openai', 'https://api.openai.com/v1', OPENAI_PROTOCOLS);
    const pinned = new Set(Object.keys(config.headers).map((h) => h.toLowerCase()));
    this.forward = FORWARD.filter((h) => !(ACCOUNT.has(h) && pinned.has(h)));
  }

  protected wire(request: UpstreamRequest, ctx: SendContext): WireRequest | undefined {
    const suffix = PATHS[request.protocol.operation];
    if (!suffix) return undefined;
    const headers = forwardHeaders(ctx.forwardHeaders, this.forward);
    const key = this.http.key();
    if (key) headers['authorization'] = `Bearer ${key}`;
    return { path: this.http.path(suffix), headers };
  }
}
