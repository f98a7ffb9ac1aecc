// Anthropic's Messages API (api.anthropic.com or a compatible endpoint).
import type { ProviderConfig } from '../config/schema.js';
import { GatewayError } from '../errors.js';
import type { GatewayResponse, UpstreamRequest } from '../exchange.js';
import type { ProtocolName } from '../protocols/types.js';
import { HttpUpstream } from './http-upstream.js';
import { forwardHeaders } from './openai.js';
import type { Provider, SendContext } from './provider.js';

const PATHS: Partial<Record<UpstreamRequest['protocol']['operation'], string>> = {
  messages: '/messages',
  count_tokens: '/messages/count_tokens',
  models: '/models',
};

const ANTHROPIC_PROTOCOLS: readonly ProtocolName[] = ['anthropic.messages', 'anthropic.count_tokens', 'anthropic.models'];

/** Anthropic refuses a request without a version; this one is stable and understood everywhere. */
export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

/** Client headers that change what Anthropic does: the API version and opted-in betas. */
const FORWARD = ['anthropic-version', 'anthropic-beta'];

export class AnthropicProvider implements Provider {
  readonly type = 'anthropic';
  readonly protocols: readonly ProtocolName[];
  readonly models: readonly string[];
  private readonly http: HttpUpstream;
  /** "/v1" unless the configured base URL already ends in it. */
  private readonly version: string;
  private readonly configuredVersion: boolean;

  constructor(readonly name: string, config: ProviderConfig) {
    this.models = config.models;
    this.protocols = config.protocols ?? ANTHROPIC_PROTOCOLS;
    this.http = new HttpUpstream(name, 'anthropic', config, 'https://api.anthropic.com');
    this.version = /\/v1\/*$/.test(config.base_url ?? '') ? '' : '/v1';
    this.configuredVersion = Object.keys(config.headers).some((h) => h.toLowerCase() === 'anthropic-version');
  }

  send(request: UpstreamRequest, ctx: SendContext): Promise<GatewayResponse> {
    const suffix = request.protocol.family === 'anthropic' ? PATHS[request.protocol.operation] : undefined;
    if (!suffix) {
      return Promise.reject(new GatewayError('SLUICE_E_UNSUPPORTED_OPERATION', `provider ${this.name} (anthropic) cannot serve ${request.protocol.family}.${request.protocol.operation}`));
    }
    const headers = forwardHeaders(ctx.forwardHeaders, FORWARD);
    // The client's version wins, then one pinned in config headers, then the default.
    if (!headers['anthropic-version'] && !this.configuredVersion) headers['anthropic-version'] = DEFAULT_ANTHROPIC_VERSION;
    const key = this.http.key();
    if (key) headers['x-api-key'] = key;
    return this.http.send(request, { path: this.http.path(this.version + suffix), headers }, ctx);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
