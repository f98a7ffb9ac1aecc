// The providers a gateway can reach, by name. Built from config at start-up; plugins may add and
// remove providers while running (the marketplace turns offers into providers), and a reload swaps
// changed ones. The router looks providers up by name on every request, so a swap is atomic.
import { runtimeProviderSchema, type ProviderConfig, type ProviderInput, type SluiceConfig } from '../config/schema.js';
import { likelyMeant } from '../schema/likely-meant.js';
import { parseOptions } from '../schema/schema.js';
import { AnthropicProvider } from './anthropic.js';
import { GeminiProvider } from './gemini.js';
import { LoopbackProvider } from './loopback/loopback.js';
import { OpenAIProvider } from './openai.js';
import type { Provider } from './provider.js';
import { retryPolicyFor, type RetryPolicy } from './retry-policy.js';
import { cooldownFor, type CooldownObserver, type ProviderCooldown } from './cooldown.js';

/** A `providers:` entry that cannot be built; `field` names the offending key when known. */
export class ProviderEntryError extends Error {
  constructor(readonly provider: string, readonly field: string | undefined, message: string) {
    super(message);
  }
}

/** Builds a provider of one type from its (validated) config entry. */
export type ProviderFactory = (name: string, config: ProviderConfig) => Provider;

export const BUILT_IN_PROVIDER_TYPES: Readonly<Record<string, ProviderFactory>> = {
  openai: (name, c) => new OpenAIProvider(name, c),
  anthropic: (name, c) => new AnthropicProvider(name, c),
  gemini: (name, c) => new GeminiProvider(name, c),
  loopback: (name, c) => new LoopbackProvider(name, c.models, c.protocols, c.prices),
};

export interface ProviderRegistry {
  get(name: string): Provider | undefined;
  names(): string[];
  all(): Provider[];
  /**
   * Builds a provider of a known type (built-in or plugin-registered) without registering it, from
   * an entry written as in YAML (`{ type: 'openai', base_url, api_key }`; the rest defaults).
   * Throws naming the field when the entry is invalid.
   */
  create(name: string, config: ProviderInput): Provider;
  /** Adds or replaces a provider; a replaced one is closed once its in-flight requests finish. */
  add(provider: Provider): void;
  /** Removes and closes a provider (in-flight requests finish first). False when it did not exist. */
  remove(name: string): Promise<boolean>;
  /** Calls `listener` after every add or remove (the router refreshes its model list). */
  onChange(listener: () => void): () => void;
}

export interface StagedProviders {
  /** The providers as they will be once committed; after `commit()`, the live registry itself. */
  view: ProviderRegistry;
  /** Puts the staged providers in service (synchronous); replaced and removed ones close once idle. */
  commit(): void;
  /** Drops what was staged, closing the providers built for it. */
  discard(): void;
}

export interface OwnedProviderRegistry extends ProviderRegistry {
  /**
   * The retry settings (and budget) of a provider this registry built, from its entry's `retry`;
   * undefined when it is not retried, or was built elsewhere.
   */
  retryPolicy(provider: Provider): RetryPolicy | undefined;
  /** The cooldown of a provider this registry built, from its entry's `cooldown`; undefined when off, or built elsewhere. */
  cooldown(provider: Provider): ProviderCooldown | undefined;
  /** Makes the registry hold exactly `config`'s providers, rebuilding those whose entry changed. */
  replaceConfigured(config: SluiceConfig['providers']): Promise<void>;
  /**
   * Builds what `config` changes without putting it in service (a bad entry throws here, before
   * anything changes): a reload lets plugins validate against `view` while requests are still
   * served by the running providers, then commits both in one synchronous step.
   */
  stageConfigured(config: SluiceConfig['providers']): StagedProviders;
  close(): Promise<void>;
}

