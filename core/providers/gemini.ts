// Google's Gemini API (generativelanguage.googleapis.com): the model travels in the URL path.
import type { ProviderConfig } from '../config/schema.js';
import type { UpstreamRequest } from '../exchange.js';
import type { ProtocolName } from '../protocols/types.js';
import type { SendContext } from './provider.js';
import type { GatewayResponse } from '../exchange.js';
import { oversizedBatch, sendInBatches } from './gemini-embed-batches.js';
import { forwardHeaders, HttpProvider } from './http-provider.js';
import type { WireRequest } from './http-upstream.js';

const GEMINI_PROTOCOLS: readonly ProtocolName[] = ['gemini.generate', 'gemini.count_tokens', 'gemini.embed', 'gemini.models'];
/** The client SDK's own identification (name, version, runtime), as Google's quota and support tools read it. */
const FORWARD = ['x-goog-api-client'];

export class GeminiProvider extends HttpProvider {
  readonly type = 'gemini';
  /** "/v1beta" unless the configured base URL's path already names an API version (its query is kept apart: http-upstream.ts). */
  private readonly version: string;

  constructor(name: string, config: ProviderConfig) {
    super(name, config, 'gemini', 'https://generativelanguage.googleapis.com', GEMINI_PROTOCOLS);
    this.version = /\/v1(alpha|beta)?\/*$/.test((config.base_url ?? '').replace(/[?#].*$/s, '')) ? '' : '/v1beta';
  }

  /** A batch of embeddings larger than Gemini takes in one call goes as several (gemini-embed-batches.ts). */
  override send(request: UpstreamRequest, ctx: SendContext): Promise<GatewayResponse> {
    const requests = oversizedBatch(request);
    return requests ? sendInBatches(request, requests, ctx, (part, partCtx) => super.send(part, partCtx)) : super.send(request, ctx);
  }

  protected wire(request: UpstreamRequest, ctx: SendContext): WireRequest | undefined {
    const suffix = this.suffix(request);
    if (!suffix) return undefined;
    const headers = forwardHeaders(ctx.forwardHeaders, FORWARD);
    const key = this.http.key();
    if (key) headers['x-goog-api-key'] = key;
    return { path: this.http.path(this.version + suffix), headers };
  }

  private suffix(request: UpstreamRequest): string | undefined {
    if (request.protocol.operation === 'models') return '/models';
    // Clients write "models/gemini-2.5-flash" as often as the bare name; the path wants the bare one.
    // A tuned model (`tunedModels/{id}`, as the Gemini SDK names it) lives in its own collection.
    const tuned = /^tunedModels\/(.+)$/.exec(request.model);
    const model = tuned ? `/tunedModels/${encodeURIComponent(tuned[1]!)}` : `/models/${encodeURIComponent(request.model.replace(/^models\//, ''))}`;
    switch (request.protocol.operation) {
      case 'generate': return request.stream ? `${model}:streamGenerateContent?alt=sse` : `${model}:generateContent`;
      case 'count_tokens': return `${model}:countTokens`;
      case 'embed': return Array.isArray(request.body['requests']) ? `${model}:batchEmbedContents` : `${model}:embedContent`;
      default: return undefined;
    }
  }
}
