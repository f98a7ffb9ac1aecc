// The router: picks the provider (and upstream model name) for every request, first match wins.
import { definePlugin, GatewayError, operationClass, parseProtocolName, protocolName, type Exchange, type Protocol, type Provider } from '../../core/index.js';
import { routerOptions, type RouterOptions } from './options.js';
import { compileRoutes, type RouteTable } from './routes.js';

/** The protocol the upstream call speaks: the client's when the provider speaks it, else the provider's own. */
function targetProtocol(exchange: Exchange, provider: Provider): Protocol {
  const own = protocolName(exchange.endpoint);
  if (provider.protocols.includes(own)) return exchange.endpoint;
  const cls = operationClass(exchange.endpoint.operation);
  const other = provider.protocols.find((p) => operationClass(parseProtocolName(p).operation) === cls);
  return other ? parseProtocolName(other) : exchange.endpoint;
}

function listModels(table: RouteTable, exchange: Exchange): void {
  const created = 0;
  exchange.response = {
    kind: 'json', status: 200, headers: {}, protocol: exchange.endpoint,
    body: { object: 'list', data: table.listModels().map(({ id, provider }) => ({ id, object: 'model', created, owned_by: provider })) },
  };
}

export default definePlugin<RouterOptions>({
  name: 'router',
  version: '0.1.0',
  sluice: '^0.1.0',
  description: 'Model-first routing: ordered first-match rules, aliases, a default provider',
  options: routerOptions,
  provides: ['routing'],
  setup(options, host) {
    const table = compileRoutes(options, host.providers);
    return {
      middleware: async (ctx, next) => {
        const exchange = ctx.state.exchange;
        if (exchange.endpoint.operation === 'models') return listModels(table, exchange);
        const requested = exchange.model!;
        const decision = table.resolve(requested);
        if (!decision) {
          throw new GatewayError('SLUICE_E_MODEL_NOT_FOUND', `The model \`${requested}\` does not exist or is not served by this gateway`, { param: 'model' });
        }
        exchange.target = { provider: decision.provider, model: decision.model, protocol: targetProtocol(exchange, decision.provider) };
        await next();
      },
    };
  },
});
