// Anthropic's Messages API (api.anthropic.com or a compatible endpoint).
import type { ProviderConfig } from '../config/schema.js';
import type { UpstreamRequest } from '../exchange.js';
import type { ProtocolName } from '../protocols/types.js';
import { forwardHeaders, HttpProvider } from './http-provider.js';
import type { WireRequest } from './http-upstream.js';
import type { SendContext } from './provider.js';

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

export class AnthropicProvider extends HttpProvider {
  readonly type = 'anthropic';
  /** "/v1" unless the configured base URL already ends in it. */
  private readonly version: string;
  private readonly configuredVersion: boolean;

  constructor(name: string, config: ProviderConfig) {
    super(name, config, 'anthropic', 'https://api.anthropic.com', ANTHROPIC_PROTOCOLS);
    this.version = /\/v1\/*$/.test((config.base_url ?? '').replace(/[?#].*$/s, '')) ? '' : '/v1'; // the path's own version, not a query's
    this.configuredVersion = Object.keys(config.headers).some((h) => h.toLowerCase() === 'anthropic-version');
  }

  protected wire(request: UpstreamRequest, ctx: SendContext): WireRequest | undefined {
    const suffix = PATHS[request.protocol.operation];
    if (!suffix) return undefined;
    const headers = forwardHeaders(ctx.forwardHeaders, FORWARD);
    // The client's version wins, then one pinned in config headers, then the default.
    if (!headers['anthropic-version'] && !this.configuredVersion) headers['anthropic-version'] = DEFAULT_ANTHROPIC_VERSION;
    const key = this.http.key();
    if (key) headers['x-api-key'] = key;
    return { path: this.http.path(this.version + suffix), headers };
  }
}