export function createProviderRegistry(
  config: SluiceConfig['providers'], extraTypes: Readonly<Record<string, ProviderFactory>> = {}, cooldownObserver?: CooldownObserver,
): OwnedProviderRegistry {
  const types: Record<string, ProviderFactory> = { ...BUILT_IN_PROVIDER_TYPES, ...extraTypes };
  const providers = new Map<string, Provider>();
  /** Config entries by name, to rebuild only what a reload changed. */
  const configured = new Map<string, string>();
  const listeners = new Set<() => void>();
  // Kept beside the provider rather than on it: every type, a plugin's too, gets retries the same
  // way, and a provider rebuilt by a reload starts with the new settings and a fresh budget.
  const retryPolicies = new WeakMap<Provider, RetryPolicy>();
  const cooldowns = new WeakMap<Provider, ProviderCooldown>();
  const changed = () => { for (const l of listeners) l(); };
  /** A provider put in service or taken out: whatever its predecessor's cooldown said no longer holds. */
  const fresh = (name: string) => cooldownObserver?.reset?.(name);

  const create = (name: string, c: ProviderConfig): Provider => {
    const factory = types[c.type];
    if (!factory) {
      const guess = likelyMeant(c.type, Object.keys(types));
      throw new ProviderEntryError(name, 'type', `providers.${name}.type: unknown provider type "${c.type}" (${guess ? `did you mean "${guess}"? ` : ''}known: ${Object.keys(types).join(', ')}; plugins in the chain may add more)`);
    }
    let provider: Provider;
    try {
      provider = factory(name, c);
    } catch (err) {
      throw new ProviderEntryError(name, undefined, `providers.${name}: ${(err as Error).message}`);
    }
    // An entry built by hand rather than parsed (a plugin's test) may have no `retry`: not retried.
    const retry = c.retry && retryPolicyFor(c.retry);
    if (retry) retryPolicies.set(provider, retry);
    const cooldown = c.cooldown && cooldownFor(name, c.cooldown, cooldownObserver);
    if (cooldown) cooldowns.set(provider, cooldown);
    return provider;
  };
  const closeLater = (p: Provider) => { p.close().catch(() => { /* already closed */ }); };
  /** Plugins write entries as YAML would: validated and defaulted here, as config entries are at load. */
  const createFromInput = (name: string, input: ProviderInput): Provider => {
    let c: ProviderConfig;
    try {
      c = parseOptions(runtimeProviderSchema, input) as ProviderConfig;
    } catch (err) {
      throw new Error(`provider ${name}: ${(err as Error).message.split('\n').join('; ')}`);
    }
    return create(name, c);
  };

  for (const [name, c] of Object.entries(config)) {
    providers.set(name, create(name, c));
    configured.set(name, JSON.stringify(c));
    fresh(name);
  }

  const stageConfigured = (next: SluiceConfig['providers']): StagedProviders => {
    // Build everything first: a bad entry throws before anything changes.
    const built = new Map<string, Provider>();
    for (const [name, c] of Object.entries(next)) {
      if (configured.get(name) !== JSON.stringify(c)) built.set(name, create(name, c));
    }
    const gone = new Set([...configured.keys()].filter((name) => !(name in next)));
    let state: 'staged' | 'committed' | 'discarded' = 'staged';
    const stagedNames = () => [...new Set([...providers.keys(), ...built.keys()])].filter((name) => !gone.has(name));
    const stagedGet = (name: string) => built.get(name) ?? (gone.has(name) ? undefined : providers.get(name));
    const view: ProviderRegistry = {
      get: (name) => (state === 'staged' ? stagedGet(name) : registry.get(name)),
      names: () => (state === 'staged' ? stagedNames() : registry.names()),
      all: () => (state === 'staged' ? stagedNames().map((name) => stagedGet(name)!) : registry.all()),
      create: (name, input) => registry.create(name, input),
      add: (provider) => registry.add(provider),
      remove: (name) => registry.remove(name),
      onChange: (listener) => registry.onChange(listener),
    };
    return {
      view,
      commit() {
        if (state !== 'staged') return;
        state = 'committed';
        for (const [name, p] of built) {
          const old = providers.get(name);
          providers.set(name, p);
          configured.set(name, JSON.stringify(next[name]));
          fresh(name);
          if (old) closeLater(old);
        }
        for (const name of gone) {
          const old = providers.get(name);
          providers.delete(name);
          configured.delete(name);
          fresh(name);
          if (old) closeLater(old);
        }
        if (built.size || gone.size) changed();
      },
      discard() {
        if (state !== 'staged') return;
        state = 'discarded';
        for (const p of built.values()) closeLater(p);
      },
    };
  };

  const registry: OwnedProviderRegistry = {
    get: (name) => providers.get(name),
    names: () => [...providers.keys()],
    all: () => [...providers.values()],
    create: createFromInput,
    retryPolicy: (provider) => retryPolicies.get(provider),
    cooldown: (provider) => cooldowns.get(provider),
    add(provider) {
      const old = providers.get(provider.name);
      providers.set(provider.name, provider);
      if (old !== provider) fresh(provider.name);
      if (old && old !== provider) closeLater(old);
      changed();
    },
    async remove(name) {
      const old = providers.get(name);
      if (!old) return false;
      providers.delete(name);
      configured.delete(name);
      fresh(name);
      changed();
      await old.close();
      return true;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async replaceConfigured(next) {
      stageConfigured(next).commit();
    },
    stageConfigured,
    async close() {
      await Promise.all([...providers.values()].map((p) => p.close()));
    },
  };
  return registry;
}

/** The configured providers only (tests and tools that need no runtime changes). */
export function createProviders(config: SluiceConfig['providers']): OwnedProviderRegistry {
  return createProviderRegistry(config);
}
