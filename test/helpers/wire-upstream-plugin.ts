// Test-only stand-in for the `anthropic` and `gemini` provider types while core/providers/registry.ts
// does not build them yet ("provider type … is not available yet"). Loaded by absolute path from a
// test config, it takes a provider declared as `type: openai` with a `protocols:` list and teaches
// it to speak the Anthropic or Gemini wire format over real HTTP, through core's own HttpUpstream
// (same pool, error envelopes and SSE decoding as every remote provider). It changes nothing else:
// the router still chooses the protocol from the provider's `protocols`, the translator translates.
import { definePlugin, GatewayError, t, type Provider, type SendContext } from '../../core/index.js';
import type { GatewayResponse, UpstreamRequest } from '../../core/exchange.js';
import type { ProviderConfig } from '../../core/config/schema.js';
import { HttpUpstream } from '../../core/providers/http-upstream.js';

const options = t.object({
  provider: t.string({ minLength: 1 }),
  family: t.oneOf(['anthropic', 'gemini'] as const),
  /** Origin of the upstream, e.g. http://127.0.0.1:1234 (no /v1). */
  base_url: t.string({ minLength: 1 }),
});

function wirePath(request: UpstreamRequest): { path: string; headers: Record<string, string> } {
  const p = request.protocol;
  if (p.family === 'anthropic') {
    const headers = { 'x-api-key': 'test-key', 'anthropic-version': '2023-06-01' };
    if (p.operation === 'messages') return { path: '/v1/messages', headers };
    if (p.operation === 'count_tokens') return { path: '/v1/messages/count_tokens', headers };
  }
  if (p.family === 'gemini') {
    const headers = { 'x-goog-api-key': 'test-key' };
    const model = `/v1beta/models/${encodeURIComponent(request.model.replace(/^models\//, ''))}`;
    if (p.operation === 'generate') return { path: `${model}:${request.stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`, headers };
    if (p.operation === 'count_tokens') return { path: `${model}:countTokens`, headers };
    if (p.operation === 'embed') return { path: `${model}:${Array.isArray(request.body['requests']) ? 'batchEmbedContents' : 'embedContent'}`, headers };
  }
  throw new GatewayError('SLUICE_E_UNSUPPORTED_OPERATION', `test wire upstream cannot serve ${p.family}.${p.operation}`);
}

export default definePlugin({
  name: 'test-wire-upstream',
  version: '0.0.0',
  sluice: '^0.1.0',
  options,
  setup(o, host) {
    const provider = host.providers.get(o.provider) as Provider | undefined;
    if (!provider) throw new Error(`no provider ${o.provider}`);
    const config: ProviderConfig = {
      type: 'openai', base_url: o.base_url, models: [], headers: {}, connections: 16,
      timeouts: { connect_ms: 5_000, first_byte_ms: 20_000, idle_ms: 20_000 },
    };
    const http = new HttpUpstream(o.provider, o.family, config, o.base_url);
    const send = (request: UpstreamRequest, ctx: SendContext): Promise<GatewayResponse> => {
      let wire: ReturnType<typeof wirePath>;
      try { wire = wirePath(request); } catch (err) { return Promise.reject(err); }
      return http.send(request, wire, ctx);
    };
    Object.defineProperty(provider, 'send', { value: send, configurable: true });
    Object.defineProperty(provider, 'type', { value: o.family, configurable: true });
    return { close: () => http.close() };
  },
});
