// The compiled routing table: aliases first, then the first matching rule, then the default.
import type { Provider, ProviderRegistry } from '../../core/index.js';
import { compileModelPattern, isExactPattern, type ModelMatcher } from './match.js';
import type { FallbackOption, RouterOptions, WorkMode } from './options.js';

export interface RouteTarget {
  provider: Provider;
  /** The model name the provider will see. */
  model: string;
}

export interface RouteDecision {
  /** Primary first, then the fallbacks in order. */
  targets: RouteTarget[];
  mode: WorkMode;
}

interface TargetSpec { provider: Provider; model: string | undefined }
interface CompiledRoute { matches: ModelMatcher; targets: TargetSpec[]; mode: WorkMode }

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
  const fallbacks = (list: FallbackOption[], where: string): TargetSpec[] => list.map((f, i) => typeof f === 'string'
    ? { provider: need(f, `${where}[${i}]`), model: undefined }
    : { provider: need(f.provider, `${where}[${i}].provider`), model: f.model });
  const routes: CompiledRoute[] = options.routes.map((r, i) => ({
    matches: compileModelPattern(r.match),
    targets: [{ provider: need(r.provider, `routes[${i}].provider`), model: r.model }, ...fallbacks(r.fallbacks, `routes[${i}].fallbacks`)],
    mode: r.mode ?? options.mode,
  }));
  const fallback: CompiledRoute | undefined = options.default === undefined ? undefined : {
    matches: () => true,
    targets: [{ provider: need(options.default, 'default'), model: undefined }, ...fallbacks(options.fallbacks, 'fallbacks')],
    mode: options.mode,
  };
  const aliases = new Map(Object.entries(options.aliases));

  const resolve = (requested: string): RouteDecision | undefined => {
    const model = aliases.get(requested) ?? requested;
    const route = routes.find((r) => r.matches(model)) ?? fallback;
    if (!route) return undefined;
    return { targets: route.targets.map((t) => ({ provider: t.provider, model: t.model ?? model })), mode: route.mode };
  };

  return {
    resolve,
    listModels() {
      const seen = new Map<string, string>();
      const add = (id: string) => {
        const d = resolve(id);
        if (d && !seen.has(id)) seen.set(id, d.targets[0]!.provider.name);
      };
      for (const p of providers.all()) p.models.forEach(add);
      for (const r of options.routes) if (isExactPattern(r.match)) add(r.match);
      for (const alias of aliases.keys()) add(alias);
      return [...seen].map(([id, provider]) => ({ id, provider }));
    },
  };
}
