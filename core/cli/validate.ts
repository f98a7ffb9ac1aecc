// `sluice config validate`: every check start-up makes — YAML, ${ENV}, options, plugin versions,
// chain order, providers, and each plugin's setup (which catches cross-references such as a route
// to a provider that does not exist) — without the HTTP server.
//
// It runs the setup phase of createGateway (core/app.ts) — setup has no side effects, start is not
// called — with a host whose services load on first use, so a config whose plugins need no
// database, Redis or HTTP client validates without loading knex, ioredis or got, nor the HTTP stack.
import { createRequire } from 'node:module';
import type { Got } from 'got';
import { pluginStartError } from '../plugin/option-error.js';
import type { LoadedConfig } from '../config/load.js';
import { createLogger } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { createGatewayEvents } from '../events/event-bus.js';
import { checkedInstance, type PluginInstance } from '../plugin/contract.js';
import type { Host } from '../plugin/host.js';
import { registerPluginsAndProviders } from '../plugin/register-chain.js';
import { commandHost, migrationsOf, openServices } from '../plugin/services.js';
import { createAdminRoutes } from '../http/admin-routes.js';
import { createRequestMetrics } from '../http/request-metrics.js';
import { createClientAddressResolver } from '../http/client-address.js';
import { trustProxyOf } from '../config/trust-proxy.js';
import { loadChain, type LoadedPlugin } from '../plugin/loader.js';
import { listenersOf, refuseUnauthenticatedRemote } from '../server.js';

const require = createRequire(import.meta.url);

export interface Validated {
  plugins: LoadedPlugin[];
  providers: string[];
}

export async function validateConfig(loaded: LoadedConfig): Promise<Validated> {
  const { config } = loaded;
  const plugins = await loadChain(loaded);
  // The same registration start-up does: a bad code or provider must not validate and then fail to start.
  const providers = registerPluginsAndProviders(loaded, plugins);

  const logger = createLogger({ level: 'silent' });
  const metrics = createMetrics();
  const services = openServices(loaded, () => migrationsOf(plugins));
  const addresses = createClientAddressResolver(trustProxyOf(config.server.trust_proxy));
  const admin = createAdminRoutes();
  const events = createGatewayEvents(() => { /* nothing is served, nothing is emitted */ });
  let got: Got | undefined;
  const hostFor = (plugin: LoadedPlugin): Host => ({
    ...commandHost(loaded, services, logger.child({ plugin: plugin.label })),
    metrics,
    providers,
    get http(): Got {
      return (got ??= (require('got') as typeof import('got')).default);
    },
    addAdminRoute: (method, path, handler, doc) => admin.add(method, path, handler, doc, plugin.label),
    addReadinessCheck: () => { /* nothing is served */ },
    isTrustedProxy: (address) => addresses.trusts(address),
    events,
  });

  // Core's own series, declared before any setup as start-up does: a plugin that takes one of their
  // names is refused here at its line too, not only by `sluice start`.
  createRequestMetrics(metrics);
  const instances: PluginInstance[] = [];
  try {
    for (const plugin of plugins) {
      try {
        instances.push(checkedInstance(await plugin.definition.setup!(plugin.options, hostFor(plugin))));
      } catch (err) {
        throw pluginStartError(loaded, plugin, err);
      }
    }
    refuseUnauthenticatedRemote(loaded, instances.some((i) => i.authenticates === true), listenersOf(config.server));
  } finally {
    for (const instance of instances.reverse()) await Promise.resolve(instance.close?.()).catch(() => { /* validation only */ });
    await providers.close();
    await services.close();
  }
  return { plugins, providers: providers.names() };
}
