// Module resolve hook: `import … from 'sluice'` in any plugin resolves to the running gateway's own
// entry, so a plugin file next to an operator's config works without installing Sluice beside it,
// and every plugin shares one copy of the contract.
interface ResolveContext { parentURL?: string; conditions?: string[] }
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string }>;

let entryUrl = '';

export function initialize(data: { entryUrl: string }): void {
  entryUrl = data.entryUrl;
}

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<{ url: string; shortCircuit?: boolean }> {
  if (specifier === 'sluice' && entryUrl) return { url: entryUrl, shortCircuit: true };
  // The test harness sits beside the entry (dist/core/testing/index.js next to dist/core/index.js).
  if (specifier === 'sluice/testing' && entryUrl) return { url: new URL('./testing/index.js', entryUrl).href, shortCircuit: true };
  return next(specifier, context);
}
