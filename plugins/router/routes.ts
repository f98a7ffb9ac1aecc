// The compiled routing table: aliases first (followed to the model they finally name), then the first matching rule, then the default.
import { OptionError, type Path, type Provider, type ProviderRegistry } from '../../core/index.js';
import { resolveAliases } from './aliases.js';
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
  /** Upstream 4xx statuses that move the request on to the next target too (`fallback_on`). */
  fallbackOn: readonly number[];
}

/**
 * Input plus output price per million tokens; a provider without its own prices sorts last, and so
 * does a free loopback provider (its implicit price is 0): it answers with made-up text, so being
 * free must not make it a glob's first choice over real providers.
 */
const priceKey = (p: Provider) => {
  const price = p.prices ? p.prices.input + p.prices.output : Infinity;
  return price === 0 && p.type === 'loopback' ? Infinity : price;
};
/**
 * The order a glob's providers are tried in: cheapest first by their own prices (marketplace
 * offers carry theirs), then by name, so the order is stable.
 */
const cheapestFirst = (a: Provider, b: Provider) => priceKey(a) - priceKey(b) || a.name.localeCompare(b.name);

/** A provider by name, or a glob (`offer:*`) over the providers present at request time. */
interface TargetSpec { provider: string; model: string | undefined }
interface Weighted extends TargetSpec { weight: number }
interface CompiledRoute {
  matches: ModelMatcher;
  /** Weighted primaries (one entry with weight 1 for a plain `provider` route). */
  weighted: Weighted[];
  totalWeight: number;
  fallbacks: TargetSpec[];
  mode: WorkMode;
  fallbackOn: readonly number[];
}

/** The route's targets for one request: a primary drawn by weight, the other weighted ones, then the fallbacks. */
function orderTargets(route: CompiledRoute, draw: number): TargetSpec[] {
  if (route.weighted.length === 1) return [route.weighted[0]!, ...route.fallbacks];
  let x = draw * route.totalWeight;
  const pick = route.weighted.find((w) => (x -= w.weight) < 0) ?? route.weighted[0]!;
  return [pick, ...route.weighted.filter((w) => w !== pick), ...route.fallbacks];
}

export interface RouteTable {
  resolve(model: string): RouteDecision | undefined;
  /** Every model name a client can ask for (for model listings). */
  listModels(): { id: string; provider: string }[];
  /**
   * The decision for a name one of the configured routes matches (after aliases), for a single-model
   * lookup: a name only a glob (`gpt-*`) serves is no listed model, yet requests for it work. The
   * default route is left out, as it takes any name: a typo must still be "not found".
   */
  routedModel(model: string): RouteDecision | undefined;
}

