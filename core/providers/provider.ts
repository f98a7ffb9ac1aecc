// The provider contract: one upstream service (or the offline loopback) behind a name.
import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayResponse, UpstreamRequest } from '../exchange.js';
import type { TokenPrices } from '../pricing/price-table.js';
import type { ProtocolName } from '../protocols/types.js';

export interface SendContext {
  signal: AbortSignal;
  requestId: string;
  /** Client headers worth forwarding on passthrough (anthropic-version, openai-organization, …). */
  forwardHeaders: IncomingHttpHeaders;
  /**
   * Called by a provider that holds the request in line before sending it (no connection free),
   * with true as it starts waiting and false once it leaves the line: the provider has nothing of
   * the request meanwhile, so a client leaving then is not charged as if its call were in flight.
   */
  waiting?(inLine: boolean): void;
}

/** The marketplace offer a provider was built from: the ledger marks what it serves as bought (`consumed`). */
export interface ProviderOffer {
  readonly id: string;
  /** The selling gateway, as the marketplace names it. */
  readonly seller?: string;
}

export interface Provider {
  readonly name: string;
  readonly type: string;
  /**
   * Protocols this provider serves natively, most preferred first within each operation class: the
   * router passes a request through when its protocol is listed, else translates to the first listed
   * protocol of the same class (generate, count, embed, models).
   */
  readonly protocols: readonly ProtocolName[];
  /** Models this provider advertises in model listings. */
  readonly models: readonly string[];
  /** What this provider charges, when it is not the price table's per-model price (config `prices`, a marketplace offer). */
  readonly prices?: TokenPrices;
  /** Set on a provider a marketplace offer became (the marketplace plugin sets it); undefined for every other. */
  readonly offer?: ProviderOffer;
  /**
   * Whether this provider takes `model`, when it serves only some (an offer sells a few models): the
   * router skips a provider that says no when a glob target or fallback (`offer:*`) matched it.
   * Undefined: any model.
   */
  serves?(model: string): boolean;
  /**
   * Sends the request. Resolves once response headers have arrived: a JSON body, or a stream of
   * events. Upstream HTTP errors reject with a GatewayError that keeps the upstream status.
   */
  send(request: UpstreamRequest, ctx: SendContext): Promise<GatewayResponse>;
  /** Throws when the provider cannot be reached (for /ready); optional. */
  check?(): Promise<void>;
  /**
   * Called when the gateway starts serving (not by `config validate`): prepare what the first
   * request would otherwise wait for. Optional.
   */
  start?(): void;
  close(): Promise<void>;
}
