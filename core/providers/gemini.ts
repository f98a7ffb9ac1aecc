// Google's Gemini API (generativelanguage.googleapis.com): the model travels in the URL path.
import type { ProviderConfig } from '../config/schema.js';
import { GatewayError } from '../errors.js';
import type { GatewayResponse, UpstreamRequest } from '../exchange.js';
import type { ProtocolName } from '../protocols/types.js';
import { HttpUpstream } from './http-upstream.js';
import type { Provider, SendContext } from './provider.js';

const GEMINI_PROTOCOLS: readonly ProtocolName[] = ['gemini.generate', 'gemini.count_tokens', 'gemini.embed', 'gemini.models'];

export class GeminiProvider implements Provider {
  readonly type = 'gemini';
  readonly protocols: readonly ProtocolName[];
  readonly models: readonly string[];
  private readonly http: HttpUpstream;
  /** "/v1beta" unless the configured base URL already names an API version. */
  private readonly version: string;

  constructor(readonly name: string, config: ProviderConfig) {
    this.models = config.models;
    this.protocols = config.protocols ?? GEMINI_PROTOCOLS;
    this.http = new HttpUpstream(name, 'gemini', config, 'https://generativelanguage.googleapis.com');
    this.version = /\/v1(alpha|beta)?\/*$/.test(config.base_url ?? '') ? '' : '/v1beta';
  }

  send(request: UpstreamRequest, ctx: SendContext): Promise<GatewayResponse> {
    const suffix = request.protocol.family === 'gemini' ? this.suffix(request) : undefined;
    if (!suffix) {
      return Promise.reject(new GatewayError('SLUICE_E_UNSUPPORTED_OPERATION', `provider ${this.name} (gemini) cannot serve ${request.protocol.family}.${request.protocol.operation}`));
    }
    const headers: Record<string, string> = {};
    const key = this.http.key();
    if (key) headers['x-goog-api-key'] = key;
    return this.http.send(request, { path: this.http.path(this.version + suffix), headers }, ctx);
  }

  private suffix(request: UpstreamRequest): string | undefined {
    if (request.protocol.operation === 'models') return '/models';
    // Clients write "models/gemini-2.5-flash" as often as the bare name; the path wants the bare one.
    const model = `/models/${encodeURIComponent(request.model.replace(/^models\//, ''))}`;
    switch (request.protocol.operation) {
      case 'generate': return request.stream ? `${model}:streamGenerateContent?alt=sse` : `${model}:generateContent`;
      case 'count_tokens': return `${model}:countTokens`;
      case 'embed': return Array.isArray(request.body['requests']) ? `${model}:batchEmbedContents` : `${model}:embedContent`;
      default: return undefined;
    }
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
