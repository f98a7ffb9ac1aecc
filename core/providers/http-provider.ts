// What every remote provider shares: name, models and protocols, one HttpUpstream, and a coded
// refusal of a protocol it does not serve. Each provider only says where a request goes and how it
// authenticates.
import type { IncomingHttpHeaders } from 'node:http';
import type { ProviderConfig } from '../config/schema.js';
import { GatewayError } from '../errors.js';
import type { TokenPrices } from '../pricing/price-table.js';
import type { GatewayResponse, UpstreamRequest } from '../exchange.js';
import { protocolName, type ApiFamily, type ProtocolName } from '../protocols/types.js';
import { HttpUpstream, type WireRequest } from './http-upstream.js';
import type { Provider, SendContext } from './provider.js';

export abstract class HttpProvider implements Provider {
  abstract readonly type: string;
  readonly protocols: readonly ProtocolName[];
  readonly models: readonly string[];
  // Optional, as on Provider: a plugin project with exactOptionalPropertyTypes reads this .d.ts too.
  readonly prices?: TokenPrices;
  protected readonly http: HttpUpstream;

  constructor(readonly name: string, config: ProviderConfig, private readonly family: ApiFamily, defaultBaseUrl: string, defaultProtocols: readonly ProtocolName[]) {
    this.models = config.models;
    this.prices = config.prices;
    this.protocols = config.protocols ?? defaultProtocols;
    this.http = new HttpUpstream(name, family, config, defaultBaseUrl);
  }

  /** Path and headers (credentials included) for a request of this provider's family; undefined when it has no such operation. */
  protected abstract wire(request: UpstreamRequest, ctx: SendContext): WireRequest | undefined;

  send(request: UpstreamRequest, ctx: SendContext): Promise<GatewayResponse> {
    const wire = request.protocol.family === this.family ? this.wire(request, ctx) : undefined;
    if (!wire) {
      return Promise.reject(new GatewayError('SLUICE_E_UNSUPPORTED_OPERATION', `provider ${this.name} (${this.type}) cannot serve ${protocolName(request.protocol)}`));
    }
    return this.http.send(request, wire, ctx);
  }

  /** Builds the connection pool (and loads undici) before the first request needs it. */
  start(): void {
    this.http.prepare();
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

/** The named client headers that are present, as plain strings. */
export function forwardHeaders(from: IncomingHttpHeaders, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const v = from[name];
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}