export function compileRoutes(options: RouterOptions, providers: ProviderRegistry, random: () => number = Math.random): RouteTable {
  // A plain name must exist now (typos fail at start-up); a glob may match providers added later.
  const need = (name: string, where: Path): string => {
    // An OptionError: start-up points at the option's own line.
    if (!name.includes('*') && !providers.get(name)) throw new OptionError(where, `names provider "${name}", which is not in providers: (${providers.names().join(', ') || 'none'})`);
    return name;
  };
  const globs = new Map<string, ModelMatcher>();
  /** Providers are looked up on every request: ones added, replaced or removed while running take effect at once. */
  const present = (spec: TargetSpec): RouteTarget[] => {
    if (!spec.provider.includes('*')) {
      const p = providers.get(spec.provider);
      return p ? [{ provider: p, model: spec.model ?? '' }] : [];
    }
    let matches = globs.get(spec.provider);
    if (!matches) globs.set(spec.provider, (matches = compileModelPattern(spec.provider)));
    return providers.all().filter((p) => matches(p.name)).sort(cheapestFirst).map((p) => ({ provider: p, model: spec.model ?? '' }));
  };
  const fallbacks = (list: FallbackOption[], where: Path): TargetSpec[] => list.map((f, i) => typeof f === 'string'
    ? { provider: need(f, [...where, i]), model: undefined }
    : { provider: need(f.provider, [...where, i, 'provider']), model: f.model });
  // One frozen list per distinct setting, shared by every request the route serves.
  const statusLists = new Map<string, readonly number[]>();
  const statuses = (list: readonly number[]): readonly number[] => {
    const key = [...new Set(list)].sort().join(',');
    let shared = statusLists.get(key);
    if (!shared) statusLists.set(key, (shared = Object.freeze(key ? key.split(',').map(Number) : [])));
    return shared;
  };
  const compile = (matches: ModelMatcher, weighted: Weighted[], rest: TargetSpec[], mode: WorkMode, fallbackOn: readonly number[]): CompiledRoute => {
    // Heaviest first, so the fallback order after the drawn primary follows the weights.
    const sorted = weighted.filter((w) => w.weight > 0).sort((a, b) => b.weight - a.weight);
    return { matches, weighted: sorted, totalWeight: sorted.reduce((n, w) => n + w.weight, 0), fallbacks: rest, mode, fallbackOn: statuses(fallbackOn) };
  };
  const routes: CompiledRoute[] = options.routes.map((r, i) => compile(
    compileModelPattern(r.match),
    r.targets
      ? r.targets.map((x, j) => ({ provider: need(x.provider, ['routes', i, 'targets', j, 'provider']), model: x.model ?? r.model, weight: x.weight }))
      : [{ provider: need(r.provider!, ['routes', i, 'provider']), model: r.model, weight: 1 }],
    fallbacks(r.fallbacks, ['routes', i, 'fallbacks']),
    r.mode ?? options.mode,
    r.fallback_on ?? options.fallback_on,
  ));
  const fallback: CompiledRoute | undefined = options.default === undefined ? undefined : compile(
    () => true, [{ provider: need(options.default, ['default']), model: undefined, weight: 1 }], fallbacks(options.fallbacks, ['fallbacks']), options.mode, options.fallback_on,
  );
  // Alias chains flattened once (alias → final model): a request costs one lookup at any depth.
  // The options schema already refused cycles and over-long chains; options built without it
  // (a test, a plugin calling this) get the same refusal rather than a silently unresolved alias.
  const { resolved: aliases, problems } = resolveAliases(options.aliases);
  if (problems[0]) throw new OptionError(['aliases', problems[0].alias], problems[0].message);

  const resolveWith = (requested: string, draw: number): RouteDecision | undefined => {
    const model = aliases.size === 0 ? requested : aliases.get(requested) ?? requested;
    let route = fallback;
    for (const r of routes) if (r.matches(model)) { route = r; break; }
    if (!route) return undefined;
    const only = route.weighted.length === 1 && route.fallbacks.length === 0 ? route.weighted[0]! : undefined;
    if (only && !only.provider.includes('*')) {
      // The common route — one named provider, no fallbacks — without the general path's arrays.
      const provider = providers.get(only.provider);
      return { targets: provider ? [{ provider, model: only.model ?? model }] : [], mode: route.mode, fallbackOn: route.fallbackOn };
    }
    const targets = orderTargets(route, draw).flatMap((t) => {
      const served = t.model ?? model;
      // A glob may match providers that sell only other models (marketplace offers): skip those.
      const found = present(t);
      return (t.provider.includes('*') ? found.filter((r) => r.provider.serves?.(served) ?? true) : found).map((r) => ({ provider: r.provider, model: served }));
    });
    return { targets, mode: route.mode, fallbackOn: route.fallbackOn };
  };

  return {
    resolve: (requested) => resolveWith(requested, random()),
    routedModel(requested) {
      const model = aliases.get(requested) ?? requested;
      // The heaviest target owns the model, as in listings (draw 0).
      return routes.some((r) => r.matches(model)) ? resolveWith(requested, 0) : undefined;
    },
    listModels() {
      const seen = new Map<string, string>();
      const add = (id: string) => {
        const d = resolveWith(id, 0); // the heaviest target owns the model in listings
        if (d?.targets[0] && !seen.has(id)) seen.set(id, d.targets[0].provider.name);
      };
      for (const p of providers.all()) p.models.forEach(add);
      for (const r of options.routes) if (isExactPattern(r.match)) add(r.match);
      for (const alias of aliases.keys()) add(alias);
      return [...seen].map(([id, provider]) => ({ id, provider }));
    },
  };
}
