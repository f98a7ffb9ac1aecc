// Aliases name a model by another name, and an alias may name another alias (`quick: fast`,
// `fast: gemini-x`): a request for `quick` is served as `gemini-x`. Chains are followed once, when
// the options are read, into a flat alias → model map, so a request costs one lookup whatever the
// depth. A cycle has no model at its end and a very long chain is almost certainly a mistake: both
// are refused when the options are read (start-up, `sluice config validate`, a reload), at the
// alias's line, naming the whole chain.

/** The most aliases a name may pass through before it reaches a model name. */
export const MAX_ALIAS_HOPS = 8;

export interface AliasProblem {
  /** The alias the problem is reported at (its line in the config). */
  alias: string;
  message: string;
}

export interface ResolvedAliases {
  /** Every alias → the model name it finally stands for (only aliases without a problem). */
  resolved: Map<string, string>;
  problems: AliasProblem[];
}

export function resolveAliases(aliases: Readonly<Record<string, string>>): ResolvedAliases {
  const names = Object.keys(aliases);
  // `Object.hasOwn`, not `in`: an alias named `constructor` or `toString` must not find Object's.
  // An alias to itself (`gpt-4o: gpt-4o`) names the model of that name, as it did before aliases
  // chained: a config that started then still starts, and `b: a` through it ends at `a`.
  const next = (name: string): string | undefined => (Object.hasOwn(aliases, name) && aliases[name] !== name ? aliases[name] : undefined);
  const order = new Map(names.map((n, i) => [n, i]));
  const resolved = new Map<string, string>();
  const problems: AliasProblem[] = [];
  const cyclesSeen = new Set<string>();
  const tooLong: { alias: string; chain: string[] }[] = [];

  for (const alias of names) {
    // Walk to the first name that is not an alias, or back onto the chain (a cycle). Every step
    // adds a name not yet on the chain, so the walk ends within as many steps as there are aliases.
    const chain = [alias];
    const onChain = new Set(chain);
    let model = aliases[alias]!;
    if (model === alias) { resolved.set(alias, model); continue; }
    for (let target = next(model); target !== undefined && !onChain.has(model); target = next(model)) {
      chain.push(model);
      onChain.add(model);
      model = target;
    }
    if (onChain.has(model)) {
      // The aliases from `model` on go round forever. Reported once, from the member that comes
      // first in the file (where the user will look), whichever alias led into it.
      const cycle = chain.slice(chain.indexOf(model));
      const first = cycle.reduce((a, b) => (order.get(b)! < order.get(a)! ? b : a));
      const at = cycle.indexOf(first);
      const key = [...cycle].sort().join('\n');
      if (!cyclesSeen.has(key)) {
        cyclesSeen.add(key);
        problems.push({ alias: first, message: `aliases form a cycle: ${[...cycle.slice(at), ...cycle.slice(0, at), first].join(' → ')}; an alias must lead to a model name` });
      }
      continue;
    }
    if (chain.length > MAX_ALIAS_HOPS) { tooLong.push({ alias, chain: [...chain, model] }); continue; }
    resolved.set(alias, model);
  }
  // A chain too long from its head is too long from the next few aliases along it too: one error,
  // at the head (the alias no other over-long chain leads to), says it.
  const inner = new Set(tooLong.map((t) => aliases[t.alias]));
  for (const { alias, chain } of tooLong) {
    if (inner.has(alias)) continue;
    problems.push({ alias, message: `alias chain ${chain.join(' → ')} goes through more than ${MAX_ALIAS_HOPS} aliases; point ${alias} nearer its model` });
  }
  return { resolved, problems };
}
