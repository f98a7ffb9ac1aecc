// OpenAI and any OpenAI-compatible endpoint (vLLM, Ollama, LM Studio, OpenRouter, …).
import type { IncomingHttpHeaders } from 'node:http';
import type { ProviderConfig } from '../config/schema.js';
import { GatewayError } from '../errors.js';
import type { GatewayResponse, UpstreamRequest } from '../exchange.js';
import type { ProtocolName } from '../protocols/types.js';
import { HttpUpstream } from './http-upstream.js';
import type { Provider, SendContext } from './provider.js';

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

export class OpenAIProvider implements Provider {
  readonly type = 'openai';
  readonly protocols: readonly ProtocolName[];
  readonly models: readonly string[];
  private readonly http: HttpUpstream;

  constructor(readonly name: string, config: ProviderConfig) {
    this.models = config.models;
    this.protocols = config.protocols ?? OPENAI_PROTOCOLS;
    this.http = new HttpUpstream(name, 'openai', config, 'https://api.openai.com/v1');
  }

  send(request: UpstreamRequest, ctx: SendContext): Promise<GatewayResponse> {
    const suffix = request.protocol.family === 'openai' ? PATHS[request.protocol.operation] : undefined;
    if (!suffix) {
      return Promise.reject(new GatewayError('SLUICE_E_UNSUPPORTED_OPERATION', `provider ${this.name} (openai) cannot serve ${request.protocol.family}.${request.protocol.operation}`));
    }
    const headers = forwardHeaders(ctx.forwardHeaders, FORWARD);
    const key = this.http.key();
    if (key) headers['authorization'] = `Bearer ${key}`;
    return this.http.send(request, { path: this.http.path(suffix), headers }, ctx);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

export function forwardHeaders(from: IncomingHttpHeaders, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const v = from[name];
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}
