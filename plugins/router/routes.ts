// The compiled routing table: aliases first, then the first matching rule, then the default.
import type { Provider, ProviderRegistry } from '../../core/index.js';
import { compileModelPattern, isExactPattern, type ModelMatcher } from './match.js';
import type { RouterOptions } from './options.js';

export interface RouteDecision {
  provider: Provider;
  /** The model name the provider will see. */
  model: string;
}

interface CompiledRoute { matches: ModelMatcher; provider: Provider; model: string | undefined }

export interface RouteTable {
  resolve(model: string): RouteDecision | undefined;
  /** Every model name a client can ask for (for model listings). */
  listModels(): { id: string; provider: string }[];
}

export function compileRoutes(options: RouterOptions, providers: ProviderRegistry): RouteTable {
  const need = (name: string, where: string): Provider => {
    const p = providers.get(name);
    if (!p) throw new Error(`${where} names provider "${name}", which is not in providers: (${providers.names().join(', ') || 'none'})`);
    return p;
  };
  const routes: CompiledRoute[] = options.routes.map((r, i) => ({
    matches: compileModelPattern(r.match), provider: need(r.provider, `routes[${i}]`), model: r.model,
  }));
  const fallback = options.default === undefined ? undefined : need(options.default, 'default');
  const aliases = new Map(Object.entries(options.aliases));

  const resolve = (requested: string): RouteDecision | undefined => {
    const model = aliases.get(requested) ?? requested;
    for (const r of routes) if (r.matches(model)) return { provider: r.provider, model: r.model ?? model };
    return fallback ? { provider: fallback, model } : undefined;
  };

  return {
    resolve,
    listModels() {
      const seen = new Map<string, string>();
      const add = (id: string) => {
        const d = resolve(id);
        if (d && !seen.has(id)) seen.set(id, d.provider.name);
      };
      for (const p of providers.all()) p.models.forEach(add);
      for (const r of options.routes) if (isExactPattern(r.match)) add(r.match);
      for (const alias of aliases.keys()) add(alias);
      return [...seen].map(([id, provider]) => ({ id, provider }));
    },
  };
}
