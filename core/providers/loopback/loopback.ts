// The built-in offline model: answers every supported protocol natively with deterministic content
// and usage. What to say is decided once (script.ts); each protocol file reads its request shape and
// writes its own wire format.
import { GatewayError } from '../../errors.js';
import type { GatewayResponse, UpstreamRequest } from '../../exchange.js';
import type { TokenPrices } from '../../pricing/price-table.js';
import { protocolName, type ProtocolName } from '../../protocols/types.js';
import type { Provider, SendContext } from '../provider.js';
import type { LoopbackHandler } from './reply.js';

type Handlers = Partial<Record<ProtocolName, LoopbackHandler>>;

/**
 * The protocol handlers (handlers.ts and the modules it imports), imported on the first request
 * rather than with the provider: `sluice config validate` builds every configured provider and sends
 * nothing. A running gateway has most of them loaded already (replies render with the same code),
 * and after the first request the table is read without waiting.
 */
let handlers: Handlers | undefined;
let loading: Promise<Handlers> | undefined;
function loadHandlers(): Promise<Handlers> {
  return (loading ??= import('./handlers.js').then((m) => (handlers = m.HANDLERS)));
}

/** Everything Sluice's clients speak, so every surface can be tried offline without translation. */
export const LOOPBACK_PROTOCOLS: readonly ProtocolName[] = [
  'openai.chat', 'openai.responses', 'openai.embeddings', 'anthropic.messages', 'anthropic.count_tokens',
  'gemini.generate', 'gemini.count_tokens', 'gemini.embed',
];

export const LOOPBACK_MODELS = ['loopback', 'loopback-embed'];

/**
 * What the loopback model costs unless it is given `prices`: a known 0. It bills no one, and as the
 * provider's own prices this is what every consumer of prices reads (the ledger's rows, the limits'
 * spend, the marketplace's records): "free", never "unpriced" (null), whatever the model is named.
 */
export const LOOPBACK_PRICES: TokenPrices = Object.freeze({ input: 0, output: 0 });

export class LoopbackProvider implements Provider {
  readonly type = 'loopback';
  readonly protocols: readonly ProtocolName[] = LOOPBACK_PROTOCOLS;
  readonly models: readonly string[];
  readonly prices: TokenPrices;

  /** `protocols` narrows what it serves, so one offline provider can stand in for any upstream kind. */
  constructor(readonly name: string, models: readonly string[], protocols?: readonly ProtocolName[], prices?: TokenPrices) {
    this.models = models.length ? models : LOOPBACK_MODELS;
    if (protocols) this.protocols = protocols;
    this.prices = prices ?? LOOPBACK_PRICES;
  }

  async send(request: UpstreamRequest, ctx: SendContext): Promise<GatewayResponse> {
    const name = protocolName(request.protocol);
    const handler = this.protocols.includes(name) ? (handlers ?? await loadHandlers())[name] : undefined;
    if (!handler) {
      throw new GatewayError('SLUICE_E_UNSUPPORTED_OPERATION', `the loopback provider does not serve ${protocolName(request.protocol)}`);
    }
    return handler(request, ctx.requestId.replace(/[^A-Za-z0-9]/g, '').slice(0, 24));
  }

  async close(): Promise<void> {}
}
