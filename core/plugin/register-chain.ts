// What the chain's plugins register with core at start-up (error codes, provider types) and the
// configured providers built with them. Not in services.ts: it loads every provider's HTTP code,
// which CLI commands that only need the database must not pay for.
import { ConfigError } from '../config/config-error.js';
import type { LoadedConfig } from '../config/load.js';
import { registerErrorCodes } from '../errors.js';
import { createProviderRegistry, ProviderEntryError, type OwnedProviderRegistry, type ProviderFactory } from '../providers/registry.js';
import type { LoadedPlugin } from './loader.js';
import type { CooldownObserver } from '../providers/cooldown.js';

/**
 * What the chain's plugins add to core before anything is built — their error codes and provider
 * types — and the configured providers, built with those types. Start-up and `config validate` run
 * the same code, so what validates starts. Errors point at the line that caused them.
 */
export function registerPluginsAndProviders(loaded: LoadedConfig, plugins: readonly LoadedPlugin[], cooldownObserver?: CooldownObserver): OwnedProviderRegistry {
  const providerTypes: Record<string, ProviderFactory> = {};
  for (const p of plugins) {
    Object.assign(providerTypes, p.definition.providerTypes);
    try {
      if (p.definition.errors) registerErrorCodes(p.definition.name, p.definition.errors);
    } catch (err) {
      throw new ConfigError((err as Error).message, loaded.locate(['chain', p.index, 'use']));
    }
  }
  try {
    return createProviderRegistry(loaded.config.providers, providerTypes, cooldownObserver);
  } catch (err) {
    const at = err instanceof ProviderEntryError ? ['providers', err.provider, ...(err.field ? [err.field] : [])] : ['providers'];
    throw new ConfigError((err as Error).message, loaded.locate(at));
  }
}
