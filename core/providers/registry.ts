// Builds the providers named in config; plugins reach them through the host's registry.
import type { SluiceConfig } from '../config/schema.js';
import type { ProviderRegistry } from '../plugin/host.js';
import { AnthropicProvider } from './anthropic.js';
import { GeminiProvider } from './gemini.js';
import { LoopbackProvider } from './loopback/loopback.js';
import { OpenAIProvider } from './openai.js';
import type { Provider } from './provider.js';

export function createProviders(config: SluiceConfig['providers']): ProviderRegistry & { close(): Promise<void> } {
  const providers = new Map<string, Provider>();
  for (const [name, p] of Object.entries(config)) {
    switch (p.type) {
      case 'openai': providers.set(name, new OpenAIProvider(name, p)); break;
      case 'anthropic': providers.set(name, new AnthropicProvider(name, p)); break;
      case 'gemini': providers.set(name, new GeminiProvider(name, p)); break;
      case 'loopback': providers.set(name, new LoopbackProvider(name, p.models, p.protocols)); break;
    }
  }
  return {
    get: (name) => providers.get(name),
    names: () => [...providers.keys()],
    all: () => [...providers.values()],
    close: async () => { await Promise.all([...providers.values()].map((p) => p.close())); },
  };
}
