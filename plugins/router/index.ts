// The router: picks the provider (and upstream model name) for every request, first match wins,
// with ordered fallbacks and a work mode deciding between passthrough and translation.
import { definePlugin, GatewayError, type Exchange, type Target } from '../../core/index.js';
import { modelAllowed } from './allow-list.js';
import { modelInfo, modelList, type ListedModel } from './models.js';
import { routerOptions, type RouterOptions } from './options.js';
import { compileRoutes, type RouteDecision, type RouteTable } from './routes.js';
import { modeRefusal, targetProtocol } from './target-protocol.js';

/**
 * The listing shows what this principal could use: a model is listed when a request for it would
 * reach at least one target its key's allow-list covers (the served model, after aliases), so a key
 * limited to `gpt-*` does not see Claude models it would get a 403 for.
 */
function answerModels(table: RouteTable, exchange: Exchange): void {
  const family = exchange.endpoint.family;
  const allowed = exchange.principal?.allowedModels;
  const usable = (decision: RouteDecision | undefined): decision is RouteDecision =>
    decision !== undefined && (allowed === undefined || decision.targets.some((t) => modelAllowed(allowed, t.model)));
  const models = allowed === undefined ? table.listModels() : table.listModels().filter((m) => usable(table.resolve(m.id)));
  const id = exchange.model;
  // A path like GET /v1/models/{id} asks for one model; the bare path for the list.
  const body = id === undefined ? modelList(family, models, exchange.query) : modelInfo(family, models.find((m) => m.id === id) ?? routedModel(table, id, usable), id);
  exchange.response = { kind: 'json', status: 200, headers: {}, protocol: exchange.endpoint, body };
}

/**
 * A model no listing names but a route's pattern serves (`gpt-*`): a client checking it before use
 * (the OpenAI SDK's models.retrieve, LangChain, IDE plugins) is told it exists, as requests for it work.
 */
function routedModel(table: RouteTable, id: string, usable: (d: RouteDecision | undefined) => d is RouteDecision): ListedModel | undefined {
  const decision = table.routedModel(id);
  const first = usable(decision) ? decision.targets[0] : undefined;
  return first && { id, provider: first.provider.name };
}

/**
 * The route's targets with the protocol each will speak. Targets whose served model the principal's
 * allow-list does not cover are skipped (a key never reaches a model it may not use, not even as a
 * fallback); none left is a 403. Then those the work mode rules out are skipped.
 */
function targetsFor(exchange: Exchange, decision: RouteDecision): Target[] {
  if (decision.targets.length === 0) {
    // Every provider of the route was removed at runtime (an expired offer, say).
    throw new GatewayError('SLUICE_E_UPSTREAM_UNAVAILABLE', `no provider for model \`${exchange.model}\` is available right now`, { status: 503 });
  }
  const allowed = exchange.principal?.allowedModels;
  const permitted = allowed === undefined ? decision.targets : decision.targets.filter((t) => modelAllowed(allowed, t.model));
  if (permitted.length === 1) {
    // One target (the usual route): no list to build.
    const { provider, model } = permitted[0]!;
    const protocol = targetProtocol(exchange.endpoint, provider, decision.mode);
    if (!protocol) throw modeRefusal(exchange.endpoint, provider, decision.mode);
    return [{ provider, model, protocol }];
  }
  if (permitted.length === 0) {
    throw new GatewayError('SLUICE_E_FORBIDDEN', `this API key may not use the model \`${exchange.model}\``, { param: 'model' });
  }
  const targets: Target[] = [];
  for (const { provider, model } of permitted) {
    const protocol = targetProtocol(exchange.endpoint, provider, decision.mode);
    if (protocol) targets.push({ provider, model, protocol });
  }
  if (targets.length === 0) throw modeRefusal(exchange.endpoint, permitted[0]!.provider, decision.mode);
  return targets;
}

/** Sets the exchange's target and fallbacks, or throws the refusal. */
function route(table: RouteTable, exchange: Exchange): void {
  const requested = exchange.model!;
  const decision = table.resolve(requested);
  if (!decision) {
    throw new GatewayError('SLUICE_E_MODEL_NOT_FOUND', `The model \`${requested}\` does not exist or is not served by this gateway`, { param: 'model' });
  }
  const targets = targetsFor(exchange, decision);
  exchange.target = targets[0];
  exchange.fallbacks = targets.length === 1 ? [] : targets.slice(1);
  exchange.fallbackOn = decision.fallbackOn;
}

export default definePlugin<RouterOptions>({
  name: 'router',
  version: '0.1.0',
  sluice: '^0.1.0',
  description: 'Model-first routing: first-match rules, aliases, a default, fallbacks and work modes',
  options: routerOptions,
  provides: ['routing'],
  setup(options, host) {
    let table = compileRoutes(options, host.providers);
    return {
      // Not an async function: the rest of the chain's promise is returned as it is (one promise
      // and one resumption fewer per request). A refusal thrown here reaches the chain as a
      // rejection all the same: the chain's composition catches what a middleware throws.
      middleware: (ctx, next) => {
        const { exchange } = ctx;
        if (exchange.endpoint.operation === 'models') { answerModels(table, exchange); return Promise.resolve(); }
        route(table, exchange);
        return next();
      },
      // SIGHUP: compile the new table fully (unknown providers throw here), then swap it in one
      // assignment. Against the providers the reloaded config will have: they go into service with the swap.
      reload(next, context) {
        const compiled = compileRoutes(next, context?.providers ?? host.providers);
        return () => { table = compiled; };
      },
    };
  },
});
